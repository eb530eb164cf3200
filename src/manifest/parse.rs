//! TOML parsing with errors that fit on one line and name the file, line and column.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

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
