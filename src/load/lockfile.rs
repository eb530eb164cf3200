//! Cargo.lock, formats v1 to v4, parsed into packages with resolved dependency links.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap as FastMap;
use semver::Version;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::manifest::parse;
use crate::source_id::SourceId;

/// One `[[package]]` of Cargo.lock.
#[derive(Debug, Clone)]
pub(crate) struct LockedPackage {
    pub(crate) name: String,
    pub(crate) version: Version,
    pub(crate) source: SourceId,
    /// sha256 of the `.crate` (registry packages).
    pub(crate) checksum: Option<String>,
    /// Indices into [`Lockfile::packages`].
    pub(crate) dependencies: Vec<usize>,
    /// `[replace]`: the index of the package that stands in for this one.
    pub(crate) replace: Option<usize>,
}

/// A parsed Cargo.lock.
#[derive(Debug, Clone)]
pub struct Lockfile {
    pub(crate) packages: Vec<LockedPackage>,
}

/// Cargo.lock as written; its strings borrow from the text unless they hold escapes.
#[derive(Deserialize)]
struct RawLock<'a> {
    version: Option<u32>,
    #[serde(default, borrow)]
    package: Vec<RawPackage<'a>>,
    #[serde(borrow)]
    root: Option<RawPackage<'a>>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawPackage<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    checksum: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dependencies: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    replace: Option<Cow<'a, str>>,
}

impl Lockfile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Lockfile> {
        Lockfile::parse(&Lockfile::read(path)?, path)
    }

    /// The text of the lockfile at `path`.
    pub(crate) fn read(path: &Path) -> Result<String> {
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::in_file(path, "no Cargo.lock; run `cargo generate-lockfile` to create it")
            } else {
                Error::io(path, e)
            }
        })?;
        crate::manifest::parse::utf8(bytes, path, "Cargo.lock is not text cargo wrote; run `cargo generate-lockfile` to write it again")
    }

    /// Parses Cargo.lock text; `path` names the file in errors.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Lockfile> {
        let raw: RawLock = parse::toml(text, path)?;
        let mut raw_packages = raw.package;
        if let Some(root) = raw.root {
            raw_packages.insert(0, root);
        }
        if let Some(v) = raw.version.filter(|v| !(3..=4).contains(v)) {
            return Err(Error::in_file(path, format!("unsupported lockfile version {v}; run `cargo generate-lockfile` with a current cargo")));
        }
        let bad = |msg: String| Error::in_file(path, format!("{msg}; run `cargo generate-lockfile` to rewrite it"));

        let mut packages = Vec::with_capacity(raw_packages.len());
        for p in &raw_packages {
            let version = Version::parse(&p.version)
                .map_err(|e| bad(format!("package `{}` has an invalid version `{}` ({e})", p.name, p.version)))?;
            let source = match &p.source {
                None => SourceId::path(),
                Some(s) => SourceId::parse(s).ok_or_else(|| bad(format!("package `{}` has an unknown source `{s}`", p.name)))?,
            };
            let mut checksum = p.checksum.as_deref().map(str::to_string);
            if raw.version.is_none() && checksum.is_none() {
                let key = format!("checksum {} {} ({})", p.name, p.version, source);
                checksum = raw.metadata.get(&key).filter(|v| *v != "<none>").cloned();
            }
            packages.push(LockedPackage { name: p.name.to_string(), version, source, checksum, dependencies: Vec::new(), replace: None });
        }
        // Resolve the dependency strings: `name`, `name version` or `name version (source)`.
        let mut by_name: FastMap<&str, Vec<usize>> = FastMap::default();
        for (i, p) in raw_packages.iter().enumerate() {
            by_name.entry(&p.name).or_default().push(i);
        }
        let find = |spec: &str, owner: &RawPackage| -> Result<usize> {
            let owner = format_args!("{} {}", owner.name, owner.version);
            let (name, rest) = split_at_space(spec);
            let (version, source) = match rest.map(split_at_space) {
                Some((v, s)) => (Some(v), s.map(|s| s.trim_start_matches('(').trim_end_matches(')'))),
                None => (None, None),
            };
            let all = by_name.get(name).map_or(&[][..], Vec::as_slice);
            if let ([one], None, None) = (all, version, source) {
                return Ok(*one);
            }
            let candidates: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| version.is_none_or(|v| raw_packages[i].version == v))
                .filter(|&i| {
                    source.is_none_or(|s| {
                        let have = raw_packages[i].source.as_deref().unwrap_or("");
                        have == s || have.split('#').next() == s.split('#').next()
                    })
                })
                .collect();
            // Without a source, a unique path package is meant (path packages have none).
            let paths: Vec<usize> = candidates.iter().copied().filter(|&i| raw_packages[i].source.is_none()).collect();
            match candidates.as_slice() {
                [one] => Ok(*one),
                [_, _, ..] if source.is_none() && paths.len() == 1 => Ok(paths[0]),
                [] => Err(bad(format!("package `{owner}` depends on `{spec}`, which is not in the lockfile"))),
                _ => Err(bad(format!("package `{owner}` depends on `{spec}`, which matches several packages"))),
            }
        };
        for (i, p) in raw_packages.iter().enumerate() {
            let mut deps = Vec::with_capacity(p.dependencies.len());
            for d in &p.dependencies {
                deps.push(find(d, p)?);
            }
            packages[i].dependencies = deps;
            if let Some(r) = &p.replace {
                packages[i].replace = Some(find(r, p)?);
            }
        }
        Ok(Lockfile { packages })
    }
}

/// The text before the first space and, if there is one, after it.
fn split_at_space(s: &str) -> (&str, Option<&str>) {
    s.split_once(' ').map_or((s, None), |(before, after)| (before, Some(after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"
[[package]]
name = "a"
version = "0.1.0"
dependencies = [
 "b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "abcd"
"#;

    #[test]
    fn reads_v1_checksums_from_metadata() {
        let lock = Lockfile::parse(V1, Path::new("Cargo.lock")).unwrap();
        assert_eq!(lock.packages[0].dependencies, vec![1]);
        assert_eq!(lock.packages[1].checksum.as_deref(), Some("abcd"));
    }

    #[test]
    fn short_dependency_strings_resolve() {
        let text = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b\"]\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ff\"\n";
        let lock = Lockfile::parse(text, Path::new("Cargo.lock")).unwrap();
        assert_eq!(lock.packages[0].dependencies, vec![1]);
    }

    /// Strings are read as TOML reads them, escapes and literal strings included.
    #[test]
    fn any_toml_spelling_reads_the_same() {
        let plain = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\n";
        let respelled = plain.replace("\"a\"", "\"\\u0061\"").replace("\"b\",\n", "'b'").replace('\n', "\r\n");
        for text in [plain, respelled.as_str()] {
            let lock = Lockfile::parse(text, Path::new("Cargo.lock")).unwrap();
            assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].dependencies.as_slice()), ("a", &[1][..]), "{text:?}");
        }
    }

    /// A syntax error is reported with the file, line and column.
    #[test]
    fn syntax_error_names_the_position() {
        let twice = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\nversion = \"0.2.0\"\n";
        let err = Lockfile::parse(twice, Path::new("x/Cargo.lock")).unwrap_err().to_string();
        assert!(err.starts_with("x/Cargo.lock:5:1: invalid TOML:"), "{err}");
    }

    #[test]
    fn unknown_dependency_is_an_error_naming_the_file() {
        let text = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"zz\"]\n";
        let err = Lockfile::parse(text, Path::new("x/Cargo.lock")).unwrap_err();
        assert!(err.to_string().starts_with("x/Cargo.lock: package `a 0.1.0` depends on `zz`"), "{err}");
    }
}
