//! The workspace: its root, members, default members, resolver, and every path package reachable
//! from it (members, their path dependencies, `[patch]`/`[replace]` paths).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};


use crate::error::{Error, Result};
use crate::load::config::{Config, CONFIG_PATHS};
use crate::load::lookups::FileSet;
use crate::load::lookups::{self, Lookups};
use crate::manifest::{self, DepSource, Inheritance, Package, RawManifest};

/// How cargo resolves features; 3 behaves as 2 once a lockfile exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveBehavior {
    V1,
    V2,
    V3,
}

impl ResolveBehavior {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ResolveBehavior::V1 => "1",
            ResolveBehavior::V2 => "2",
            ResolveBehavior::V3 => "3",
        }
    }
}

/// Where the file names of path packages come from: the disk, or a listing (the Nix side gives
/// the generator manifests only, plus the names of all files).
pub enum FileNames {
    Disk,
    /// Paths relative to the workspace root (`../shared/src/lib.rs` for a path package outside it).
    Listing(BTreeSet<String>),
}

impl FileNames {
    /// The names of `--file-list FILE` (a JSON array of paths relative to the workspace root), or
    /// the disk without one.
    pub(crate) fn read(file_list: Option<&Path>) -> Result<FileNames> {
        let Some(path) = file_list else { return Ok(FileNames::Disk) };
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let list: BTreeSet<String> = serde_json::from_str(&text)
            .map_err(|e| Error::in_file(path, format!("expected a JSON array of file names ({e})")))?;
        Ok(FileNames::Listing(list))
    }
}

pub struct Workspace {
    pub root_dir: PathBuf,
    /// Directories of the members, sorted.
    pub(crate) members: Vec<PathBuf>,
    pub(crate) default_members: Vec<PathBuf>,
    /// The directory of the package `--manifest-path` names, if it names a package.
    pub(crate) current: Option<PathBuf>,
    pub resolver: ResolveBehavior,
    /// Every path package, by directory.
    pub(crate) path_packages: BTreeMap<PathBuf, Package>,
    /// The root manifest's `[profile.*]` tables (cargo reads no other manifest's).
    pub(crate) profiles: BTreeMap<String, manifest::profile::RawProfile>,
    /// The workspace's `.cargo/config.toml`.
    pub config: Config,
    /// What target discovery and the `members` globs looked at inside the root (for the plan's
    /// staleness check), relative to the root.
    pub(crate) lookups: Lookups,
    /// Every manifest read from the workspace, with its sha256 (for the plan's staleness check).
    pub(crate) manifests: BTreeMap<PathBuf, String>,
}

struct Loader<'a> {
    file_names: &'a FileNames,
    root_dir: PathBuf,
    raws: BTreeMap<PathBuf, RawManifest>,
    /// The sha256 of each manifest read.
    sha256: BTreeMap<PathBuf, String>,
}

impl Loader<'_> {
    fn raw(&mut self, manifest_path: &Path) -> Result<&RawManifest> {
        if !self.raws.contains_key(manifest_path) {
            let bytes = std::fs::read(manifest_path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Error::in_file(manifest_path, "manifest not found; check the `path` of the dependency or workspace member that points here")
                } else {
                    Error::io(manifest_path, e)
                }
            })?;
            let text = manifest::parse::utf8(bytes, manifest_path, manifest::parse::SAVE_AS_UTF8)?;
            let raw = manifest::parse_raw(&text, manifest_path)?;
            self.raws.insert(manifest_path.to_path_buf(), raw);
            self.sha256.insert(manifest_path.to_path_buf(), crate::load::digest::sha256_hex(text.as_bytes()));
        }
        Ok(&self.raws[manifest_path])
    }

    fn files(&self, dir: &Path) -> FileSet {
        match self.file_names {
            FileNames::Disk => FileSet::from_dir(dir),
            FileNames::Listing(all) => {
                let rel = relative_path(&self.root_dir, dir);
                let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
                FileSet::from_paths(all.iter().filter_map(|p| p.strip_prefix(&prefix).map(str::to_string)))
            }
        }
    }
}

impl Workspace {
    /// Loads the workspace that `manifest_path` belongs to.
    pub fn load(manifest_path: &Path, file_names: &FileNames) -> Result<Workspace> {
        let manifest_path = std::fs::canonicalize(manifest_path).map_err(|e| {
            Error::in_file(manifest_path, format!("cannot open the manifest ({e}); pass the workspace's Cargo.toml with --manifest-path"))
        })?;
        let start_dir = manifest_path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut loader = Loader { file_names, root_dir: start_dir.clone(), raws: BTreeMap::new(), sha256: BTreeMap::new() };
        let start = loader.raw(&manifest_path)?;
        let current = start.package.is_some().then(|| start_dir.clone());

        // Find the root: this manifest, `package.workspace`, or the nearest ancestor whose
        // [workspace] lists this package.
        let mut root_manifest = manifest_path.clone();
        let mut explicit = start.workspace.is_some();
        if !explicit {
            let pointed = start.package.as_ref().and_then(|p| p.workspace.clone());
            if let Some(ws) = pointed {
                root_manifest = manifest::normalize_path(&start_dir.join(ws).join("Cargo.toml"));
                explicit = true;
            } else {
                let mut up = start_dir.parent();
                while let Some(dir) = up {
                    let candidate = dir.join("Cargo.toml");
                    if candidate.is_file() {
                        let raw = loader.raw(&candidate)?;
                        // The first enclosing [workspace] is the root, unless it excludes us
                        // (and does not list us among its members).
                        if let Some(ws) = &raw.workspace {
                            let excluded = ws.exclude.iter().any(|e| start_dir.starts_with(dir.join(e)));
                            let listed = ws.members.iter().any(|m| start_dir.starts_with(dir.join(m)));
                            if listed || !excluded {
                                root_manifest = candidate;
                                explicit = true;
                                break;
                            }
                        }
                    }
                    up = dir.parent();
                }
            }
        }
        let root_dir = root_manifest.parent().unwrap_or(Path::new("/")).to_path_buf();
        loader.root_dir = root_dir.clone();
        let root_raw = loader.raw(&root_manifest)?;
        let ws_config = if explicit {
            Some(root_raw.workspace.clone().ok_or_else(|| Error::in_file(&root_manifest, "expected a [workspace] table here (named by `package.workspace`)"))?)
        } else {
            None
        };
        let resolver = resolver_of(root_raw, &root_manifest)?;
        let root_is_package = root_raw.package.is_some();

        // Members named by the root.
        let mut lookups = Lookups::default();
        let mut member_dirs: BTreeSet<PathBuf> = BTreeSet::new();
        if root_is_package {
            member_dirs.insert(root_dir.clone());
        }
        // `exclude` removes what a glob brought in, but not a member listed by its path.
        let exclude: Vec<PathBuf> = ws_config.iter().flat_map(|w| w.exclude.iter().map(|e| manifest::normalize_path(&root_dir.join(e)))).collect();
        if let Some(ws) = &ws_config {
            let listed = |dir: &Path| ws.members.iter().any(|m| dir.starts_with(manifest::normalize_path(&root_dir.join(m))));
            for m in expand_members(&root_dir, &ws.members, &mut lookups) {
                if listed(&m) || !exclude.iter().any(|e| m.starts_with(e)) {
                    member_dirs.insert(m);
                }
            }
        }

        // Load every path package reachable from the members; path dependencies inside the root
        // directory (and not excluded) are members too.
        let mut path_packages = BTreeMap::new();
        let mut queue: Vec<PathBuf> = member_dirs.iter().cloned().chain(current.clone()).collect();
        if !explicit {
            member_dirs.extend(current.clone());
        }
        for dep in manifest::override_dependencies(loader.raw(&root_manifest)?, &root_manifest)? {
            if let DepSource::Path(p) = dep.source {
                queue.push(p);
            }
        }
        let mut manifests = BTreeMap::new();
        manifests.insert(root_manifest.clone(), loader.sha256[&root_manifest].clone());
        while let Some(dir) = queue.pop() {
            if path_packages.contains_key(&dir) {
                continue;
            }
            let mp = dir.join("Cargo.toml");
            let raw = loader.raw(&mp)?;
            if raw.package.is_none() {
                if dir == root_dir {
                    continue;
                }
                return Err(Error::in_file(&mp, "has no [package] section, but a workspace member or path dependency points here"));
            }
            let files = loader.files(&dir);
            // A package inherits from the workspace it belongs to: ours when it is inside our
            // root, else the nearest enclosing [workspace] of its own (a path dependency
            // elsewhere on disk).
            let inherit_from = if explicit && dir.starts_with(&root_dir) {
                Some(root_manifest.clone())
            } else {
                own_workspace_root(&mut loader, &dir)?
            };
            let raw = loader.raws.get(&mp).expect("loaded above");
            let inheritance = inherit_from.as_ref().and_then(|wm| {
                let ws = loader.raws[wm].workspace.as_ref()?;
                Some(Inheritance {
                    root_dir: wm.parent().unwrap_or(Path::new("/")),
                    root_manifest: wm,
                    package: ws.package.as_ref(),
                    dependencies: &ws.dependencies,
                    lints: ws.lints.as_ref(),
                })
            });
            let package = manifest::normalize(raw, &mp, &files, inheritance.as_ref())?;
            for dep in &package.dependencies {
                if let DepSource::Path(p) = &dep.source {
                    queue.push(p.clone());
                }
            }
            manifests.insert(mp.clone(), loader.sha256[&mp].clone());
            // Outside the root too (`../shared`): a file added there changes its targets as well.
            lookups.extend_under(&relative_path(&root_dir, &dir), files.take_lookups());
            path_packages.insert(dir, package);
        }

        // Path dependencies of members inside the root directory (and not excluded) are members.
        if explicit {
            let mut stack: Vec<PathBuf> = member_dirs.iter().cloned().collect();
            while let Some(dir) = stack.pop() {
                let Some(p) = path_packages.get(&dir) else { continue };
                for dep in &p.dependencies {
                    if let DepSource::Path(d) = &dep.source
                        && d.starts_with(&root_dir) && !exclude.iter().any(|e| d.starts_with(e)) && member_dirs.insert(d.clone()) {
                            stack.push(d.clone());
                        }
                }
            }
        }
        let members: Vec<PathBuf> = member_dirs.into_iter().filter(|d| path_packages.contains_key(d)).collect();
        check_members(&members, &path_packages, &loader, &root_manifest)?;
        if let Some(c) = &current
            && !members.contains(c) {
                return Err(Error::in_file(
                    &manifest_path,
                    format!(
                        "this package believes it is in the workspace at {}, which does not list it; add it to `members` there, or to `exclude` to keep it out",
                        root_manifest.display()
                    ),
                ));
            }
        let default_members = match (&ws_config, &current) {
            (Some(ws), _) if manifest_path == root_manifest && ws.default_members.is_some() => {
                let list = expand_members(&root_dir, ws.default_members.as_deref().unwrap_or_default(), &mut lookups);
                for d in &list {
                    if !members.contains(d) {
                        return Err(Error::in_file(&root_manifest, format!("default member `{}` is not a workspace member", d.display())));
                    }
                }
                list.into_iter().collect()
            }
            (_, Some(c)) => vec![c.clone()],
            (_, None) => members.clone(),
        };
        let profiles = loader.raws[&root_manifest].profile.clone();
        let config = Config::load(&root_dir)?;
        for rel in CONFIG_PATHS {
            lookups.probes.insert(rel.to_string(), lookups::probe(&root_dir.join(rel)));
        }
        Ok(Workspace { root_dir, members, default_members, current, resolver, path_packages, manifests, profiles, config, lookups })
    }

    /// The member package in `dir`.
    pub(crate) fn package(&self, dir: &Path) -> &Package {
        &self.path_packages[dir]
    }

    /// A path relative to the workspace root, `/`-separated (`.` for the root).
    pub(crate) fn relative(&self, path: &Path) -> String {
        let rel = relative_path(&self.root_dir, path);
        if rel.is_empty() { ".".to_string() } else { rel }
    }
}

/// What cargo requires of a workspace's members: unique package names, one `[workspace]` (the
/// root's), and a place at or below the root's directory.
fn check_members(members: &[PathBuf], packages: &BTreeMap<PathBuf, Package>, loader: &Loader<'_>, root_manifest: &Path) -> Result<()> {
    let root_dir = root_manifest.parent().unwrap_or(Path::new("/"));
    let mut by_name: BTreeMap<&str, &Path> = BTreeMap::new();
    for dir in members {
        let manifest = dir.join("Cargo.toml");
        if !dir.starts_with(root_dir) {
            return Err(Error::in_file(root_manifest, format!("workspace member {} is not inside the workspace root's directory; move it below it, or make it a path dependency instead of a member", manifest.display())));
        }
        if manifest != root_manifest && loader.raws.get(&manifest).is_some_and(|raw| raw.workspace.is_some()) {
            return Err(Error::in_file(&manifest, format!("has a [workspace] table, but it is a member of the workspace at {}; a workspace has one root: remove this [workspace], or add the package to `exclude` there", root_manifest.display())));
        }
        let name = packages[dir].name.as_str();
        if let Some(other) = by_name.insert(name, dir) {
            return Err(Error::in_file(root_manifest, format!("two workspace members are named `{name}` ({} and {}); rename one", other.join("Cargo.toml").display(), manifest.display())));
        }
    }
    Ok(())
}

/// The manifest of the nearest `[workspace]` at or above `dir` (for a package outside ours).
fn own_workspace_root(loader: &mut Loader<'_>, dir: &Path) -> Result<Option<PathBuf>> {
    let mut up = Some(dir);
    while let Some(d) = up {
        let candidate = d.join("Cargo.toml");
        if candidate.is_file() && loader.raw(&candidate)?.workspace.is_some() {
            return Ok(Some(candidate));
        }
        up = d.parent();
    }
    Ok(None)
}

/// `path` relative to `root`, `/`-separated: `""` for the root itself, `../` first outside it.
fn relative_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => manifest::relative_outside(root, path),
    }
}


fn resolver_of(root: &RawManifest, path: &Path) -> Result<ResolveBehavior> {
    let from_ws = root.workspace.as_ref().and_then(|w| w.resolver.clone());
    let from_pkg = root.package.as_ref().and_then(|p| p.resolver.clone());
    let chosen = match (from_ws, from_pkg) {
        (Some(_), Some(_)) => return Err(Error::in_file(path, "`resolver` is set in both [package] and [workspace]; keep one")),
        (Some(r), None) | (None, Some(r)) => Some(r),
        (None, None) => None,
    };
    Ok(match chosen.as_deref() {
        Some("1") => ResolveBehavior::V1,
        Some("2") => ResolveBehavior::V2,
        Some("3") => ResolveBehavior::V3,
        Some(other) => return Err(Error::in_file(path, format!("unknown resolver `{other}`; use \"1\", \"2\" or \"3\""))),
        None => {
            let edition = root.package.as_ref().and_then(|p| p.edition.clone());
            match edition {
                Some(manifest::Inheritable::Value(e)) if e == "2021" => ResolveBehavior::V2,
                Some(manifest::Inheritable::Value(e)) if e == "2024" => ResolveBehavior::V3,
                Some(manifest::Inheritable::Workspace) => {
                    match root.workspace.as_ref().and_then(|w| w.package.as_ref()).and_then(|p| p.edition.clone()) {
                        Some(manifest::Inheritable::Value(e)) if e == "2021" => ResolveBehavior::V2,
                        Some(manifest::Inheritable::Value(e)) if e == "2024" => ResolveBehavior::V3,
                        _ => ResolveBehavior::V1,
                    }
                }
                _ => ResolveBehavior::V1,
            }
        }
    })
}

/// Expands `members` entries (paths with `*` and `?` in any segment) to directories holding a
/// Cargo.toml, recording in `seen` (relative to `root`) each directory a glob listed and each
/// `Cargo.toml` looked for.
fn expand_members(root: &Path, patterns: &[String], seen: &mut Lookups) -> BTreeSet<PathBuf> {
    let relative = |p: &Path| p.strip_prefix(root).ok().map(|r| r.to_string_lossy().replace('\\', "/"));
    let mut out = BTreeSet::new();
    for pattern in patterns {
        let mut current = vec![root.to_path_buf()];
        for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
            let mut next = Vec::new();
            for dir in &current {
                if segment.contains(['*', '?', '[']) {
                    let entries = lookups::entries(dir);
                    for e in entries.iter().filter(|e| e.is_dir) {
                        if glob_match(segment, &e.name) {
                            next.push(dir.join(&e.name));
                        }
                    }
                    if let Some(rel) = relative(dir) {
                        seen.listings.insert(if rel.is_empty() { ".".to_string() } else { rel }, entries.iter().map(lookups::Entry::recorded).collect());
                    }
                } else if segment == ".." {
                    next.push(dir.parent().unwrap_or(dir).to_path_buf());
                } else {
                    next.push(dir.join(segment));
                }
            }
            current = next;
        }
        for dir in current {
            let manifest = dir.join("Cargo.toml");
            if manifest.is_file() {
                out.insert(manifest::normalize_path(&dir));
            }
            if pattern.contains(['*', '?', '['])
                && let Some(rel) = relative(&manifest::normalize_path(&manifest))
            {
                seen.probes.insert(rel, lookups::probe(&manifest));
            }
        }
    }
    out
}

/// Shell-style matching of one path segment: `*` any run, `?` one character.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*", "abc"));
        assert!(glob_match("crate-?", "crate-a"));
        assert!(!glob_match("a*", "ba"));
    }
}
