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

pub use address::{Address, ResourceId};
pub use delta::{FieldChange, diff};
pub use error::ProviderError;
pub use graph::{DesiredResource, DesiredStack, EnvSettings, RemovalPolicy};
pub use plan::{Action, Plan, ResourceChange, Summary};
pub use provider::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, UpdateRequest,
};
pub use schema::{Prop, Schema, Type};

/// Tag keys lakectl puts on everything taggable, so that ownership can be read back from AWS.
pub mod tags {
    /// The stack that owns the resource.
    pub const STACK: &str = "lakectl:stack";
    /// The environment that owns the resource.
    pub const ENV: &str = "lakectl:env";
    /// The resource's address in the stack file.
    pub const ADDRESS: &str = "lakectl:address";
    /// Prefix shared by all ownership tags.
    pub const PREFIX: &str = "lakectl:";
}
