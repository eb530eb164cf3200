//! crateplan: reads Cargo.lock and the Cargo.toml manifests of a workspace and of every locked
//! dependency — no network, no cargo — and writes the build plan cargo would follow, per target
//! triple, for Nix to build crate by crate.
//!
//! The pipeline, one directory a stage (docs/architecture.md): [`load`] reads the workspace,
//! Cargo.lock and every dependency manifest from disk, `manifest`
//! turns Cargo.toml text into packages without touching a file, [`resolve`] matches declarations
//! to lock entries, resolves features and selects units without touching a file, and [`output`]
//! writes the plan or unit graph. [`generate`] runs the stages; `main.rs` parses the command
//! line. Each module imports only from the stages before it.

pub(crate) mod error;
pub mod explain;
pub mod generate;
pub mod load;
pub(crate) mod manifest;
pub mod output;
mod parallel;
pub mod resolve;
pub(crate) mod source_id;

pub use error::{Error, Result};
