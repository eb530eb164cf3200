//! `[lints]` and `[workspace.lints]`: the lint levels a manifest sets, turned into the rustc
//! arguments cargo passes to every compiler run of the package (lib, bins, tests, build script;
//! clippy and rustdoc read them too).

use std::collections::BTreeMap;

use serde::Deserialize;

/// One tool's lints (`[lints.rust]`, `[lints.clippy]`, `[lints.rustdoc]`), by lint name.
pub(crate) type ToolLints = BTreeMap<String, RawLint>;

/// `[workspace.lints]`: tool name → its lints.
pub(crate) type LintTables = BTreeMap<String, ToolLints>;

/// A package's `[lints]`: the tools' tables, or `workspace = true`.
pub(crate) type RawLints = BTreeMap<String, LintsEntry>;

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(crate) enum LintsEntry {
    Workspace(bool),
    Tool(ToolLints),
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(crate) enum RawLint {
    Level(String),
    /// `{ level = "warn", priority = -1 }`; `rust.unexpected_cfgs` may add `check-cfg = [..]`.
    Config {
        level: String,
        #[serde(default)]
        priority: i64,
        #[serde(default, rename = "check-cfg")]
        check_cfg: Vec<String>,
    },
}

/// What a package's lints add to every compiler run: `--LEVEL=LINT` arguments, and the
/// `--check-cfg` values of `[lints.rust.unexpected_cfgs] check-cfg`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LintArgs {
    pub(crate) flags: Vec<String>,
    pub(crate) check_cfg: Vec<String>,
}

/// The `--LEVEL=[TOOL::]LINT` arguments of a package's lints — its own, or the workspace's with
/// `lints.workspace = true` — in cargo's order: ascending priority, then lint names in reverse
/// order (so that `priority` decides what a group like `clippy::pedantic` is overridden by).
pub(crate) fn rustc_args(own: Option<&RawLints>, workspace: Option<&LintTables>) -> Result<LintArgs, String> {
    let Some(own) = own else { return Ok(LintArgs::default()) };
    let tables: LintTables = match own.get("workspace") {
        Some(LintsEntry::Workspace(true)) if own.len() == 1 => workspace
            .cloned()
            .ok_or("it has `lints.workspace = true`, but the workspace root has no [workspace.lints]; add that table, or set the lints in the package")?,
        Some(LintsEntry::Workspace(true)) => return Err("`lints.workspace = true` cannot be combined with the package's own [lints.TOOL] tables; keep one of the two".into()),
        Some(LintsEntry::Workspace(false)) => return Err("`lints.workspace = false` is not allowed; remove it, or set it to true to inherit [workspace.lints]".into()),
        _ => own
            .iter()
            .filter_map(|(tool, entry)| match entry {
                LintsEntry::Tool(lints) => Some((tool.clone(), lints.clone())),
                LintsEntry::Workspace(_) => None,
            })
            .collect(),
    };
    let mut flags = Vec::new();
    let mut check_cfg = Vec::new();
    for (tool, lints) in &tables {
        for (name, lint) in lints {
            let (level, priority) = match lint {
                RawLint::Level(level) => (level.as_str(), 0),
                RawLint::Config { level, priority, check_cfg: extra } => {
                    if tool == "rust" && name == "unexpected_cfgs" {
                        check_cfg.extend(extra.iter().cloned());
                    }
                    (level.as_str(), *priority)
                }
            };
            if !matches!(level, "forbid" | "deny" | "warn" | "allow") {
                return Err(format!("lint `{tool}.{name}` has the level `{level}`; use one of forbid, deny, warn, allow"));
            }
            let full = if tool == "rust" { name.clone() } else { format!("{tool}::{name}") };
            flags.push((priority, name.as_str(), format!("--{level}={full}")));
        }
    }
    flags.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    Ok(LintArgs { flags: flags.into_iter().map(|(_, _, flag)| flag).collect(), check_cfg })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(toml: &str) -> Vec<String> {
        #[derive(Deserialize)]
        struct M {
            lints: RawLints,
        }
        let m: M = toml::from_str(toml).unwrap();
        rustc_args(Some(&m.lints), None).unwrap().flags
    }

    /// The order `cargo build -v` shows for these lints (cargo 1.95).
    #[test]
    fn ordered_as_cargo_orders_them() {
        let got = flags(
            "[lints.clippy]\nneedless_return = \"allow\"\npedantic = { level = \"warn\", priority = -2 }\nall = \"deny\"\n\
             [lints.rust]\nunsafe_code = \"forbid\"\nunused = { level = \"allow\", priority = -1 }\nmissing_docs = \"warn\"\n\
             unexpected_cfgs = { level = \"warn\", check-cfg = [\"cfg(foo)\"] }\n\
             [lints.rustdoc]\nbroken_intra_doc_links = \"deny\"\n",
        );
        assert_eq!(
            got,
            [
                "--warn=clippy::pedantic",
                "--allow=unused",
                "--forbid=unsafe_code",
                "--warn=unexpected_cfgs",
                "--allow=clippy::needless_return",
                "--warn=missing_docs",
                "--deny=rustdoc::broken_intra_doc_links",
                "--deny=clippy::all",
            ]
        );
    }

    #[test]
    fn workspace_inheritance() {
        #[derive(Deserialize)]
        struct M {
            lints: RawLints,
        }
        let m: M = toml::from_str("[lints]\nworkspace = true\n").unwrap();
        let ws: LintTables = toml::from_str("[rust]\nunsafe_code = \"forbid\"\n").unwrap();
        assert_eq!(rustc_args(Some(&m.lints), Some(&ws)).unwrap().flags, ["--forbid=unsafe_code"]);
        assert!(rustc_args(Some(&m.lints), None).err().unwrap().contains("[workspace.lints]"));
    }
}
