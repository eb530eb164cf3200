//! Loading: everything the generator reads from disk.

pub mod config;
mod crate_archive;
pub(crate) mod digest;
pub mod lockfile;
pub(crate) mod lookups;
pub mod remote;
pub mod sources;
pub mod workspace;
