//! Cargo's profiles: the settings each unit is compiled with, from the built-in `dev` and
//! `release` defaults, the root manifest's `[profile.*]` and the configuration's, following
//! `inherits`, with `[profile.P.build-override]` for units built for the host and
//! `[profile.P.package.*]` per package — as cargo's `Profiles::get_profile` computes them.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::manifest::profile::{merge_tables, DebugSetting, OptLevel, RawProfile, StringOrBool};
use crate::resolve::spec::PackageIdSpec;

/// Cargo's `TomlDebugInfo`: how much debug information rustc emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DebugLevel {
    None,
    LineDirectivesOnly,
    LineTablesOnly,
    Limited,
    Full,
}

impl DebugLevel {
    /// As `--unit-graph` and `-C debuginfo=` spell it: `0`, `1`, `2`, or the name.
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            DebugLevel::None => 0.into(),
            DebugLevel::Limited => 1.into(),
            DebugLevel::Full => 2.into(),
            DebugLevel::LineDirectivesOnly => "line-directives-only".into(),
            DebugLevel::LineTablesOnly => "line-tables-only".into(),
        }
    }
}

/// The profile's `lto` setting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lto {
    /// `"off"` (or `"n"`, `"no"`, `"none"`).
    Off,
    Bool(bool),
    /// `"thin"`, `"fat"`.
    Named(String),
}

impl Lto {
    /// As `--unit-graph` prints it.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Lto::Off => "off",
            Lto::Bool(true) => "true",
            Lto::Bool(false) => "false",
            Lto::Named(n) => n,
        }
    }
}

/// The panic strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panic {
    Unwind,
    Abort,
}

impl Panic {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Panic::Unwind => "unwind",
            Panic::Abort => "abort",
        }
    }
}

/// The settings of one unit: cargo's `Profile`.
#[derive(Debug, Clone)]
pub struct Profile {
    pub(crate) name: Arc<str>,
    pub(crate) opt_level: String,
    pub(crate) lto: Lto,
    pub(crate) codegen_units: Option<u32>,
    pub(crate) debuginfo: DebugLevel,
    /// Cargo's `DebugInfo::Deferred`: the build-dependency default, which it lowers only for
    /// units shared with no runtime unit when no `--target` is given (never here).
    pub(crate) debuginfo_deferred: bool,
    pub(crate) split_debuginfo: Option<String>,
    pub(crate) debug_assertions: bool,
    pub(crate) overflow_checks: bool,
    pub(crate) rpath: bool,
    pub(crate) incremental: bool,
    pub(crate) panic: Panic,
    /// `None` for no stripping, else `debuginfo` or `symbols`.
    pub(crate) strip: Option<String>,
    /// Not set by any profile: cargo strips debug information when neither the unit nor its
    /// dependencies have any (`resolve_strip`).
    pub(crate) strip_deferred: bool,
    /// Made with the host flag (`build-override`): only tells apart the keys of two units that
    /// differ in nothing else.
    pub(crate) for_host: bool,
}

impl Profile {
    /// Cargo's `Profile::default`, the base of every profile.
    fn base(name: &Arc<str>) -> Profile {
        Profile {
            name: name.clone(),
            opt_level: "0".to_string(),
            lto: Lto::Bool(false),
            codegen_units: None,
            debuginfo: DebugLevel::None,
            debuginfo_deferred: false,
            split_debuginfo: None,
            debug_assertions: false,
            overflow_checks: false,
            rpath: false,
            incremental: false,
            panic: Panic::Unwind,
            strip: None,
            strip_deferred: true,
            for_host: false,
        }
    }

    /// The built-in `dev` (`release == false`) or `release` defaults.
    fn builtin(name: &Arc<str>, release: bool) -> Profile {
        let base = Profile::base(name);
        if release {
            Profile { opt_level: "3".to_string(), ..base }
        } else {
            Profile { debuginfo: DebugLevel::Full, debug_assertions: true, overflow_checks: true, incremental: true, ..base }
        }
    }

    /// What decides whether two units with this profile are the same unit (cargo's
    /// `comparable`: the name, and whether a value was deferred, do not count).
    #[allow(clippy::type_complexity)]
    fn comparable(&self) -> (&str, &Lto, Option<u32>, DebugLevel, &Option<String>, [bool; 4], Panic, &Option<String>) {
        (
            &self.opt_level,
            &self.lto,
            self.codegen_units,
            self.debuginfo,
            &self.split_debuginfo,
            [self.debug_assertions, self.overflow_checks, self.rpath, self.incremental],
            self.panic,
            &self.strip,
        )
    }

    /// `strip` as the plan writes it: `none`, `debuginfo` or `symbols`.
    pub(crate) fn strip_name(&self) -> &str {
        self.strip.as_deref().unwrap_or("none")
    }

    /// cargo's rule for a `strip` no profile set: strip debug information when neither the unit
    /// nor any of its dependencies has any.
    pub(crate) fn resolve_strip(&mut self, deps_have_debuginfo: bool) {
        if self.strip_deferred && self.debuginfo == DebugLevel::None && !deps_have_debuginfo {
            self.strip = Some("debuginfo".to_string());
            self.strip_deferred = false;
        }
    }
}

impl PartialEq for Profile {
    fn eq(&self, other: &Self) -> bool {
        self.comparable() == other.comparable()
    }
}

impl Eq for Profile {}

impl Hash for Profile {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.comparable().hash(state);
    }
}

/// The requested profile, with its `inherits` chain merged: cargo's `ProfileMaker`.
#[derive(Debug, Clone)]
pub struct Profiles {
    name: Arc<str>,
    /// The built-in defaults at the root of the chain (`dev` or `release`).
    default: Profile,
    /// The chain's tables merged, root first.
    toml: Option<RawProfile>,
    /// `[profile.P.package.<spec>]` tables, the spec parsed.
    packages: Vec<(String, PackageIdSpec, RawProfile)>,
    /// The triple of host units, whose name decides macOS's split-debuginfo default.
    host_triple: String,
    /// Whether the chain starts at `release` (else at `dev`).
    release: bool,
}

/// A package as profiles see it.
pub(crate) struct ProfilePackage<'a> {
    pub(crate) name: &'a str,
    pub(crate) version: &'a semver::Version,
    pub(crate) is_member: bool,
    /// A path package (cargo compiles only those incrementally).
    pub(crate) is_local: bool,
}

impl Profiles {
    /// The profile `requested` from the root manifest's `[profile.*]` (`manifest`, read from
    /// `manifest_path`) with the configuration's (`config`) merged over them.
    pub(crate) fn new(
        manifest: &BTreeMap<String, RawProfile>,
        config: &BTreeMap<String, RawProfile>,
        requested: &str,
        manifest_path: &Path,
        config_path: Option<&Path>,
        host_triple: &str,
    ) -> Result<Profiles> {
        for (name, p) in manifest {
            validate(p, &format!("[profile.{name}]"), manifest_path, false)?;
        }
        for (name, p) in config {
            validate(p, &format!("[profile.{name}]"), config_path.unwrap_or(manifest_path), false)?;
        }
        let mut all: BTreeMap<String, RawProfile> = manifest.clone();
        merge_tables(&mut all, config);
        for (name, parent) in [("debug", "dev"), ("test", "dev"), ("bench", "release"), ("doc", "dev")] {
            let mut builtin = RawProfile { inherits: Some(parent.to_string()), ..RawProfile::default() };
            if let Some(user) = all.get(name) {
                builtin.merge(user);
            }
            all.insert(name.to_string(), builtin);
        }
        for root in ["dev", "release"] {
            if all.get(root).is_some_and(|p| p.inherits.is_some()) {
                return Err(Error::in_file(manifest_path, format!("`inherits` must not be specified in root profile `{root}`; remove it")));
            }
        }
        // Every profile's chain must be sound, used or not (as cargo checks them).
        for name in all.keys() {
            chain(name, &all, &mut HashSet::new(), manifest_path)?;
        }
        if requested != "dev" && requested != "release" && !all.contains_key(requested) {
            let mut defined: BTreeSet<&str> = all.keys().map(String::as_str).collect();
            defined.extend(["dev", "release"]);
            let defined: Vec<&str> = defined.into_iter().collect();
            return Err(Error::new(format!(
                "profile `{requested}` is not defined; define `[profile.{requested}]` with `inherits` in {} or use one of: {}",
                manifest_path.display(),
                defined.join(", ")
            )));
        }
        let (release, toml) = chain(requested, &all, &mut HashSet::new(), manifest_path)?;
        let name: Arc<str> = Arc::from(requested);
        let packages = toml
            .as_ref()
            .and_then(|t| t.package.as_ref())
            .into_iter()
            .flatten()
            .filter(|(spec, _)| spec.as_str() != "*")
            .map(|(spec, p)| (spec.clone(), PackageIdSpec::parse(spec), p.clone()))
            .collect();
        Ok(Profiles { default: Profile::builtin(&name, release), name, toml, packages, host_triple: host_triple.to_string(), release })
    }

    /// What build scripts see as `PROFILE`: `release` when the profile inherits from `release`,
    /// else `debug`.
    pub fn root_name(&self) -> &'static str {
        if self.release { "release" } else { "debug" }
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `[profile.P.package.<spec>]` specs of the requested profile.
    pub(crate) fn package_specs(&self) -> impl Iterator<Item = (&str, &PackageIdSpec)> {
        self.packages.iter().map(|(s, spec, _)| (s.as_str(), spec))
    }

    /// The profile of a unit of `pkg`: `for_host` when it is a build script, a proc-macro or a
    /// dependency of one (cargo's `UnitFor::is_for_host`), `unwind` when it must unwind
    /// whatever the profile says, built for `triple`.
    pub(crate) fn get(&self, pkg: &ProfilePackage<'_>, for_host: bool, unwind: bool, triple: &str) -> Profile {
        let mut p = self.default.clone();
        if let Some(toml) = &self.toml {
            merge(&mut p, toml);
        }
        if for_host {
            p.opt_level = "0".to_string();
            p.codegen_units = None;
            p.debuginfo_deferred = true;
        }
        if let Some(toml) = &self.toml {
            if for_host && let Some(bo) = &toml.build_override {
                merge(&mut p, bo);
            }
            if !pkg.is_member && let Some(all) = toml.package.as_ref().and_then(|m| m.get("*")) {
                merge(&mut p, all);
            }
            if let Some((_, _, spec_profile)) = self.packages.iter().find(|(_, spec, _)| spec.matches(pkg.name, pkg.version, false)) {
                merge(&mut p, spec_profile);
            }
        }
        if unwind {
            p.panic = Panic::Unwind;
        }
        if p.debuginfo != DebugLevel::None && p.split_debuginfo.is_none() && triple.contains("-apple-") {
            p.split_debuginfo = Some("unpacked".to_string());
        }
        p.incremental &= pkg.is_local;
        p.for_host = for_host;
        p
    }

    /// The triple of host units.
    pub(crate) fn host_triple(&self) -> &str {
        &self.host_triple
    }

    /// The profile of running a build script for a unit with profile `parent`: only what the
    /// script's environment shows (`OPT_LEVEL`, `DEBUG`, `debug_assertions`).
    pub(crate) fn run_custom_build(&self, parent: &Profile) -> Profile {
        Profile {
            debuginfo: parent.debuginfo,
            debuginfo_deferred: parent.debuginfo_deferred,
            opt_level: parent.opt_level.clone(),
            debug_assertions: parent.debug_assertions,
            for_host: parent.for_host,
            ..Profile::base(&self.name)
        }
    }
}

/// Follows `inherits` from `name`: whether the chain starts at `release`, and its tables merged
/// root first (cargo's `process_chain`).
fn chain(name: &str, all: &BTreeMap<String, RawProfile>, seen: &mut HashSet<String>, path: &Path) -> Result<(bool, Option<RawProfile>)> {
    if name == "dev" || name == "release" {
        return Ok((name == "release", all.get(name).cloned()));
    }
    let Some(profile) = all.get(name) else {
        return Err(Error::in_file(path, format!("profile `{name}` is not defined")));
    };
    let Some(parent) = &profile.inherits else {
        return Err(Error::in_file(
            path,
            format!("profile `{name}` is missing an `inherits` directive (`inherits` is required for all profiles except `dev` or `release`)"),
        ));
    };
    if parent != "dev" && parent != "release" {
        if !all.contains_key(parent) {
            return Err(Error::in_file(path, format!("profile `{name}` inherits from `{parent}`, but that profile is not defined")));
        }
        if !seen.insert(parent.clone()) || parent == name {
            return Err(Error::in_file(path, format!("profile inheritance loop detected with profile `{name}` inheriting `{parent}`")));
        }
    }
    let (release, toml) = chain(parent, all, seen, path)?;
    let merged = match toml {
        Some(mut t) => {
            t.merge(profile);
            t
        }
        None => profile.clone(),
    };
    Ok((release, Some(merged)))
}

/// Cargo's `merge_profile`: the settings `toml` gives, over `p`. (`strip` is reset to its
/// default by every table that does not set it, as cargo does.)
fn merge(p: &mut Profile, toml: &RawProfile) {
    if let Some(o) = &toml.opt_level {
        p.opt_level = o.as_string();
    }
    match &toml.lto {
        Some(StringOrBool::Bool(b)) => p.lto = Lto::Bool(*b),
        Some(StringOrBool::String(s)) if matches!(s.as_str(), "off" | "n" | "no" | "none") => p.lto = Lto::Off,
        Some(StringOrBool::String(s)) => p.lto = Lto::Named(s.clone()),
        None => {}
    }
    if toml.codegen_units.is_some() {
        p.codegen_units = toml.codegen_units;
    }
    if let Some(d) = &toml.debug {
        p.debuginfo = debug_level(d).unwrap_or(p.debuginfo);
        p.debuginfo_deferred = false;
    }
    if let Some(v) = toml.debug_assertions {
        p.debug_assertions = v;
    }
    if let Some(v) = &toml.split_debuginfo {
        p.split_debuginfo = Some(v.clone());
    }
    if let Some(v) = toml.rpath {
        p.rpath = v;
    }
    if let Some(v) = &toml.panic {
        p.panic = if v == "abort" { Panic::Abort } else { Panic::Unwind };
    }
    if let Some(v) = toml.overflow_checks {
        p.overflow_checks = v;
    }
    if let Some(v) = toml.incremental {
        p.incremental = v;
    }
    (p.strip, p.strip_deferred) = match &toml.strip {
        Some(StringOrBool::Bool(true)) => (Some("symbols".to_string()), false),
        Some(StringOrBool::Bool(false)) => (None, false),
        Some(StringOrBool::String(s)) if s == "none" => (None, false),
        Some(StringOrBool::String(s)) => (Some(s.clone()), false),
        None => (None, true),
    };
}

fn debug_level(d: &DebugSetting) -> Option<DebugLevel> {
    Some(match d {
        DebugSetting::Bool(false) | DebugSetting::Int(0) => DebugLevel::None,
        DebugSetting::Bool(true) | DebugSetting::Int(2) => DebugLevel::Full,
        DebugSetting::Int(1) => DebugLevel::Limited,
        DebugSetting::String(s) => match s.as_str() {
            "none" => DebugLevel::None,
            "line-directives-only" => DebugLevel::LineDirectivesOnly,
            "line-tables-only" => DebugLevel::LineTablesOnly,
            "limited" => DebugLevel::Limited,
            "full" => DebugLevel::Full,
            _ => return None,
        },
        DebugSetting::Int(_) => return None,
    })
}

/// Refuses the values cargo refuses, naming the table (`[profile.release]`) and the file.
fn validate(p: &RawProfile, table: &str, path: &Path, is_override: bool) -> Result<()> {
    let bad = |key: &str, value: String, expected: &str| {
        Error::in_file(path, format!("`{table}` {key} = {value} is invalid: it must be {expected}"))
    };
    if let Some(o) = &p.opt_level
        && !matches!(o, OptLevel::Int(0..=3))
        && !matches!(o, OptLevel::String(s) if matches!(s.as_str(), "0" | "1" | "2" | "3" | "s" | "z"))
    {
        return Err(bad("opt-level", format!("{o:?}"), "0, 1, 2, 3, \"s\" or \"z\""));
    }
    if let Some(d) = &p.debug
        && debug_level(d).is_none()
    {
        return Err(bad("debug", format!("{d:?}"), "a bool, 0, 1, 2, \"none\", \"line-directives-only\", \"line-tables-only\", \"limited\" or \"full\""));
    }
    if let Some(v) = &p.panic
        && v != "unwind"
        && v != "abort"
    {
        return Err(bad("panic", format!("{v:?}"), "\"unwind\" or \"abort\""));
    }
    if let Some(StringOrBool::String(s)) = &p.strip
        && !matches!(s.as_str(), "none" | "debuginfo" | "symbols")
    {
        return Err(bad("strip", format!("{s:?}"), "a bool, \"none\", \"debuginfo\" or \"symbols\""));
    }
    if let Some(StringOrBool::String(s)) = &p.lto
        && !matches!(s.as_str(), "fat" | "thin" | "off" | "n" | "no" | "none")
    {
        return Err(bad("lto", format!("{s:?}"), "a bool, \"fat\", \"thin\" or \"off\""));
    }
    if is_override {
        for (key, set) in [("panic", p.panic.is_some()), ("lto", p.lto.is_some()), ("rpath", p.rpath.is_some()), ("inherits", p.inherits.is_some())] {
            if set {
                return Err(Error::in_file(path, format!("`{table}` sets `{key}`, which a package or build-override profile may not set; move it to the profile itself")));
            }
        }
        if p.package.is_some() || p.build_override.is_some() {
            return Err(Error::in_file(path, format!("`{table}` nests `package` or `build-override`, which cargo does not allow; move them up to the profile")));
        }
    }
    for (spec, o) in p.package.iter().flatten() {
        validate(o, &format!("[profile.{}.package.\"{spec}\"]", table.trim_start_matches("[profile.").trim_end_matches(']')), path, true)?;
    }
    if let Some(bo) = &p.build_override {
        validate(bo, &format!("{}.build-override]", table.trim_end_matches(']')), path, true)?;
    }
    Ok(())
}
