//! crateplan: reads Cargo.lock and the Cargo.toml manifests of a workspace and of every locked
//! dependency — no network, no cargo — and writes the build plan cargo would follow, per target
//! triple, for Nix to build crate by crate.
//!
//! The pipeline, one module a stage: [`workspace`] and [`sources`] load (the only I/O),
//! [`graph`] matches declarations to [`lockfile`] entries, [`features`] resolves features,
//! [`units`] selects units, and [`plan`] / [`unit_graph`] write them.

pub mod check;
mod crate_archive;
pub mod digest;
pub mod error;
pub mod features;
pub mod generate;
pub mod graph;
pub mod lints;
pub mod lockfile;
pub mod lookups;
pub mod manifest;
mod parallel;
pub mod plan;
pub mod platform;
pub mod source_id;
pub mod sources;
pub mod spec;
pub mod targets;
mod toml_util;
pub mod unit_graph;
pub mod units;
pub mod workspace;

pub use error::{Error, Result};
