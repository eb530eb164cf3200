//! sha256, as the plan records Cargo.lock and the workspace's manifests (hex, lower case).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256_hex` of a file's bytes.
pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(sha256_hex(&bytes))
}
