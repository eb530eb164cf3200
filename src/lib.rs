//! crateplan: reads Cargo.lock and the Cargo.toml manifests of a workspace and of every locked
//! dependency — no network, no cargo — and writes the build plan cargo would follow, per target
//! triple, for Nix to build crate by crate.
//!
//! The pipeline, one module a stage: [`workspace`] and [`sources`] load (the only I/O),
//! [`graph`] matches declarations to [`lockfile`] entries, [`features`] resolves features,
//! [`units`] selects units, and [`plan`] / [`unit_graph`] write them.

pub mod error;
pub mod generate;
pub mod load;
pub(crate) mod manifest;
pub mod output;
mod parallel;
pub mod resolve;
pub(crate) mod source_id;

pub use error::{Error, Result};
