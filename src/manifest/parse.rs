//! TOML parsing with errors that fit on one line and name the file, line and column.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// `bytes` (the contents of `path`) as text, or an error naming the line and column of the first
/// byte that is not UTF-8, and `fix`.
pub(crate) fn utf8(bytes: Vec<u8>, path: &Path, fix: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::new(format!("{}:{line}:{column}: not valid UTF-8 (byte 0x{:02x}); {fix}", path.display(), bytes[valid]))
    })
}

/// What to do about a file of the workspace that is not UTF-8.
pub(crate) const SAVE_AS_UTF8: &str = "save the file as UTF-8, as cargo requires";

/// Parses `text` (the contents of `path`) into `T` with the `toml` crate; `T` may borrow from
/// `text`.
pub(crate) fn toml<'de, T: Deserialize<'de>>(text: &'de str, path: &Path) -> Result<T> {
    ::toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        let message = e.message().trim().replace('\n', " ");
        Error::new(format!("{}{at}: invalid TOML: {message}", path.display()))
    })
}
