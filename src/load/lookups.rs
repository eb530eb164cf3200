//! What the generator looked at on disk besides file contents: each path whose presence it asked
//! about (target discovery's `src/lib.rs`, `build.rs`, a glob member's `Cargo.toml` …) and each
//! directory it listed (`src/bin`, `tests`, a `members` glob's directory …). A committed plan
//! records them (docs/plan-schema.md, `inputs.probes` and `inputs.listings`); a plan is current
//! while every probe gives the same answer and every listing the same names. `crateplan check`
//! and the Nix committed mode (lib/load-plan.nix) compare them with the same two operations
//! defined here, so that no discovery rule is written twice.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::load::crate_archive;
use crate::manifest::targets::PackageFiles;

/// Probes and listings, by `/`-separated path relative to some directory (a package root while
/// discovering its targets, the workspace root in a plan).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Lookups {
    /// Path → whether a file (not a directory) was there.
    pub(crate) probes: BTreeMap<String, bool>,
    /// Directory → its entries, as `listing` gives them.
    pub(crate) listings: BTreeMap<String, Vec<String>>,
}

impl Lookups {
    /// Adds `other`'s lookups, made relative to `dir` (`""` for the same directory).
    pub(crate) fn extend_under(&mut self, dir: &str, other: Lookups) {
        let under = |p: String| if dir.is_empty() { p } else { format!("{dir}/{p}") };
        self.probes.extend(other.probes.into_iter().map(|(p, v)| (under(p), v)));
        self.listings.extend(other.listings.into_iter().map(|(d, v)| (under(d), v)));
    }
}

/// The probe a plan records: whether something other than a directory is at `path` — a symlink
/// counts, wherever it points (Nix's `readDir` tells a symlink, not what it points to).
pub(crate) fn probe(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir())
}

/// The listing a plan records of the directory `dir`: its entries, sorted, dotfiles left out
/// (cargo skips them, and editors leave lock files such as `.#main.rs`), each name with `/` after
/// a directory and `@` after a symlink, as Nix's `readDir` tells them apart. Nothing when `dir` is
/// missing or unreadable.
pub(crate) fn listing(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().map(|e| e.recorded()).collect()
}

/// Whether a file is at `path` as cargo sees it (a symlink followed, a dangling one no file), and
/// `probe`'s answer, from one `lstat` (and a `stat` for a symlink).
fn probe_both(path: &Path) -> (bool, bool) {
    match std::fs::symlink_metadata(path) {
        Err(_) => (false, false),
        Ok(m) if m.is_symlink() => (std::fs::metadata(path).is_ok_and(|m| !m.is_dir()), true),
        Ok(m) => (!m.is_dir(), !m.is_dir()),
    }
}

/// An entry of a directory.
pub(crate) struct Entry {
    pub(crate) name: String,
    is_symlink: bool,
    /// A directory, or a symlink to one.
    pub(crate) is_dir: bool,
    /// A symlink to nothing.
    pub(crate) dangling: bool,
}

impl Entry {
    /// The name as a plan's listing records it (`listing`).
    pub(crate) fn recorded(&self) -> String {
        match (self.is_symlink, self.is_dir) {
            (true, _) => format!("{}@", self.name),
            (false, true) => format!("{}/", self.name),
            (false, false) => self.name.clone(),
        }
    }

    /// The name as target discovery sees it: `/` after a directory (symlinks followed).
    fn discovered(&self) -> String {
        if self.is_dir { format!("{}/", self.name) } else { self.name.clone() }
    }
}

/// The entries of `dir` but dotfiles, sorted by name; none when it is missing or unreadable.
pub(crate) fn entries(dir: &Path) -> Vec<Entry> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut entries: Vec<Entry> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let is_symlink = e.file_type().is_ok_and(|t| t.is_symlink());
            let followed = std::fs::metadata(e.path());
            Some(Entry { name, is_symlink, is_dir: followed.as_ref().is_ok_and(|m| m.is_dir()), dangling: followed.is_err() })
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
}

/// The files of a package, as `/`-separated paths relative to the package root. A directory on
/// disk is never listed whole: discovery asks about single paths (`contains`) and lists the few
/// target directories (`listing`), and every answer is kept (`lookups`) for the plan's staleness
/// check. A `.crate` archive or a given list of names is read once, on first use.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileSet {
    files: OnceCell<BTreeSet<String>>,
    place: Place,
    /// Why the files could not be listed (a damaged archive), for `error`.
    error: OnceCell<String>,
    lookups: RefCell<Lookups>,
}

/// Where a package's files are read from.
#[derive(Debug, Clone, Default)]
enum Place {
    /// Given up front.
    #[default]
    Given,
    Dir(PathBuf),
    /// A `.crate` archive and its top directory (`NAME-VERSION`).
    Archive(PathBuf, String),
}

impl FileSet {
    pub(crate) fn from_paths<I: IntoIterator<Item = String>>(paths: I) -> Self {
        FileSet { files: OnceCell::from(paths.into_iter().collect::<BTreeSet<_>>()), ..Default::default() }
    }

    /// The files of the package directory `root`, looked up on disk as discovery asks.
    pub(crate) fn from_dir(root: &Path) -> Self {
        FileSet { place: Place::Dir(root.to_path_buf()), ..Default::default() }
    }

    /// The files under `top/` in the `.crate` archive at `path`, read on first use.
    pub(crate) fn from_crate(path: &Path, top: &str) -> Self {
        FileSet { place: Place::Archive(path.to_path_buf(), top.to_string()), ..Default::default() }
    }

    fn files(&self) -> &BTreeSet<String> {
        self.files.get_or_init(|| match &self.place {
            Place::Given | Place::Dir(_) => BTreeSet::new(),
            Place::Archive(path, top) => crate_archive::list_files(path, top).unwrap_or_else(|e| {
                let _ = self.error.set(e.to_string());
                BTreeSet::new()
            }),
        })
    }

    /// What was asked of these files so far, handed over (the record starts empty again).
    pub(crate) fn take_lookups(&self) -> Lookups {
        self.lookups.take()
    }
}

impl PackageFiles for FileSet {
    /// Whether a file is at `path` as cargo sees it; `probe`'s answer is kept in `lookups`.
    fn contains(&self, path: &str) -> bool {
        let (found, recorded) = match &self.place {
            Place::Dir(root) => probe_both(&root.join(path)),
            _ => {
                let found = self.files().contains(path);
                (found, found)
            }
        };
        self.lookups.borrow_mut().probes.insert(path.to_string(), recorded);
        found
    }

    /// The entries of the directory `dir` as target discovery sees them (`/` after a directory,
    /// symlinks followed, dangling ones left out); `listing`'s answer is kept in `lookups`.
    fn listing(&self, dir: &str) -> Vec<String> {
        let (names, recorded) = match &self.place {
            Place::Dir(root) => {
                let entries = entries(&root.join(dir));
                (entries.iter().filter(|e| !e.dangling).map(Entry::discovered).collect(), entries.iter().map(Entry::recorded).collect())
            }
            _ => {
                let names = self.files().listing(dir);
                (names.clone(), names)
            }
        };
        self.lookups.borrow_mut().listings.insert(dir.to_string(), recorded);
        names
    }

    fn error(&self) -> Option<&str> {
        self.error.get().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_raw;
    use crate::manifest::targets::discover;

    /// A dangling symlink is no file (cargo does not see a target there either); a symlink to a
    /// file or directory is followed.
    #[cfg(unix)]
    #[test]
    fn dangling_symlinks_are_not_files() {
        let root = std::env::temp_dir().join(format!("crateplan-dangling-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src/bin")).unwrap();
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("src/main.rs"), "").unwrap();
        std::fs::write(root.join("real/tool.rs"), "").unwrap();
        std::os::unix::fs::symlink("nowhere.rs", root.join("src/lib.rs")).unwrap();
        std::os::unix::fs::symlink("../../real/tool.rs", root.join("src/bin/tool.rs")).unwrap();
        std::os::unix::fs::symlink("../../nowhere.rs", root.join("src/bin/gone.rs")).unwrap();
        let files = FileSet::from_dir(&root);
        assert!(!files.contains("src/lib.rs") && files.contains("src/main.rs"));
        assert_eq!(files.listing("src/bin"), ["tool.rs"]);
        // The plan records what Nix's readDir can tell again: the symlinks as such.
        let recorded = files.take_lookups();
        assert_eq!(recorded.probes.get("src/lib.rs"), Some(&true));
        assert_eq!(recorded.listings["src/bin"], ["gone.rs@", "tool.rs@"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Discovery records what it asked, and a directory on disk gives the same answers, and so the
    /// same lookups, as the list of its file names (the Nix side's manifests-only view).
    #[cfg(unix)]
    #[test]
    fn lookups_are_what_discovery_asked_on_disk_and_in_a_listing() {
        let names = [
            "Cargo.toml", "README.md", "build.rs", "src/lib.rs", "src/util.rs", "src/bin/tool.rs", "src/bin/.#tool.rs",
            "src/bin/multi/main.rs", "src/bin/multi/helper.rs", "tests/it.rs", "tests/data.txt", "tests/common/mod.rs",
            "examples/demo/main.rs",
        ];
        let root = std::env::temp_dir().join(format!("crateplan-lookups-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for n in names {
            std::fs::create_dir_all(root.join(n).parent().unwrap()).unwrap();
            std::fs::write(root.join(n), "").unwrap();
        }
        let toml = "[package]\nname='p'\nedition='2021'\n";
        let raw = parse_raw(toml, Path::new("Cargo.toml")).unwrap();
        let pkg = raw.package.clone().unwrap();
        let on_disk = FileSet::from_dir(&root);
        let listed = FileSet::from_paths(names.map(String::from));
        let found = discover(&raw, &pkg, "p", "2021", &on_disk).unwrap();
        assert_eq!(found.len(), discover(&raw, &pkg, "p", "2021", &listed).unwrap().len());
        let lookups = on_disk.take_lookups();
        assert_eq!(lookups, listed.take_lookups());
        let probes: Vec<(&str, bool)> = lookups.probes.iter().map(|(p, f)| (p.as_str(), *f)).collect();
        assert_eq!(
            probes,
            [
                ("build.rs", true), ("examples/demo/main.rs", true), ("src/bin/multi/main.rs", true), ("src/lib.rs", true),
                ("src/main.rs", false), ("tests/common/main.rs", false),
            ]
        );
        let listings: Vec<(&str, Vec<&str>)> = lookups.listings.iter().map(|(d, n)| (d.as_str(), n.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            listings,
            [
                ("benches", vec![]), ("examples", vec!["demo/"]), ("src/bin", vec!["multi/", "tool.rs"]),
                ("tests", vec!["common/", "data.txt", "it.rs"]),
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
