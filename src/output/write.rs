//! Writing the output: whole to a file (through a temporary file and a rename), to a device or
//! pipe, or to standard output.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes the output, made by `write`, to `path` or to standard output.
///
/// A regular file (or a new one) is replaced whole: the output goes to a temporary file that
/// `tempfile` creates with a random name and `O_EXCL` next to `path` (so no other run shares it, and a
/// symlink or FIFO planted there is never followed), and is then renamed over `path`. On every
/// error, and when the process unwinds, the temporary file is removed. A device or pipe
/// (`-o /dev/null`) is written to, never replaced.
pub fn write_output(path: Option<&Path>, write: impl Fn(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let to = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        write(&mut out)?;
        out.flush()
    };
    match path {
        None => to(&mut std::io::stdout().lock()).map_err(|e| Error::new(format!("cannot write to standard output: {e}"))),
        Some(path) if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| to(&mut f))
            .map_err(|e| Error::in_file(path, format!("cannot write: {e}"))),
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let cannot = |e: &dyn std::fmt::Display| Error::in_file(path, format!("cannot write: {e}"));
            // Dropped (and so deleted) on every early return below.
            let mut tmp = temporary_file()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .tempfile_in(dir)
                .map_err(|e| cannot(&e))?;
            to(tmp.as_file_mut()).map_err(|e| cannot(&e))?;
            tmp.persist(path).map_err(|e| cannot(&e.error))?;
            Ok(())
        }
    }
}

/// A builder of temporary files created with the mode `File::create` asks for (0666, less the
/// umask), rather than tempfile's owner-only default: the plan is a file like any other.
fn temporary_file() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder
}
