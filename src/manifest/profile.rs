//! A `[profile.NAME]` table as written, in Cargo.toml or `.cargo/config.toml`, and cargo's
//! merging of two of them (`inherits`, config over manifest).

use std::collections::BTreeMap;

use serde::Deserialize;

/// A value that is either a bool or a string (`lto`, `strip`).
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub(crate) enum StringOrBool {
    Bool(bool),
    String(String),
}

/// `opt-level`: an integer or a string, kept as cargo prints it (`"0"` … `"3"`, `"s"`, `"z"`).
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub(crate) enum OptLevel {
    Int(i64),
    String(String),
}

impl OptLevel {
    pub(crate) fn as_string(&self) -> String {
        match self {
            OptLevel::Int(i) => i.to_string(),
            OptLevel::String(s) => s.clone(),
        }
    }
}

/// `debug`: a bool, an integer or a name.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub(crate) enum DebugSetting {
    Bool(bool),
    Int(i64),
    String(String),
}

/// `[profile.NAME]`, `[profile.NAME.package.SPEC]` or `[profile.NAME.build-override]`. Keys
/// crateplan does not know land in `other`, so that they can be named in a warning.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawProfile {
    pub(crate) opt_level: Option<OptLevel>,
    pub(crate) lto: Option<StringOrBool>,
    pub(crate) codegen_units: Option<u32>,
    pub(crate) debug: Option<DebugSetting>,
    pub(crate) debug_assertions: Option<bool>,
    pub(crate) split_debuginfo: Option<String>,
    pub(crate) rpath: Option<bool>,
    pub(crate) panic: Option<String>,
    pub(crate) overflow_checks: Option<bool>,
    pub(crate) incremental: Option<bool>,
    pub(crate) strip: Option<StringOrBool>,
    pub(crate) inherits: Option<String>,
    pub(crate) package: Option<BTreeMap<String, RawProfile>>,
    pub(crate) build_override: Option<Box<RawProfile>>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, toml::Value>,
}

/// Merges the profile tables `over` (by name or package spec) into `into`: a table both have is
/// merged key by key, one only `over` has is added.
pub(crate) fn merge_tables(into: &mut BTreeMap<String, RawProfile>, over: &BTreeMap<String, RawProfile>) {
    for (name, p) in over {
        match into.get_mut(name) {
            Some(mine) => mine.merge(p),
            None => {
                into.insert(name.clone(), p.clone());
            }
        }
    }
}

impl RawProfile {
    /// Cargo's `TomlProfile::merge`: every key `over` sets replaces this one's; `package` and
    /// `build-override` tables merge key by key.
    pub(crate) fn merge(&mut self, over: &RawProfile) {
        fn set<T: Clone>(to: &mut Option<T>, from: &Option<T>) {
            if from.is_some() {
                to.clone_from(from);
            }
        }
        set(&mut self.opt_level, &over.opt_level);
        set(&mut self.lto, &over.lto);
        set(&mut self.codegen_units, &over.codegen_units);
        set(&mut self.debug, &over.debug);
        set(&mut self.debug_assertions, &over.debug_assertions);
        set(&mut self.split_debuginfo, &over.split_debuginfo);
        set(&mut self.rpath, &over.rpath);
        set(&mut self.panic, &over.panic);
        set(&mut self.overflow_checks, &over.overflow_checks);
        set(&mut self.incremental, &over.incremental);
        set(&mut self.strip, &over.strip);
        set(&mut self.inherits, &over.inherits);
        if let Some(over_packages) = &over.package {
            merge_tables(self.package.get_or_insert_with(BTreeMap::new), over_packages);
        }
        if let Some(bo) = &over.build_override {
            match &mut self.build_override {
                Some(mine) => mine.merge(bo),
                None => self.build_override = Some(bo.clone()),
            }
        }
        for (k, v) in &over.other {
            self.other.insert(k.clone(), v.clone());
        }
    }

    /// The keys crateplan does not apply, as dotted paths below `prefix` (e.g.
    /// `profile.release.codegen-backend`).
    pub(crate) fn unknown_keys(&self, prefix: &str, out: &mut Vec<String>) {
        out.extend(self.other.keys().map(|k| format!("{prefix}.{k}")));
        for (spec, p) in self.package.iter().flatten() {
            p.unknown_keys(&format!("{prefix}.package.{spec}"), out);
        }
        if let Some(bo) = &self.build_override {
            bo.unknown_keys(&format!("{prefix}.build-override"), out);
        }
    }
}
