//! How to plan and how to apply.

/// What a plan aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanMode {
    /// Make AWS match the stack files; delete what the stack no longer declares.
    #[default]
    Deploy,
    /// Delete everything the stack owns.
    Destroy,
}

/// Options of [`crate::Engine::plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Deploy or destroy.
    pub mode: PlanMode,
    /// At most this many observations at once (0 counts as 1).
    pub concurrency: usize,
    /// Only these addresses and what they depend on; everything when empty.
    pub targets: Vec<lakectl_core::Address>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mode: PlanMode::Deploy,
            concurrency: 16,
            targets: Vec::new(),
        }
    }
}

/// Options of [`crate::Engine::apply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyOptions {
    /// At most this many provider calls at once (0 counts as 1).
    pub concurrency: usize,
    /// Allow deletes and replaces that destroy data (never in an env that retains data).
    pub allow_data_loss: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: 16,
            allow_data_loss: false,
        }
    }
}
