//! Cargo.lock, formats v1 to v4, parsed into packages with resolved dependency links.

use std::collections::BTreeMap;
use std::path::Path;

use semver::Version;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::source_id::SourceId;
use crate::toml_util;

/// One `[[package]]` of Cargo.lock.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: Version,
    pub source: SourceId,
    /// sha256 of the `.crate` (registry packages).
    pub checksum: Option<String>,
    /// Indices into [`Lockfile::packages`].
    pub dependencies: Vec<usize>,
    /// `[replace]`: the index of the package that stands in for this one.
    pub replace: Option<usize>,
}

/// A parsed Cargo.lock.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// 1 to 4, as cargo infers it.
    pub version: u32,
    pub packages: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct RawLock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<RawPackage>,
    root: Option<RawPackage>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone)]
struct RawPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    replace: Option<String>,
}

impl Lockfile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Lockfile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::in_file(path, "no Cargo.lock; run `cargo generate-lockfile` to create it")
            } else {
                Error::io(path, e)
            }
        })?;
        Lockfile::parse(&text, path)
    }

    /// Parses Cargo.lock text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Lockfile> {
        let raw: RawLock = toml_util::parse(text, path)?;
        let mut raw_packages = raw.package;
        if let Some(root) = raw.root {
            raw_packages.insert(0, root);
        }
        let version = match raw.version {
            Some(v @ 3..=4) => v,
            Some(v) => return Err(Error::in_file(path, format!("unsupported lockfile version {v}; run `cargo generate-lockfile` with a current cargo"))),
            None => {
                let v2 = raw_packages.len() == 1
                    || raw_packages.iter().any(|p| p.checksum.is_some() || p.dependencies.iter().any(|d| d.split(' ').count() < 3));
                if v2 { 2 } else { 1 }
            }
        };
        let bad = |msg: String| Error::in_file(path, format!("{msg}; run `cargo generate-lockfile` to rewrite it"));

        let mut packages = Vec::with_capacity(raw_packages.len());
        for p in &raw_packages {
            let version = Version::parse(&p.version)
                .map_err(|e| bad(format!("package `{}` has an invalid version `{}` ({e})", p.name, p.version)))?;
            let source = match &p.source {
                None => SourceId::path(),
                Some(s) => SourceId::parse(s).ok_or_else(|| bad(format!("package `{}` has an unknown source `{s}`", p.name)))?,
            };
            let mut checksum = p.checksum.clone();
            if raw.version.is_none() && checksum.is_none() {
                let key = format!("checksum {} {} ({})", p.name, p.version, source);
                checksum = raw.metadata.get(&key).filter(|v| *v != "<none>").cloned();
            }
            packages.push(LockedPackage { name: p.name.clone(), version, source, checksum, dependencies: Vec::new(), replace: None });
        }
        // Resolve the dependency strings: `name`, `name version` or `name version (source)`.
        let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in raw_packages.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(i);
        }
        let find = |spec: &str, owner: &str| -> Result<usize> {
            let mut parts = spec.splitn(3, ' ');
            let name = parts.next().unwrap_or("");
            let version = parts.next();
            let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
            let candidates: Vec<usize> = by_name
                .get(name)
                .into_iter()
                .flatten()
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
            let owner = format!("{} {}", p.name, p.version);
            let mut deps = Vec::with_capacity(p.dependencies.len());
            for d in &p.dependencies {
                deps.push(find(d, &owner)?);
            }
            packages[i].dependencies = deps;
            if let Some(r) = &p.replace {
                packages[i].replace = Some(find(r, &owner)?);
            }
        }
        Ok(Lockfile { version, packages })
    }
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
        assert_eq!(lock.version, 1);
        assert_eq!(lock.packages[0].dependencies, vec![1]);
        assert_eq!(lock.packages[1].checksum.as_deref(), Some("abcd"));
    }

    #[test]
    fn short_dependency_strings_resolve() {
        let text = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b\"]\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ff\"\n";
        let lock = Lockfile::parse(text, Path::new("Cargo.lock")).unwrap();
        assert_eq!(lock.version, 4);
        assert_eq!(lock.packages[0].dependencies, vec![1]);
    }

    #[test]
    fn unknown_dependency_is_an_error_naming_the_file() {
        let text = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"zz\"]\n";
        let err = Lockfile::parse(text, Path::new("x/Cargo.lock")).unwrap_err();
        assert!(err.to_string().starts_with("x/Cargo.lock: package `a 0.1.0` depends on `zz`"), "{err}");
    }
}
