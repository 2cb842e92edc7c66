//! The s3.bucket resource kind.
