//! The dynamodb.table resource kind.
