//! Observe, diff and apply; the state table, ownership and the deploy lock.

pub mod state;
