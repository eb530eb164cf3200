//! Output: the plan, cargo's unit graph, and the staleness check of a committed plan.

pub mod check;
pub mod plan;
pub(crate) mod unit_graph;
pub mod write;
pub mod diff;
