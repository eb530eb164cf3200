//! Reading a `.crate` (a gzip'd tar of `NAME-VERSION/…`) in memory: its `Cargo.toml`, and, only
//! when target discovery needs them, its file names. The manifest is one of the first entries
//! cargo writes, so most archives are decompressed no further than that (a crate such as
//! windows-sys is megabytes of sources behind it).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The most a `Cargo.toml` inside a `.crate` may weigh.
const MAX_MANIFEST_BYTES: u64 = 10 << 20;

/// The text of `TOP/Cargo.toml` in the archive at `path`.
pub fn read_manifest(path: &Path, top: &str) -> Result<String> {
    let mut text = None;
    each_entry(path, top, |rel, entry| {
        if rel != "Cargo.toml" {
            return Ok(true);
        }
        if entry.header().size().unwrap_or(0) > MAX_MANIFEST_BYTES {
            return Err(Error::in_file(path, "Cargo.toml inside the archive is larger than 10 MiB"));
        }
        let mut s = String::new();
        entry.by_ref().take(MAX_MANIFEST_BYTES).read_to_string(&mut s).map_err(|e| invalid(path, &e))?;
        text = Some(s);
        Ok(false)
    })?;
    text.ok_or_else(|| Error::in_file(path, format!("the archive has no `{top}/Cargo.toml`; delete it and run `cargo fetch`")))
}

/// The names of the files under `TOP/` in the archive at `path`, relative to it.
pub fn list_files(path: &Path, top: &str) -> Result<BTreeSet<String>> {
    let mut files = BTreeSet::new();
    each_entry(path, top, |rel, _| {
        files.insert(rel.to_string());
        Ok(true)
    })?;
    Ok(files)
}

/// Calls `f` with each entry under `TOP/` (its path relative to `TOP`) until it returns false.
fn each_entry(path: &Path, top: &str, mut f: impl FnMut(&str, &mut tar::Entry<'_, flate2::read::GzDecoder<std::io::BufReader<std::fs::File>>>) -> Result<bool>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    for entry in archive.entries().map_err(|e| invalid(path, &e))? {
        let mut entry = entry.map_err(|e| invalid(path, &e))?;
        let entry_path = entry.path().map_err(|e| invalid(path, &e))?.to_string_lossy().replace('\\', "/");
        let Some(rel) = entry_path.strip_prefix(top).and_then(|r| r.strip_prefix('/')) else { continue };
        if !f(rel, &mut entry)? {
            break;
        }
    }
    Ok(())
}

fn invalid(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::in_file(path, format!("not a valid .crate (gzip'd tar) archive ({e}); delete it and run `cargo fetch` to download it again"))
}
