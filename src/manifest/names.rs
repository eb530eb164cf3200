//! The characters cargo allows in a package name and in a feature name: Unicode identifier
//! characters (`unicode-ident`, as cargo uses) and a few punctuation marks.

use unicode_ident::{is_xid_continue, is_xid_start};

/// Checks `package.name` as stable cargo does: not empty, no leading digit, an XID start
/// character or `_` first, then XID characters or `-` (`a::b` needs an unstable cargo feature).
pub(crate) fn check_package_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("the package name is empty; name the package".to_string());
    };
    if first.is_ascii_digit() {
        return Err(format!("the package name `{name}` starts with a digit; rename the package"));
    }
    if !(is_xid_start(first) || first == '_') {
        return Err(format!("the package name `{name}` starts with {first:?}; rename the package (letters, `_`)"));
    }
    if let Some(bad) = chars.find(|&c| !(is_xid_continue(c) || c == '-')) {
        return Err(format!("the package name `{name}` holds {bad:?}; rename the package (letters, digits, `-`, `_`)"));
    }
    Ok(())
}

/// Checks a `[features]` key as cargo does: not empty, no `dep:` prefix, no `/`, an XID start
/// character, `_` or a digit first, then XID characters, `-`, `+` or `.`.
pub(crate) fn check_feature_name(name: &str) -> Result<(), String> {
    let fix = "rename the feature (letters, digits, `-`, `_`, `+`, `.`)";
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(format!("a feature has an empty name; {fix}"));
    };
    if name.starts_with("dep:") {
        return Err(format!("the feature name `{name}` starts with `dep:`, which names an optional dependency; {fix}"));
    }
    if !(is_xid_start(first) || first == '_' || first.is_ascii_digit()) {
        return Err(format!("the feature name `{name}` starts with {first:?}; {fix}"));
    }
    if let Some(bad) = chars.find(|&c| !(is_xid_continue(c) || matches!(c, '-' | '+' | '.'))) {
        return Err(format!("the feature name `{name}` holds {bad:?}; {fix}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_cargo_allows_them() {
        for ok in ["serde", "serde_json", "a-b", "_x", "héllo"] {
            assert_eq!(check_package_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "1a", "a b", "-a", "a.b", "a+b", "a::b"] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
        for ok in ["default", "1.0", "c++", "a-b.c", "_", "std"] {
            assert_eq!(check_feature_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a b", "dep:x", "a/b", "-a", ".a", "a!"] {
            assert!(check_feature_name(bad).is_err(), "{bad}");
        }
    }
}
