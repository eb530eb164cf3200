//! Resolving: the package graph, features and units.

pub mod features;
pub mod graph;
pub mod lto;
pub mod platform;
pub mod profiles;
pub mod rustflags;
pub(crate) mod spec;
pub mod units;
