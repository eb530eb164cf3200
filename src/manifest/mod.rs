//! Cargo.toml: the raw TOML shapes, and the normalized [`Package`] manifest after workspace
//! inheritance and target discovery.
//!
//! crateplan has its own manifest types rather than `cargo_toml`'s: target discovery here must
//! work from a list of file *names* (a `.crate` archive's entries, or the listing the Nix side
//! passes) instead of a filesystem, and the feature table and dependency declarations must stay
//! exactly as written (including `dep:` and `?/`), because the feature resolver interprets them.


pub(crate) mod features;
pub(crate) mod lints;
pub(crate) mod names;
pub(crate) mod package;
pub(crate) mod parse;
pub(crate) mod platform;
pub(crate) mod profile;
pub(crate) mod schema;
pub(crate) mod targets;

pub(crate) use package::{normalize, normalize_path, override_dependencies, relative_outside, version_string, DepKind, DepSource, Dependency, Inheritance, Package};
pub(crate) use schema::{parse_raw, Inheritable, RawManifest};
