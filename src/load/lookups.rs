//! What the generator looked at on disk besides file contents: each path whose presence it asked
//! about (target discovery's `src/lib.rs`, `build.rs`, a glob member's `Cargo.toml` …) and each
//! directory it listed (`src/bin`, `tests`, a `members` glob's directory …). A committed plan
//! records them (docs/plan-schema.md, `inputs.probes` and `inputs.listings`); a plan is current
//! while every probe gives the same answer and every listing the same names. `crateplan check`
//! and the Nix committed mode (lib/load-plan.nix) compare them with the same two operations
//! defined here, so that no discovery rule is written twice.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

/// Probes and listings, by `/`-separated path relative to some directory (a package root while
/// discovering its targets, the workspace root in a plan).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lookups {
    /// Path → whether a file (not a directory) was there.
    pub probes: BTreeMap<String, bool>,
    /// Directory → its entries, as `listing` gives them.
    pub listings: BTreeMap<String, Vec<String>>,
}

impl Lookups {
    /// Adds `other`'s lookups, made relative to `dir` (`""` for the same directory).
    pub fn extend_under(&mut self, dir: &str, other: Lookups) {
        let under = |p: String| if dir.is_empty() { p } else { format!("{dir}/{p}") };
        self.probes.extend(other.probes.into_iter().map(|(p, v)| (under(p), v)));
        self.listings.extend(other.listings.into_iter().map(|(d, v)| (under(d), v)));
    }
}

/// Whether a file is at `path` (a symlink is followed; a dangling one, like a directory, is no
/// file: cargo sees no target there).
pub fn probe(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
}

/// The entries of the directory `dir`, sorted: names, with a trailing `/` for directories
/// (symlinks followed; a dangling one is left out), dotfiles left out (cargo skips them, and
/// editors leave lock files such as `.#main.rs`). Nothing when `dir` is missing or unreadable.
pub fn listing(dir: &Path) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let is_dir = match e.file_type() {
                Ok(t) if t.is_symlink() => std::fs::metadata(e.path()).ok()?.is_dir(),
                Ok(t) => t.is_dir(),
                Err(_) => false,
            };
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    names
}
