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

/// The text of `TOP/Cargo.toml` in the archive at `path`, and the archive's file names when the
/// manifest looks as if target discovery will need them (`names_every_target`): read on in the
/// same pass then, rather than from the start again later.
pub(super) fn read_manifest(path: &Path, top: &str) -> Result<(String, Option<BTreeSet<String>>)> {
    let mut text = None;
    let mut files = BTreeSet::new();
    let mut want_files = true;
    each_entry(path, top, |rel, entry| {
        files.insert(rel.to_string());
        if rel != "Cargo.toml" {
            return Ok(text.is_none() || want_files);
        }
        if entry.header().size().unwrap_or(0) > MAX_MANIFEST_BYTES {
            return Err(Error::in_file(path, "Cargo.toml inside the archive is larger than 10 MiB"));
        }
        let mut bytes = Vec::new();
        entry.by_ref().take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes).map_err(|e| invalid(path, &e))?;
        let s = crate::manifest::parse::utf8(bytes, &path.join(format!("{top}/Cargo.toml")), REFETCH)?;
        want_files = !names_every_target(&s);
        text = Some(s);
        Ok(want_files)
    })?;
    let text = text.ok_or_else(|| Error::in_file(path, format!("the archive has no `{top}/Cargo.toml`; delete it and run `cargo fetch`")))?;
    Ok((text, want_files.then_some(files)))
}

/// Whether a manifest, as `cargo package` writes them nowadays, names every target, the build
/// script and the README, so that discovery asks for no file names. Only a hint for how to read
/// the archive: the names are read later if asked for after all.
fn names_every_target(manifest: &str) -> bool {
    // (Manifests packaged by cargo 1.78 to 1.82 give a `[lib]` table rather than `autolib`.)
    ["autobins = false", "autoexamples = false", "autotests = false", "autobenches = false", "\nbuild = ", "\nreadme = "]
        .iter()
        .all(|line| manifest.contains(line))
        && (manifest.contains("autolib = false") || manifest.contains("\n[lib]\n"))
}

/// The names of the files under `TOP/` in the archive at `path`, relative to it.
pub(super) fn list_files(path: &Path, top: &str) -> Result<BTreeSet<String>> {
    let mut files = BTreeSet::new();
    each_entry(path, top, |rel, _| {
        files.insert(rel.to_string());
        Ok(true)
    })?;
    Ok(files)
}

type Inflater = flate2::bufread::DeflateDecoder<std::io::BufReader<std::fs::File>>;

thread_local! {
    /// Each thread's inflater, used again for every archive it reads: a new one zeroes tens of
    /// kilobytes of state, which for a thousand small crates cost more than inflating them.
    static INFLATER: std::cell::RefCell<Option<Inflater>> = const { std::cell::RefCell::new(None) };
}

/// Calls `f` with each entry under `TOP/` (its path relative to `TOP`) until it returns false.
fn each_entry(path: &Path, top: &str, mut f: impl FnMut(&str, &mut tar::Entry<'_, Forward<'_>>) -> Result<bool>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    skip_gzip_header(&mut reader).map_err(|e| invalid(path, &e))?;
    let mut inflater = INFLATER.with(|cell| cell.borrow_mut().take());
    let decoder = match &mut inflater {
        Some(d) => {
            d.reset(reader);
            d
        }
        None => inflater.insert(flate2::bufread::DeflateDecoder::new(reader)),
    };
    let result = (|| {
        let mut archive = tar::Archive::new(Forward { inner: decoder, pos: 0 });
        for entry in archive.entries_with_seek().map_err(|e| invalid(path, &e))? {
            let mut entry = entry.map_err(|e| invalid(path, &e))?;
            let entry_path = entry.path().map_err(|e| invalid(path, &e))?.to_string_lossy().replace('\\', "/");
            let Some(rel) = entry_path.strip_prefix(top).and_then(|r| r.strip_prefix('/')) else { continue };
            if !f(rel, &mut entry)? {
                break;
            }
        }
        Ok(())
    })();
    INFLATER.with(|cell| *cell.borrow_mut() = inflater);
    result
}

/// The inflated tar stream, seekable forward: `tar` passes over the rest of an entry by seeking,
/// where through `Read` alone it would zero a 32 KiB buffer before every header, to skip nothing
/// most of the time.
struct Forward<'a> {
    inner: &'a mut Inflater,
    /// Bytes read so far.
    pos: u64,
}

impl std::io::Read for Forward<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Forward<'_> {
    /// Only forward from the current position, as `tar` seeks.
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let std::io::SeekFrom::Current(n @ 0..) = to else {
            return Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "a .crate is read forward only"));
        };
        if n == 0 {
            return Ok(self.pos);
        }
        let mut left = n as u64;
        let mut buf = [0u8; 512];
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let got = self.inner.read(&mut buf[..want])?;
            if got == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the archive ends inside an entry"));
            }
            left -= got as u64;
        }
        self.pos += n as u64;
        Ok(self.pos)
    }
}

/// Reads a gzip member's header (RFC 1952), leaving `r` at its deflate data. (The trailer's CRC is
/// not checked: a `.crate` is checked whole against Cargo.lock's sha256 when it is fetched.)
fn skip_gzip_header(r: &mut impl std::io::BufRead) -> std::io::Result<()> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut fixed = [0u8; 10];
    r.read_exact(&mut fixed).map_err(|_| bad("too short for a gzip header"))?;
    if fixed[..3] != [0x1f, 0x8b, 8] {
        return Err(bad("not gzip data"));
    }
    let flags = fixed[3];
    if flags & 0xe0 != 0 {
        return Err(bad("reserved gzip header flags set"));
    }
    if flags & 0x04 != 0 {
        let mut len = [0u8; 2];
        r.read_exact(&mut len)?;
        std::io::copy(&mut r.by_ref().take(u64::from(u16::from_le_bytes(len))), &mut std::io::sink())?;
    }
    for flag in [0x08, 0x10] {
        // File name, comment: zero-terminated.
        if flags & flag != 0 {
            r.skip_until(0)?;
        }
    }
    if flags & 0x02 != 0 {
        r.read_exact(&mut [0u8; 2])?;
    }
    Ok(())
}

/// What to do about a damaged `.crate`.
const REFETCH: &str = "delete the archive and run `cargo fetch` to download it again";

fn invalid(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::in_file(path, format!("not a valid .crate (gzip'd tar) archive ({e}); {REFETCH}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header fields of RFC 1952 are skipped; reserved flags, another method or a short
    /// header are refused, as flate2's own reader refuses them.
    #[test]
    fn gzip_headers() {
        let header = |flags: u8, rest: &[u8]| [&[0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3][..], rest, b"DATA"].concat();
        let cases: [(Vec<u8>, bool); 7] = [
            (header(0, b""), true),
            (header(0x04, b"\x03\x00abc"), true),
            (header(0x08 | 0x10, b"name\0comment\0"), true),
            (header(0x02, b"\x12\x34"), true),
            (header(0x20, b""), false),
            ([&[0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3][..], b"DATA"].concat(), false),
            (vec![0x1f, 0x8b, 8], false),
        ];
        for (bytes, ok) in cases {
            let mut r = std::io::Cursor::new(&bytes);
            let result = skip_gzip_header(&mut r);
            assert_eq!(result.is_ok(), ok, "{bytes:?}");
            if ok {
                let mut rest = Vec::new();
                r.read_to_end(&mut rest).unwrap();
                assert_eq!(rest, b"DATA");
            }
        }
    }
}
