//! lakectl's model: addresses, kind schemas, the delta, the plan and the provider trait.
//!
//! This crate has no AWS dependency and does no I/O. Everything here is plain data or a
//! pure function of its inputs, so the loader, the diff and the plan are unit-tested
//! without any network.

pub mod address;
pub mod delta;
pub mod error;
pub mod graph;
pub mod plan;
pub mod provider;
pub mod refs;
pub mod schema;
pub mod tags;

pub use address::{Address, ResourceId};
pub use delta::{FieldChange, diff};
pub use error::{ErrorClass, ProviderError};
pub use graph::{DesiredResource, DesiredStack, EnvSettings, RemovalPolicy};
pub use plan::{Action, Detail, Plan, ResourceChange, Summary};
pub use provider::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, UpdateRequest,
};
pub use schema::{Prop, Schema, Type};
