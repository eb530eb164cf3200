//! A package's targets: explicit `[lib]`/`[[bin]]`/… tables plus cargo's auto-discovery, worked
//! out from a set of file names rather than a filesystem.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::manifest::schema::{RawManifest, RawPackage, RawTarget, StringOrBool};

/// The files of a package, as target discovery asks about them: `/`-separated paths relative to
/// the package root. Loading gives them from a directory, a `.crate` archive or a listing; a plain
/// set of file names is one too.
pub(crate) trait PackageFiles {
    /// Whether a file (not a directory) is at `path`.
    fn contains(&self, path: &str) -> bool;

    /// The entries of the directory `dir`, sorted: names, with a trailing `/` for directories,
    /// dotfiles left out.
    fn listing(&self, dir: &str) -> Vec<String>;

    /// Why the files could not be listed (a damaged archive), if they were asked for and could
    /// not be.
    fn error(&self) -> Option<&str> {
        None
    }
}

/// File names given up front: a directory is known only by the files below it.
impl PackageFiles for BTreeSet<String> {
    fn contains(&self, path: &str) -> bool {
        BTreeSet::contains(self, path)
    }

    fn listing(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        let mut names = BTreeSet::new();
        for f in self.range(prefix.clone()..) {
            let Some(rest) = f.strip_prefix(&prefix) else { break };
            if !rest.starts_with('.') {
                names.insert(match rest.split_once('/') {
                    Some((sub, _)) => format!("{sub}/"),
                    None => rest.to_string(),
                });
            }
        }
        names.into_iter().collect()
    }
}

/// The `(name, path)` pairs cargo infers in `dir`: `dir/NAME.rs` and `dir/NAME/main.rs` (not
/// dotfiles, such as an editor's `.#name.rs` lock), by path.
fn infer_in(files: &dyn PackageFiles, dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in files.listing(dir) {
        if let Some(sub) = entry.strip_suffix('/') {
            let main = format!("{dir}/{sub}/main.rs");
            if files.contains(&main) {
                out.push((sub.to_string(), main));
            }
        } else if let Some(stem) = entry.strip_suffix(".rs") {
            out.push((stem.to_string(), format!("{dir}/{entry}")));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TargetKind {
    Lib,
    Bin,
    Example,
    Test,
    Bench,
    CustomBuild,
}

impl TargetKind {
    /// Cargo's word for the kind (`--unit-graph` writes it).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TargetKind::Lib => "lib",
            TargetKind::Bin => "bin",
            TargetKind::Example => "example",
            TargetKind::Test => "test",
            TargetKind::Bench => "bench",
            TargetKind::CustomBuild => "custom-build",
        }
    }
}

/// One target of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) kind: TargetKind,
    pub(crate) name: String,
    /// Relative to the package root.
    pub(crate) path: String,
    pub(crate) crate_types: Vec<String>,
    pub(crate) edition: String,
    pub(crate) required_features: Option<Vec<String>>,
    pub(crate) tested: bool,
    pub(crate) benched: bool,
    pub(crate) doctested: bool,
    pub(crate) documented: bool,
    pub(crate) harness: bool,
}

impl Target {
    pub(crate) fn is_lib(&self) -> bool {
        self.kind == TargetKind::Lib
    }
    pub(crate) fn is_bin(&self) -> bool {
        self.kind == TargetKind::Bin
    }
    pub(crate) fn is_custom_build(&self) -> bool {
        self.kind == TargetKind::CustomBuild
    }
    pub(crate) fn is_proc_macro(&self) -> bool {
        self.is_lib() && self.crate_types.iter().any(|t| t == "proc-macro")
    }
    /// A lib whose documentation `rustdoc --test` can test.
    pub(crate) fn is_doctestable(&self) -> bool {
        self.is_lib() && self.crate_types.iter().any(|t| matches!(t.as_str(), "lib" | "rlib" | "proc-macro"))
    }
    /// Built for the host: build scripts and proc-macros.
    pub(crate) fn for_host(&self) -> bool {
        self.is_custom_build() || self.is_proc_macro()
    }
    /// A lib that other crates can link: `lib`, `rlib`, `dylib` or `proc-macro`.
    pub(crate) fn is_linkable(&self) -> bool {
        self.is_lib() && self.crate_types.iter().any(|t| matches!(t.as_str(), "lib" | "rlib" | "dylib" | "proc-macro"))
    }
    /// The `--crate-name`: the name with `-` → `_`.
    pub(crate) fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }
    /// The key of this target in a plan: `<kind>:<name>`.
    pub(crate) fn key(&self) -> String {
        [self.kind.as_str(), ":", &self.name].concat()
    }
    /// `kind` as `--unit-graph` writes it: the crate types for a lib.
    pub(crate) fn unit_graph_kind(&self) -> Vec<String> {
        match self.kind {
            TargetKind::Lib => self.crate_types.clone(),
            k => vec![k.as_str().to_string()],
        }
    }
}

/// Works out a package's targets as cargo does.
pub(crate) fn discover(raw: &RawManifest, pkg: &RawPackage, package_name: &str, edition: &str, files: &dyn PackageFiles) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    let is_2015 = edition == "2015";

    // lib (`src/lib.rs` looked up once: on disk each lookup is a system call)
    let has_lib_rs = std::cell::LazyCell::new(|| files.contains("src/lib.rs"));
    let lib = match &raw.lib {
        Some(l) => Some(l.clone()),
        None if pkg.autolib != Some(false) && *has_lib_rs => Some(RawTarget::default()),
        None => None,
    };
    if let Some(l) = lib {
        let name = l.name.clone().unwrap_or_else(|| package_name.replace('-', "_"));
        if name.contains('-') {
            return Err(format!("library target names cannot contain hyphens: `{name}`; write `{}` in [lib] name", name.replace('-', "_")));
        }
        let path = match &l.path {
            Some(p) => clean(p),
            None if *has_lib_rs => "src/lib.rs".to_string(),
            None if is_2015 && files.contains(&format!("src/{name}.rs")) => format!("src/{name}.rs"),
            None => return Err("can't find library `src/lib.rs`; add it or set `lib.path`".into()),
        };
        let crate_types = match (&l.crate_type, l.proc_macro) {
            (Some(t), _) if !t.is_empty() => t.clone(),
            (_, Some(true)) => vec!["proc-macro".to_string()],
            _ => vec!["lib".to_string()],
        };
        targets.push(make(TargetKind::Lib, name, path, crate_types, &l, edition));
    }

    // bins
    let explicit_bins = if raw.bin.is_empty() { None } else { Some(raw.bin.clone()) };
    let mut inferred_bins = Vec::new();
    if infers(explicit_bins.as_ref(), pkg.autobins, is_2015) {
        if files.contains("src/main.rs") {
            inferred_bins.push((package_name.to_string(), "src/main.rs".to_string()));
        }
        inferred_bins.extend(infer_in(files, "src/bin"));
    }
    let bins = with_inferred(explicit_bins.as_ref(), &inferred_bins, pkg.autobins, is_2015);
    unique_names(&bins, "binary")?;
    for b in bins {
        let name = b.name.clone().ok_or("a [[bin]] has no `name`")?;
        let path = target_path(&b, &name, &inferred_bins, files, is_2015, |n| {
            [format!("src/{n}.rs"), "src/main.rs".to_string(), "src/bin/main.rs".to_string()].into_iter().collect()
        })
        .ok_or_else(|| format!("can't find the source of bin `{name}`; set its `path`"))?;
        targets.push(make(TargetKind::Bin, name, path, vec!["bin".into()], &b, edition));
    }

    // examples, tests, benches
    for (kind, dir, explicit, auto) in [
        (TargetKind::Example, "examples", &raw.example, pkg.autoexamples),
        (TargetKind::Test, "tests", &raw.test, pkg.autotests),
        (TargetKind::Bench, "benches", &raw.bench, pkg.autobenches),
    ] {
        let inferred = if infers(explicit.as_ref(), auto, is_2015) { infer_in(files, dir) } else { Vec::new() };
        let all = with_inferred(explicit.as_ref(), &inferred, auto, is_2015);
        unique_names(&all, kind.as_str())?;
        for t in all {
            let name = t.name.clone().ok_or_else(|| format!("a [[{}]] has no `name`", kind.as_str()))?;
            let path = target_path(&t, &name, &inferred, files, is_2015, |n| [format!("{dir}/{n}.rs")].into_iter().collect())
                .ok_or_else(|| format!("can't find the source of {} `{name}`; set its `path`", kind.as_str()))?;
            let crate_types = match (kind, &t.crate_type) {
                (TargetKind::Example, Some(ct)) if !ct.is_empty() => ct.clone(),
                _ => vec!["bin".into()],
            };
            targets.push(make(kind, name, path, crate_types, &t, edition));
        }
    }

    // build script
    let build = match &pkg.build {
        None | Some(StringOrBool::Bool(true)) => files.contains("build.rs").then(|| "build.rs".to_string()),
        Some(StringOrBool::Bool(false)) => None,
        Some(StringOrBool::String(p)) => Some(clean(p)),
    };
    if let Some(path) = build {
        // Cargo names the target after the script's file: `build.rs` → `build-script-build`.
        let stem = Path::new(&path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "build".into());
        targets.push(Target {
            kind: TargetKind::CustomBuild,
            name: format!("build-script-{stem}"),
            path,
            crate_types: vec!["bin".into()],
            edition: edition.to_string(),
            required_features: None,
            tested: false,
            benched: false,
            doctested: false,
            documented: false,
            harness: true,
        });
    }
    Ok(targets)
}

/// Cargo refuses two targets of one kind with the same name, explicit or found on disk (the
/// plan keys targets by kind and name).
fn unique_names(targets: &[RawTarget], what: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    for name in targets.iter().filter_map(|t| t.name.as_deref()) {
        if !seen.insert(name) {
            return Err(format!("found duplicate {what} name {name}, but all {what} targets must have a unique name; rename one of them"));
        }
    }
    Ok(())
}

fn clean(p: &str) -> String {
    let p = p.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// Whether discovery needs the targets inferred from files: they are added (`auto`, which is
/// off by default in edition 2015 next to explicit targets), or an explicit target without a
/// `path` is looked up among them.
fn infers(explicit: Option<&Vec<RawTarget>>, auto: Option<bool>, is_2015: bool) -> bool {
    match explicit {
        None => auto != Some(false),
        Some(targets) => auto.unwrap_or(!is_2015) || targets.iter().any(|t| t.path.is_none()),
    }
}

/// Explicit targets plus the inferred ones whose name and path are both new, as cargo merges
/// them (`auto*` unset in edition 2015 with explicit targets means no discovery).
fn with_inferred(explicit: Option<&Vec<RawTarget>>, inferred: &[(String, String)], auto: Option<bool>, is_2015: bool) -> Vec<RawTarget> {
    let as_raw = |(name, path): &(String, String)| RawTarget { name: Some(name.clone()), path: Some(path.clone()), ..Default::default() };
    match explicit {
        None => {
            if auto == Some(false) {
                Vec::new()
            } else {
                inferred.iter().map(as_raw).collect()
            }
        }
        Some(targets) => {
            let names: HashSet<Option<String>> = targets.iter().map(|t| t.name.clone()).collect();
            let paths: HashSet<Option<String>> = targets.iter().map(|t| t.path.as_deref().map(clean)).collect();
            let rest: Vec<RawTarget> = inferred
                .iter()
                .filter(|(n, p)| !names.contains(&Some(n.clone())) && !paths.contains(&Some(p.clone())))
                .map(as_raw)
                .collect();
            let mut all = targets.clone();
            if auto.unwrap_or(!is_2015) {
                all.extend(rest);
            }
            all
        }
    }
}

fn target_path(
    t: &RawTarget,
    name: &str,
    inferred: &[(String, String)],
    files: &dyn PackageFiles,
    is_2015: bool,
    legacy: impl Fn(&str) -> Vec<String>,
) -> Option<String> {
    if let Some(p) = &t.path {
        return Some(clean(p));
    }
    let mut matching = inferred.iter().filter(|(n, _)| n == name);
    match (matching.next(), matching.next()) {
        (Some((_, p)), None) => Some(p.clone()),
        (None, None) if is_2015 => legacy(name).into_iter().find(|p| files.contains(p)),
        _ => None,
    }
}

fn make(kind: TargetKind, name: String, path: String, crate_types: Vec<String>, t: &RawTarget, edition: &str) -> Target {
    let (tested, benched) = match kind {
        TargetKind::Lib | TargetKind::Bin => (true, true),
        TargetKind::Test => (true, false),
        TargetKind::Bench => (false, true),
        TargetKind::Example | TargetKind::CustomBuild => (false, false),
    };
    Target {
        kind,
        name,
        path,
        crate_types,
        edition: t.edition.clone().unwrap_or_else(|| edition.to_string()),
        required_features: t.required_features.clone(),
        tested: t.test.unwrap_or(tested),
        benched: t.bench.unwrap_or(benched),
        doctested: kind == TargetKind::Lib && t.doctest.unwrap_or(true),
        documented: t.doc.unwrap_or(matches!(kind, TargetKind::Lib | TargetKind::Bin)),
        harness: t.harness.unwrap_or(true),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::schema::parse_raw;

    fn targets(toml: &str, files: &[&str]) -> Vec<(String, String, String)> {
        let raw = parse_raw(toml, Path::new("Cargo.toml")).unwrap();
        let pkg = raw.package.clone().unwrap();
        let files: BTreeSet<String> = files.iter().map(|s| s.to_string()).collect();
        let edition = match &pkg.edition {
            Some(crate::manifest::schema::Inheritable::Value(e)) => e.clone(),
            _ => "2015".into(),
        };
        discover(&raw, &pkg, "p", &edition, &files).unwrap().into_iter().map(|t| (t.key(), t.path, t.crate_types.join(","))).collect()
    }

    #[test]
    fn discovers_lib_bins_and_build_script() {
        let t = targets("[package]\nname='p'\nedition='2021'\n", &["src/lib.rs", "src/main.rs", "src/bin/a.rs", "src/bin/b/main.rs", "build.rs"]);
        let keys: Vec<_> = t.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(keys, ["lib:p", "bin:p", "bin:a", "bin:b", "custom-build:build-script-build"]);
    }

    /// As cargo: two bins (or tests, …) of one name are refused, whether both were found on disk
    /// or both are explicit; an explicit target hides the one found on disk with its name.
    #[test]
    fn duplicate_target_names_are_refused() {
        let discovered = |toml: &str, files: &[&str]| {
            let raw = parse_raw(toml, Path::new("Cargo.toml")).unwrap();
            let pkg = raw.package.clone().unwrap();
            discover(&raw, &pkg, "p", "2021", &files.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>()).map(|t| t.len())
        };
        let p = "[package]\nname='p'\nedition='2021'\n";
        let err = discovered(p, &["src/main.rs", "src/bin/p.rs"]).unwrap_err();
        assert_eq!(err, "found duplicate binary name p, but all binary targets must have a unique name; rename one of them");
        assert!(discovered(p, &["src/bin/q.rs", "src/bin/q/main.rs"]).unwrap_err().contains("duplicate binary name q"));
        let two_tests = format!("{p}[[test]]\nname='t'\npath='tests/a.rs'\n[[test]]\nname='t'\npath='tests/b.rs'\n");
        assert!(discovered(&two_tests, &["tests/a.rs", "tests/b.rs"]).unwrap_err().starts_with("found duplicate test name t"));
        let explicit = format!("{p}[[bin]]\nname='p'\npath='src/main.rs'\n");
        assert_eq!(discovered(&explicit, &["src/main.rs", "src/bin/p.rs"]), Ok(1));
    }

    #[test]
    fn explicit_bins_in_2015_stop_discovery() {
        let t = targets("[package]\nname='p'\n[[bin]]\nname='x'\npath='src/x.rs'\n", &["src/main.rs", "src/x.rs"]);
        assert_eq!(t, [("bin:x".to_string(), "src/x.rs".to_string(), "bin".to_string())]);
    }

    #[test]
    fn autobins_false_and_proc_macro() {
        let t = targets("[package]\nname='p'\nedition='2018'\nautobins=false\n[lib]\nproc-macro=true\n", &["src/lib.rs", "src/main.rs"]);
        assert_eq!(t, [("lib:p".to_string(), "src/lib.rs".to_string(), "proc-macro".to_string())]);
    }
}
