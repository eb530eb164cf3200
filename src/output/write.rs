//! Writing the output: whole to a file (through a temporary file and a rename), to a device or
//! pipe, or to standard output.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes the output, made by `write`, to `path` (through a temporary file and a rename, so a
/// failure leaves no partial file) or to standard output.
pub fn write_output(path: Option<&Path>, write: impl Fn(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let to = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        write(&mut out)?;
        out.flush()
    };
    match path {
        None => to(&mut std::io::stdout().lock()).map_err(|e| Error::new(format!("cannot write to standard output: {e}"))),
        // A device or pipe (`-o /dev/null`) is written to, never replaced.
        Some(path) if path.exists() && !path.is_file() => {
            std::fs::OpenOptions::new().write(true).open(path).and_then(|mut f| to(&mut f)).map_err(|e| Error::in_file(path, format!("cannot write: {e}")))
        }
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let tmp = dir.join(format!(".{}.tmp", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
            std::fs::File::create(&tmp).and_then(|mut f| to(&mut f)).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::in_file(&tmp, format!("cannot write: {e}"))
            })?;
            std::fs::rename(&tmp, path).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::in_file(path, format!("cannot write: {e}"))
            })
        }
    }
}
