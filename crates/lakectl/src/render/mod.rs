//! Output for people and for machines.

pub mod graph;
pub mod plan;
pub mod style;
pub mod svg;
pub mod value;
