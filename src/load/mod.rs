//! Loading: everything the generator reads from disk.

pub mod crate_archive;
pub mod digest;
pub mod lockfile;
pub mod lookups;
pub mod remote;
pub mod sources;
pub mod workspace;
