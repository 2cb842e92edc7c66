//! The iam.role resource kind.
