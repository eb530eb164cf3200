//! Package ID specifications, as `-p` takes them: `name`, `name@version`, `name:version`,
//! `URL#name@version` or `URL#version`, and glob patterns (`*`, `?`) over member names.

use semver::Version;

/// A parsed `-p` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PackageIdSpec {
    /// A glob over workspace members' names.
    Glob(String),
    Exact { name: String, version: Option<String>, url: Option<String> },
}

impl PackageIdSpec {
    pub(crate) fn parse(spec: &str) -> PackageIdSpec {
        if spec.contains(['*', '?', '[']) {
            return PackageIdSpec::Glob(spec.to_string());
        }
        if let Some((url, fragment)) = spec.split_once('#') {
            let last_segment = url.split('?').next().unwrap_or(url).trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
            let (name, version) = match fragment.split_once(['@', ':']) {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None if fragment.starts_with(|c: char| c.is_ascii_digit()) => (last_segment, Some(fragment.to_string())),
                None => (fragment.to_string(), None),
            };
            return PackageIdSpec::Exact { name, version, url: Some(url.to_string()) };
        }
        if spec.contains("://") {
            let name = spec.trim_end_matches('/').rsplit('/').next().unwrap_or(spec).to_string();
            return PackageIdSpec::Exact { name, version: None, url: Some(spec.to_string()) };
        }
        match spec.split_once(['@', ':']) {
            Some((n, v)) => PackageIdSpec::Exact { name: n.to_string(), version: Some(v.to_string()), url: None },
            None => PackageIdSpec::Exact { name: spec.to_string(), version: None, url: None },
        }
    }

    /// Does a package with this name and version match? (`is_member` for globs, which cargo
    /// applies to workspace members only.)
    pub(crate) fn matches(&self, name: &str, version: &Version, is_member: bool) -> bool {
        match self {
            PackageIdSpec::Glob(pattern) => is_member && crate::load::workspace::glob_match(pattern, name),
            PackageIdSpec::Exact { name: n, version: v, .. } => n == name && v.as_deref().is_none_or(|v| version_matches(v, version)),
        }
    }
}

/// A full or partial version (`1`, `1.2`, `1.2.3`, `1.2.3-pre`) against a version.
fn version_matches(spec: &str, version: &Version) -> bool {
    let (core, pre) = match spec.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (spec, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let numbers = [version.major, version.minor, version.patch];
    parts.len() <= 3
        && parts.iter().zip(numbers).all(|(p, n)| p.parse::<u64>() == Ok(n))
        && pre.is_none_or(|p| parts.len() == 3 && version.pre.as_str() == p.split('+').next().unwrap_or(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms() {
        let v = Version::parse("1.0.229").unwrap();
        assert!(PackageIdSpec::parse("serde").matches("serde", &v, false));
        assert!(PackageIdSpec::parse("serde@1").matches("serde", &v, false));
        assert!(PackageIdSpec::parse("serde:1.0.229").matches("serde", &v, false));
        assert!(!PackageIdSpec::parse("serde@1.1").matches("serde", &v, false));
        assert!(PackageIdSpec::parse("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.229").matches("serde", &v, false));
        assert!(PackageIdSpec::parse("path+file:///w/serde#1.0.229").matches("serde", &v, true));
        assert!(PackageIdSpec::parse("se*").matches("serde", &v, true));
        assert!(!PackageIdSpec::parse("se*").matches("serde", &v, false));
    }
}
