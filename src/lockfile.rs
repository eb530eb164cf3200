//! Cargo.lock, formats v1 to v4, parsed into packages with resolved dependency links.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap as FastMap;
use semver::Version;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::toml_subset;
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

/// Cargo.lock as written; its strings borrow from the text when read by the fast path.
#[derive(Deserialize, Debug, Default, PartialEq)]
struct RawLock<'a> {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<RawPackage<'a>>,
    root: Option<RawPackage<'a>>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone, Debug, Default, PartialEq)]
struct RawPackage<'a> {
    name: Cow<'a, str>,
    version: Cow<'a, str>,
    source: Option<Cow<'a, str>>,
    checksum: Option<Cow<'a, str>>,
    #[serde(default)]
    dependencies: Vec<Cow<'a, str>>,
    replace: Option<Cow<'a, str>>,
}

impl Lockfile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Lockfile> {
        Lockfile::parse(&Lockfile::read(path)?, path)
    }

    /// The text of the lockfile at `path`.
    pub fn read(path: &Path) -> Result<String> {
        std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::in_file(path, "no Cargo.lock; run `cargo generate-lockfile` to create it")
            } else {
                Error::io(path, e)
            }
        })
    }

    /// Parses Cargo.lock text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Lockfile> {
        let raw: RawLock = match parse_as_written_by_cargo(text) {
            Some(raw) => raw,
            None => toml_util::parse::<RawLock<'static>>(text, path)?,
        };
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
        Ok(Lockfile { version, packages })
    }
}

/// Reads a lockfile laid out exactly as cargo writes versions 2 to 4 — `version = N` (none in 2), then
/// `[[package]]` (and `[[patch.unused]]`) tables of `key = "string"` lines and a `dependencies = [`
/// list with one string per line — without a general TOML parser (it is a tenth of the time to plan a large workspace
/// otherwise). Anything else, down to a string with an escape or a key seen twice, gives `None`,
/// and the TOML parser reads the file instead (and reports what is wrong with it).
fn parse_as_written_by_cargo(text: &str) -> Option<RawLock<'_>> {
    // The contents of a `"…"` that is all of `rest` (after a trailing `,` if `comma`), when it
    // holds nothing a TOML basic string would treat specially.
    fn string(rest: &str, comma: bool) -> Option<&str> {
        let rest = if comma { rest.strip_suffix(',')? } else { rest };
        let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
        // One pass: no quote, no backslash, and what `toml_subset::plain` allows.
        inner.bytes().all(|b| b != b'"' && b != b'\\' && toml_subset::plain_byte(b)).then_some(inner)
    }
    let mut raw = RawLock::default();
    // `[[patch.unused]]` entries: read like packages, to check them, and left out.
    let mut unused: Vec<RawPackage> = Vec::new();
    let mut in_unused = false;
    let mut lines = lines(text);
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            if !toml_subset::plain(line) {
                return None;
            }
            continue;
        }
        if line == "[[package]]" || line == "[[patch.unused]]" {
            in_unused = line == "[[patch.unused]]";
            if in_unused { &mut unused } else { &mut raw.package }.push(RawPackage::default());
            continue;
        }
        // `key = rest`.
        let eq = line.bytes().position(|b| b == b'=')?;
        let (key, rest) = (line[..eq].strip_suffix(' ')?, line[eq + 1..].strip_prefix(' ')?);
        if raw.package.is_empty() && unused.is_empty() {
            // A TOML integer as cargo writes it: digits, no leading zero.
            let integer = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) && (rest == "0" || !rest.starts_with('0'));
            if key != "version" || raw.version.is_some() || !integer {
                return None;
            }
            raw.version = Some(rest.parse().ok()?);
            continue;
        }
        let package = if in_unused { unused.last_mut()? } else { raw.package.last_mut()? };
        let field = match key {
            // Never empty here (cargo writes none), so that empty means "not seen yet".
            "name" if package.name.is_empty() => {
                package.name = Cow::Borrowed(string(rest, false).filter(|s| !s.is_empty())?);
                continue;
            }
            "version" if package.version.is_empty() => {
                package.version = Cow::Borrowed(string(rest, false).filter(|s| !s.is_empty())?);
                continue;
            }
            "source" => &mut package.source,
            "checksum" => &mut package.checksum,
            "replace" => &mut package.replace,
            "dependencies" if rest == "[" && package.dependencies.is_empty() => {
                loop {
                    let item = lines.next()?.trim_start_matches(' ');
                    if item == "]" {
                        break;
                    }
                    package.dependencies.push(Cow::Borrowed(string(item, true)?));
                }
                if package.dependencies.is_empty() {
                    return None;
                }
                continue;
            }
            _ => return None,
        };
        if field.is_some() {
            return None;
        }
        *field = Some(Cow::Borrowed(string(rest, false)?));
    }
    let complete = raw.package.iter().chain(&unused).all(|p| !p.name.is_empty() && !p.version.is_empty());
    complete.then_some(raw)
}

/// The text before the first space and, if there is one, after it (found byte by byte: a
/// searcher costs more to set up than these short strings take to scan).
fn split_at_space(s: &str) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == b' ') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

/// The lines of `text` (without their `\n`), found byte by byte: they are short, shorter than a
/// searcher takes to set up.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or_default();
        Some(line)
    })
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

    /// Every Cargo.lock in the repository but the version 1 ones (`[metadata]`) is read by the
    /// fast path, to the same values as through TOML.
    #[test]
    fn lockfiles_written_by_cargo_need_no_toml_parser() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![root.join("Cargo.lock")];
        for dir in ["tests/workspaces", "examples"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let lock = entry.unwrap().path().join("Cargo.lock");
                if lock.is_file() {
                    paths.push(lock);
                }
            }
        }
        assert!(paths.len() > 40, "{paths:?}");
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let general: RawLock = toml_util::parse(&text, &path).unwrap();
            match parse_as_written_by_cargo(&text) {
                Some(fast) => assert_eq!(fast, general, "{}", path.display()),
                None => assert!(text.contains("\n[metadata]\n"), "{} not read by the fast path", path.display()),
            }
        }
    }

    /// What the fast path does not read is left to the TOML parser, which reads it right or
    /// reports the error.
    #[test]
    fn anything_else_goes_to_the_toml_parser() {
        let ok = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\n";
        assert!(parse_as_written_by_cargo(ok).is_some());
        for (what, text) in [
            ("CRLF line ends", ok.replace('\n', "\r\n")),
            ("an escape", ok.replace("\"a\"", "\"\\u0061\"")),
            ("a key twice", ok.replace("version = \"0.1.0\"", "version = \"0.1.0\"\nversion = \"0.2.0\"")),
            ("a literal string", ok.replace("\"a\"", "'a'")),
            ("an inline list", ok.replace("[\n \"b\",\n]", "[\"b\"]")),
            ("a comment after a value", ok.replace("\"a\"", "\"a\" # x")),
            ("another table", format!("{ok}\n[metadata]\n\"x\" = \"y\"\n")),
            ("a key twice in an unused patch", format!("{ok}\n[[patch.unused]]\nname = \"c\"\nname = \"c\"\nversion = \"1.0.0\"\n")),
            ("a package without a name", ok.replace("name = \"b\"\n", "")),
            ("a leading zero", ok.replace("version = 4", "version = 04")),
            ("a name given twice, the first empty", ok.replace("name = \"a\"", "name = \"\"\nname = \"a\"")),
            ("a control character in a comment", format!("# bad \u{1} comment\n{ok}")),
            ("a DEL in a comment", format!("#\u{7f}\n{ok}")),
        ] {
            assert_eq!(parse_as_written_by_cargo(&text), None, "{what}");
        }
        let escaped = ok.replace("\"a\"", "\"\\u0061\"");
        assert_eq!(Lockfile::parse(&escaped, Path::new("Cargo.lock")).unwrap().packages[0].name, "a");
        let twice = ok.replace("version = \"0.1.0\"", "version = \"0.1.0\"\nversion = \"0.2.0\"");
        assert!(Lockfile::parse(&twice, Path::new("Cargo.lock")).unwrap_err().to_string().contains("Cargo.lock:"));
    }

    #[test]
    fn unknown_dependency_is_an_error_naming_the_file() {
        let text = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"zz\"]\n";
        let err = Lockfile::parse(text, Path::new("x/Cargo.lock")).unwrap_err();
        assert!(err.to_string().starts_with("x/Cargo.lock: package `a 0.1.0` depends on `zz`"), "{err}");
    }
}
