//! lakectl's state table on DynamoDB: what each stack/env owns, the intent of in-flight
//! changes, the outputs, and the deploy lock. The engine sees it only through its
//! [`lakectl_engine::state::StateStore`] trait, so the engine itself talks to no AWS service.

// Errors carry the table, the operation and AWS's answer, which makes them larger than clippy
// likes; they are built once per failure.
#![allow(clippy::result_large_err)]

mod dynamo;

pub use dynamo::{DEFAULT_TABLE, DynamoStateStore};
