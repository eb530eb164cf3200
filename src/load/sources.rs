//! Finding the manifest of every locked package that is not a path package: in `cargo vendor`
//! directories, directories of `.crate` archives, cargo's own caches under `$CARGO_HOME`, and git
//! checkouts. Nothing is unpacked to disk: a `.crate`'s `Cargo.toml` and file names are read out
//! of the gzip'd tar in memory (`crate_archive`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::digest::sha256_file;
use crate::load::lockfile::LockedPackage;
use crate::load::lookups::FileSet;
use crate::manifest::{self, RawManifest};
use crate::source_id::SourceKind;

/// A package's manifest, as found.
pub(crate) struct Found {
    /// Where it was read from (for messages): a file, or `archive.crate/Cargo.toml`.
    pub(crate) manifest_path: PathBuf,
    pub(crate) raw: RawManifest,
    pub(crate) files: FileSet,
    /// For git packages: the package's directory inside the checkout (`""` at its root), and the
    /// workspace root manifest it inherits from, if any.
    pub(crate) git_subdir: Option<String>,
    pub(crate) git_workspace: Option<(PathBuf, RawManifest)>,
}

/// An index of the source directories, built once by listing them.
#[derive(Default)]
pub struct Sources {
    /// `name-version` → `.crate` files.
    crate_files: BTreeMap<String, Vec<PathBuf>>,
    /// `name-version` or `name` → unpacked package directories (vendor, registry `src/`).
    dirs: BTreeMap<String, Vec<PathBuf>>,
    /// Git checkouts: (revision or its prefix, directory).
    git: Vec<(String, PathBuf)>,
    /// The directories searched, for messages.
    searched: Vec<PathBuf>,
}

impl Sources {
    /// Indexes `dirs`; with none, indexes cargo's caches under `$CARGO_HOME` (or `~/.cargo`).
    pub fn new(dirs: &[PathBuf]) -> Result<Sources> {
        let mut sources = Sources::default();
        if dirs.is_empty() {
            if let Some(home) = cargo_home() {
                sources.add_cargo_home(&home);
                sources.searched.push(home);
            }
        } else {
            for dir in dirs {
                if !dir.is_dir() {
                    return Err(Error::in_file(dir, "--sources: not a directory"));
                }
                sources.add_dir(dir);
                sources.add_cargo_home(dir);
                sources.searched.push(dir.clone());
            }
        }
        for list in sources.crate_files.values_mut().chain(sources.dirs.values_mut()) {
            list.sort();
            list.dedup();
        }
        sources.git.sort();
        Ok(sources)
    }

    fn add_cargo_home(&mut self, home: &Path) {
        for registry in list(&home.join("registry/src")) {
            self.add_dir(&registry);
        }
        for registry in list(&home.join("registry/cache")) {
            self.add_dir(&registry);
        }
        for repo in list(&home.join("git/checkouts")) {
            for rev in list(&repo) {
                if let Some(name) = file_name(&rev) {
                    self.git.push((name, rev));
                }
            }
        }
    }

    /// One directory: `.crate` files, package directories, and git checkouts named by revision.
    /// Listed without a `stat` per entry: whether a directory holds a package is found out when
    /// its manifest is read (`read_dir_package`).
    fn add_dir(&mut self, dir: &Path) {
        let Ok(read) = std::fs::read_dir(dir) else { return };
        for entry in read.flatten() {
            let path = entry.path();
            let Some(name) = file_name(&path) else { continue };
            let is_dir = match entry.file_type() {
                Ok(t) if t.is_symlink() => path.is_dir(),
                Ok(t) => t.is_dir(),
                Err(_) => false,
            };
            if name.len() >= 7 && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) && is_dir {
                self.git.push((name.clone(), path.clone()));
            }
            if let Some(stem) = name.strip_suffix(".crate") {
                self.crate_files.entry(stem.to_string()).or_default().push(path);
            } else if is_dir {
                self.dirs.entry(name).or_default().push(path);
            }
        }
    }

    /// The manifest of a locked registry or git package.
    pub(crate) fn find(&self, pkg: &LockedPackage) -> Result<Found> {
        let key = [pkg.name.as_str(), "-", &crate::manifest::version_string(&pkg.version)].concat();
        if let SourceKind::Git { precise: Some(rev), .. } = &pkg.source.kind {
            for (prefix, dir) in &self.git {
                if rev.starts_with(prefix.as_str())
                    && let Some(found) = find_in_checkout(dir, &pkg.name, &pkg.version.to_string())? {
                        return Ok(found);
                    }
            }
        }
        // Several registries may hold a `name-version`: the lock's checksum tells which.
        let mut dirs: Vec<&PathBuf> = self.dirs.get(&key).into_iter().flatten().collect();
        if let (Some(sum), true) = (&pkg.checksum, dirs.len() > 1)
            && let Some(i) = dirs.iter().position(|d| cached_crate_of(d).is_some_and(|c| sha256_file(&c).ok().as_deref() == Some(sum.as_str())))
        {
            dirs[..=i].rotate_right(1);
        }
        for dir in dirs {
            if let Some(found) = read_dir_package(dir)? {
                return Ok(found);
            }
        }
        for dir in self.dirs.get(&pkg.name).into_iter().flatten() {
            if let Some(found) = read_dir_package(dir)?
                && manifest_version(&found.raw).as_deref() == Some(&pkg.version.to_string())
            {
                return Ok(found);
            }
        }
        let files = self.crate_files.get(&key).map(Vec::as_slice).unwrap_or_default();
        let chosen = match (files, &pkg.checksum) {
            ([], _) => None,
            ([one], _) | ([one, ..], None) => Some(one),
            (many, Some(sum)) => many.iter().find(|f| sha256_file(f).ok().as_deref() == Some(sum.as_str())).or(many.first()),
        };
        if let Some(file) = chosen {
            return read_crate_file(file, &key);
        }
        let searched: Vec<String> = self.searched.iter().map(|p| p.display().to_string()).collect();
        let fix = match &pkg.source.kind {
            SourceKind::Git { .. } => "run `cargo fetch` (or pass the git checkout with --sources DIR)",
            _ => "run `cargo fetch` (or `cargo vendor` and pass --sources vendor)",
        };
        Err(Error::new(format!(
            "the manifest of package `{} {}` ({}) was not found in {}; {fix}",
            pkg.name,
            pkg.version,
            pkg.source,
            if searched.is_empty() { "any source directory".to_string() } else { searched.join(", ") }
        )))
    }
}

/// For a package unpacked in cargo's `registry/src/<registry>/`, its `.crate` in
/// `registry/cache/<registry>/`.
fn cached_crate_of(dir: &Path) -> Option<PathBuf> {
    let key = dir.file_name()?;
    let registry = dir.parent()?;
    let cache = registry.parent()?.parent()?.join("cache").join(registry.file_name()?);
    Some(cache.join(format!("{}.crate", key.to_string_lossy())))
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// The entries of a directory, sorted; nothing when it cannot be read.
fn list(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    out.sort();
    out
}

fn file_name(p: &Path) -> Option<String> {
    p.file_name().map(|n| n.to_string_lossy().into_owned())
}

fn manifest_version(raw: &RawManifest) -> Option<String> {
    match raw.package.as_ref()?.version.as_ref()? {
        manifest::Inheritable::Value(v) => Some(v.clone()),
        manifest::Inheritable::Workspace => None,
    }
}

/// The package in `dir`, or none when it has no `Cargo.toml`.
fn read_dir_package(dir: &Path) -> Result<Option<Found>> {
    let manifest_path = dir.join("Cargo.toml");
    let text = match read_small_file(&manifest_path) {
        Ok(bytes) => manifest::parse::utf8(bytes, &manifest_path, manifest::parse::SAVE_AS_UTF8)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&manifest_path, e)),
    };
    let raw = manifest::parse_raw(&text, &manifest_path)?;
    Ok(Some(Found { manifest_path, raw, files: FileSet::from_dir(dir), git_subdir: None, git_workspace: None }))
}

/// A small text file (a manifest), read without first asking its size as `fs::read_to_string`
/// does: one system call fewer for each of a thousand manifests.
fn read_small_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(16 * 1024);
    // Through `Take`, `read_to_end` has no size hint to ask for: it reads into the spare capacity.
    std::fs::File::open(path)?.take(u64::MAX).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads `Cargo.toml` out of a `.crate` (a gzip'd tar of `NAME-VERSION/…`); its file names are
/// read only if target discovery asks for them.
pub(crate) fn read_crate_file(path: &Path, top: &str) -> Result<Found> {
    let (text, files) = crate::load::crate_archive::read_manifest(path, top)?;
    let manifest_path = path.join("Cargo.toml");
    let raw = manifest::parse_raw(&text, &manifest_path)?;
    let files = match files {
        Some(names) => FileSet::from_paths(names),
        None => FileSet::from_crate(path, top),
    };
    Ok(Found { manifest_path, raw, files, git_subdir: None, git_workspace: None })
}

/// Finds the package `name` at `version` inside a git checkout, as cargo does: every `Cargo.toml`
/// of the repository is a candidate (one repository may hold several versions of a name); the
/// nearest enclosing `[workspace]` gives its inheritance.
fn find_in_checkout(checkout: &Path, name: &str, version: &str) -> Result<Option<Found>> {
    let mut manifests = Vec::new();
    walk_manifests(checkout, &mut manifests, 0);
    manifests.sort();
    for manifest_path in manifests {
        let bytes = std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        let text = manifest::parse::utf8(bytes, &manifest_path, manifest::parse::SAVE_AS_UTF8)?;
        let Ok(raw) = manifest::parse_raw(&text, &manifest_path) else { continue };
        if raw.package.as_ref().and_then(|p| p.name.as_deref()) != Some(name) {
            continue;
        }
        let dir = manifest_path.parent().unwrap_or(checkout).to_path_buf();
        let subdir = dir.strip_prefix(checkout).unwrap_or(Path::new("")).to_string_lossy().replace('\\', "/");
        let mut workspace = None;
        if raw.workspace.is_some() {
            workspace = Some((manifest_path.clone(), raw.clone()));
        } else {
            let mut up = dir.parent();
            while let Some(d) = up {
                if !d.starts_with(checkout) {
                    break;
                }
                let candidate = d.join("Cargo.toml");
                if let Ok(t) = std::fs::read_to_string(&candidate)
                    && let Ok(r) = manifest::parse_raw(&t, &candidate)
                        && r.workspace.is_some() {
                            workspace = Some((candidate, r));
                            break;
                        }
                up = d.parent();
            }
        }
        let declared = match raw.package.as_ref().and_then(|p| p.version.clone()) {
            Some(manifest::Inheritable::Value(v)) => Some(v),
            Some(manifest::Inheritable::Workspace) => workspace
                .as_ref()
                .and_then(|(_, w)| w.workspace.as_ref()?.package.as_ref()?.version.clone())
                .and_then(|v| match v {
                    manifest::Inheritable::Value(v) => Some(v),
                    manifest::Inheritable::Workspace => None,
                }),
            None => Some("0.0.0".to_string()),
        };
        if declared.as_deref() != Some(version) {
            continue;
        }
        return Ok(Some(Found { manifest_path, raw, files: FileSet::from_dir(&dir), git_subdir: Some(subdir), git_workspace: workspace }));
    }
    Ok(None)
}

fn walk_manifests(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    for entry in list(dir) {
        let name = file_name(&entry).unwrap_or_default();
        if entry.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk_manifests(&entry, out, depth + 1);
            }
        } else if name == "Cargo.toml" {
            out.push(entry);
        }
    }
}
