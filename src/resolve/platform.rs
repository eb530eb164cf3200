//! Target platforms: the `[target.'cfg(…)']` and `[target.TRIPLE]` keys of dependency tables
//! (parsed in `manifest::platform`), evaluated as cargo evaluates them, against the
//! `rustc --print cfg` facts of a triple.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use cfg_expr::{Predicate, TargetPredicate};

use crate::error::{Error, Result};
use crate::manifest::platform::Platform;

/// What rustc says of one target: its cfg names and `key="value"` pairs.
#[derive(Debug, Clone)]
pub struct TargetInfo {
    pub(crate) triple: String,
    flags: BTreeSet<String>,
    values: BTreeSet<(String, String)>,
}

/// `rustc --print cfg` of every built-in target (see tools/gen-target-cfgs.sh).
const TARGET_CFGS: &str = include_str!("target_cfgs.txt");

fn table() -> &'static BTreeMap<&'static str, &'static str> {
    static TABLE: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TARGET_CFGS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

impl TargetInfo {
    /// Whether a dependency declared under `[target.X]` applies to this target.
    pub(crate) fn matches(&self, platform: &Platform) -> bool {
        match platform {
            Platform::Name(n) => *n == self.triple,
            Platform::Cfg(expr) => expr.eval(|pred| self.holds(pred)),
        }
    }

    /// The facts of a built-in target, or an error listing how to find the right name.
    pub fn builtin(triple: &str) -> Result<TargetInfo> {
        let cfgs = table().get(triple).ok_or_else(|| {
            Error::new(format!(
                "unknown target `{triple}`: it is not one of rustc's built-in targets (see `rustc --print target-list`)"
            ))
        })?;
        let mut flags = BTreeSet::new();
        let mut values = BTreeSet::new();
        for cfg in cfgs.split('\t') {
            match cfg.split_once('=') {
                Some((k, v)) => {
                    values.insert((k.to_string(), v.trim_matches('"').to_string()));
                }
                None => {
                    flags.insert(cfg.to_string());
                }
            }
        }
        Ok(TargetInfo { triple: triple.to_string(), flags, values })
    }

    /// These facts with the `--cfg` of `rustflags` added, as `rustc --print cfg` gives them with
    /// those flags.
    pub fn with_cfgs(&self, rustflags: &[String]) -> TargetInfo {
        let mut info = self.clone();
        for cfg in crate::resolve::rustflags::cfgs(rustflags) {
            match cfg.split_once('=') {
                Some((k, v)) => {
                    info.values.insert((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
                }
                None => {
                    info.flags.insert(cfg.trim().to_string());
                }
            }
        }
        info
    }

    fn has(&self, key: &str, value: &str) -> bool {
        self.values.contains(&(key.to_string(), value.to_string()))
    }

    fn holds(&self, pred: &Predicate<'_>) -> bool {
        match pred {
            Predicate::Target(tp) => match tp {
                TargetPredicate::Abi(v) => self.has("target_abi", v.as_str()),
                TargetPredicate::Arch(v) => self.has("target_arch", v.as_str()),
                TargetPredicate::Endian(v) => self.has("target_endian", &format!("{v:?}")),
                TargetPredicate::Env(v) => self.has("target_env", v.as_str()),
                TargetPredicate::Family(v) => self.has("target_family", v.as_str()) || self.flags.contains(v.as_str()),
                TargetPredicate::HasAtomic(v) => self.has("target_has_atomic", &v.to_string()),
                TargetPredicate::Os(v) => self.has("target_os", v.as_str()),
                TargetPredicate::Panic(v) => self.has("panic", v.as_str()),
                TargetPredicate::PointerWidth(w) => self.has("target_pointer_width", &w.to_string()),
                TargetPredicate::Vendor(v) => self.has("target_vendor", v.as_str()),
            },
            Predicate::TargetFeature(f) => self.has("target_feature", f),
            Predicate::DebugAssertions => self.flags.contains("debug_assertions"),
            Predicate::Flag(f) => self.flags.contains(*f),
            Predicate::KeyValue { key, val } => self.has(key, val),
            // cargo evaluates platform cfgs without `test`, `proc_macro` or features.
            Predicate::Test | Predicate::ProcMacro | Predicate::Feature(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        TargetInfo::builtin(t).unwrap().matches(&Platform::parse(p).unwrap())
    }

    #[test]
    fn cfgs_follow_rustc() {
        assert!(m("cfg(unix)", "x86_64-unknown-linux-gnu"));
        assert!(!m("cfg(unix)", "wasm32-unknown-unknown"));
        assert!(m("cfg(windows)", "x86_64-pc-windows-msvc"));
        assert!(m("cfg(all(target_arch = \"wasm32\", target_os = \"unknown\"))", "wasm32-unknown-unknown"));
        assert!(m("cfg(target_feature = \"sse2\")", "x86_64-unknown-linux-gnu"));
        assert!(m("cfg(debug_assertions)", "aarch64-apple-darwin"));
        assert!(m("x86_64-pc-windows-msvc", "x86_64-pc-windows-msvc"));
        assert!(!m("x86_64-pc-windows-msvc", "x86_64-pc-windows-gnu"));
    }

    #[test]
    fn unknown_target_is_an_error() {
        let e = TargetInfo::builtin("x86_64-unknown-nowhere").unwrap_err();
        assert!(e.to_string().contains("unknown target `x86_64-unknown-nowhere`"));
    }
}
