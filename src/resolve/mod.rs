//! Resolving: the package graph, features and units.

pub mod features;
pub mod graph;
pub mod platform;
pub(crate) mod spec;
pub mod units;
