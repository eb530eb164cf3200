//! Cargo.toml: the raw TOML shapes, and the normalized [`Package`] manifest after workspace
//! inheritance and target discovery.
//!
//! crateplan has its own manifest types rather than `cargo_toml`'s: target discovery here must
//! work from a list of file *names* (a `.crate` archive's entries, or the listing the Nix side
//! passes) instead of a filesystem, and the feature table and dependency declarations must stay
//! exactly as written (including `dep:` and `?/`), because the feature resolver interprets them.


pub mod features;
pub mod lints;
pub mod package;
pub mod parse;
pub mod platform;
pub mod schema;
pub mod targets;

pub use package::{normalize, normalize_path, override_dependencies, version_string, DepKind, DepSource, Dependency, Inheritance, Package};
pub use schema::{parse_raw, Inheritable, RawManifest};
