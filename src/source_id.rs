//! Where a package comes from, spelled as Cargo.lock spells it.

use std::fmt;

/// The `reference` of a git source: what the manifest asked for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum GitReference {
    DefaultBranch,
    Branch(String),
    Tag(String),
    Rev(String),
}

/// The kind of a source, with what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum SourceKind {
    /// `registry+URL` or `sparse+URL`: the whole string is the registry's identity.
    Registry,
    /// `git+URL[?ref]#rev`.
    Git { url: String, reference: GitReference, precise: Option<String> },
    /// A path package (no `source` in Cargo.lock).
    Path,
}

/// A package source as written in Cargo.lock, parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SourceId {
    /// The exact Cargo.lock spelling (empty for path sources).
    pub(crate) repr: String,
    pub(crate) kind: SourceKind,
}

impl SourceId {
    /// A path source.
    pub(crate) fn path() -> Self {
        SourceId { repr: String::new(), kind: SourceKind::Path }
    }

    /// Parses a Cargo.lock `source` value. `None` when the kind is unknown.
    pub(crate) fn parse(repr: &str) -> Option<Self> {
        let kind = if repr.starts_with("registry+") || repr.starts_with("sparse+") {
            SourceKind::Registry
        } else if let Some(rest) = repr.strip_prefix("git+") {
            let (rest, precise) = match rest.split_once('#') {
                Some((r, p)) => (r, Some(p.to_string())),
                None => (rest, None),
            };
            let (url, query) = match rest.split_once('?') {
                Some((u, q)) => (u, Some(q)),
                None => (rest, None),
            };
            let mut reference = GitReference::DefaultBranch;
            for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                let (key, value) = pair.split_once('=')?;
                let value = percent_decode(value);
                reference = match key {
                    "branch" | "ref" => GitReference::Branch(value),
                    "tag" => GitReference::Tag(value),
                    "rev" => GitReference::Rev(value),
                    _ => continue,
                };
            }
            SourceKind::Git { url: url.to_string(), reference, precise }
        } else if repr.starts_with("path+") {
            SourceKind::Path
        } else {
            return None;
        };
        Some(SourceId { repr: repr.to_string(), kind })
    }

    pub(crate) fn is_path(&self) -> bool {
        self.kind == SourceKind::Path
    }

    /// The source string without the `#rev` of a git source: how a manifest's `[patch.URL]` or a
    /// dependency names it.
    pub(crate) fn without_precise(&self) -> &str {
        match &self.kind {
            SourceKind::Git { .. } => self.repr.split('#').next().unwrap_or(&self.repr),
            _ => &self.repr,
        }
    }

    /// The URL part (`registry+`/`sparse+`/`git+` prefix and git query removed).
    pub(crate) fn url(&self) -> &str {
        match &self.kind {
            SourceKind::Git { url, .. } => url,
            SourceKind::Registry => self.repr.split_once('+').map(|(_, u)| u).unwrap_or(&self.repr),
            SourceKind::Path => "",
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.repr.is_empty() { "path" } else { &self.repr })
    }
}

/// Cargo's canonical form of a URL, used to decide whether two spellings name the same source:
/// no trailing `/`; for github.com, lower-case, `https`, no `.git`.
pub(crate) fn canonical_url(url: &str) -> String {
    let mut url = url.trim_end_matches('/').to_string();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://github.com/") || lower.starts_with("http://github.com/") {
        url = lower.replacen("http://", "https://", 1);
    }
    if url.starts_with("https://github.com/")
        && let Some(stripped) = url.strip_suffix(".git") {
            url = stripped.to_string();
        }
    url
}

/// Decodes `%XX` escapes (Cargo.lock v4 encodes git reference values). A `%` not followed by two
/// hex digits is kept as it is; the bytes are looked at, never sliced as text, so any input works.
fn percent_decode(s: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let [b'%', hi, lo, ..] = bytes[i..]
            && let (Some(hi), Some(lo)) = (hex(hi), hex(lo))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_sources_of_every_lock_version() {
        let s = SourceId::parse("git+https://example.org/r?branch=feat%2Fz#0123abc").unwrap();
        assert_eq!(
            s.kind,
            SourceKind::Git {
                url: "https://example.org/r".into(),
                reference: GitReference::Branch("feat/z".into()),
                precise: Some("0123abc".into())
            }
        );
        assert_eq!(s.without_precise(), "git+https://example.org/r?branch=feat%2Fz");
        let s = SourceId::parse("git+https://example.org/r#0123abc").unwrap();
        assert!(matches!(s.kind, SourceKind::Git { reference: GitReference::DefaultBranch, .. }));
    }

    /// A `%` followed by a multi-byte character (a fuzzed Cargo.lock) is kept, not sliced
    /// through; a `%` at the very end too.
    #[test]
    fn percent_escapes_next_to_non_ascii_text() {
        let s = SourceId::parse("git+https://x/r?branch=%a\u{20ac}#abc").unwrap();
        assert!(matches!(s.kind, SourceKind::Git { reference: GitReference::Branch(ref b), .. } if b == "%a\u{20ac}"));
        assert_eq!(percent_decode("%\u{20ac}%"), "%\u{20ac}%");
        assert_eq!(percent_decode("a%2F%2fb%4"), "a//b%4");
    }

    #[test]
    fn canonical_urls_fold_github_spellings() {
        assert_eq!(canonical_url("https://GitHub.com/A/B.git/"), "https://github.com/a/b");
        assert_eq!(canonical_url("https://example.org/A.git"), "https://example.org/A.git");
    }
}
