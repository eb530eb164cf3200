//! The one error type of crateplan: a single line that says what is wrong, where, and what to do.

use std::fmt::{self, Write as _};
use std::path::Path;

/// An input error. Its message names the file or package at fault and, where there is one, the
/// command that fixes it. Printed as one line; the process then exits with status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with this exact message.
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into() }
    }

    /// An error about one file: `<path>: <message>`.
    pub(crate) fn in_file(path: &Path, message: impl fmt::Display) -> Self {
        Error::new(format!("{}: {}", path.display(), message))
    }

    /// An I/O failure while reading `path`.
    pub(crate) fn io(path: &Path, err: std::io::Error) -> Self {
        Error::in_file(path, format!("cannot read: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, always: a TOML parser's multi-line report is folded.
        let mut first = true;
        for line in self.message.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()) {
            if !first {
                f.write_str(" ")?;
            }
            write_escaped(f, line.trim_start_matches(['|', ' ']))?;
            first = false;
        }
        Ok(())
    }
}

/// Writes `text` with the characters a terminal would act on (ESC, CR, VT and the other controls,
/// and the bidirectional overrides) spelled as escapes, so bytes from a damaged input cannot move
/// the cursor, clear the line or hide part of the message.
fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            write!(f, "{}", c.escape_unicode())?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

impl std::error::Error for Error {}

/// The result type of every fallible crateplan function.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_control_characters_escaped() {
        let e = Error::new("a.crate: bad entry \u{1b}[2J\rname\u{b}x \u{202e}cba\n  | more\r\n");
        assert_eq!(e.to_string(), "a.crate: bad entry \\u{1b}[2J\\u{d}name\\u{b}x \\u{202e}cba more");
    }
}
