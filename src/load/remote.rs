//! The manifests of the registry and git packages of Cargo.lock: each found in the source index,
//! read and normalized, all of them on all cores and before matching, which then touches no file.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::load::lockfile::{LockedPackage, Lockfile};
use crate::load::sources::Sources;
use crate::manifest::{self, Inheritance, Package};

/// Where a package's files are.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    /// A path package: its directory.
    Path(PathBuf),
    /// A registry package (files in its `.crate`).
    Registry,
    /// A git package: its directory inside the checkout.
    Git { subdir: String },
}

/// A registry or git package of the lock, read.
pub struct Remote {
    /// Its entry in `Lockfile::packages`.
    pub(crate) lock_index: usize,
    pub(crate) package: Package,
    pub(crate) location: Location,
}

/// A lock entry's package, or why it could not be read.
pub(crate) type Loaded = Result<Remote>;

/// Reads the package of every registry and git lock entry, by lock index (`None` for path
/// entries). An error stays with its entry: it is reported only if the graph reaches the entry.
pub fn load_all(lock: &Lockfile, sources: &Sources) -> Vec<Option<Loaded>> {
    let wanted: Vec<usize> = (0..lock.packages.len()).filter(|&i| !lock.packages[i].source.is_path()).collect();
    let loaded = crate::parallel::map(&wanted, |&i| load(i, &lock.packages[i], sources));
    let mut packages: Vec<Option<Loaded>> = (0..lock.packages.len()).map(|_| None).collect();
    for (i, l) in wanted.into_iter().zip(loaded) {
        packages[i] = Some(l);
    }
    packages
}

/// Reads the manifest of a registry or git package.
fn load(lock_index: usize, locked: &LockedPackage, sources: &Sources) -> Result<Remote> {
    let found = sources.find(locked)?;
    let raw = &found.raw;
    let ws_raw = found.git_workspace.as_ref();
    let root_dir = ws_raw.map(|(p, _)| p.parent().unwrap_or(Path::new("/")).to_path_buf());
    let inheritance = match (ws_raw, &root_dir) {
        (Some((path, raw)), Some(dir)) => raw.workspace.as_ref().map(|w| Inheritance { root_dir: dir, root_manifest: path, package: w.package.as_ref(), dependencies: &w.dependencies, lints: w.lints.as_ref() }),
        _ => None,
    };
    let package = manifest::normalize(raw, &found.manifest_path, &found.files, inheritance.as_ref())?;
    let location = match found.git_subdir {
        Some(subdir) => Location::Git { subdir },
        None => Location::Registry,
    };
    Ok(Remote { lock_index, package, location })
}
