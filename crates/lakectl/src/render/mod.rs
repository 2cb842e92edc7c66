//! Output for people and for machines.

pub mod plan;
pub mod style;
pub mod value;
