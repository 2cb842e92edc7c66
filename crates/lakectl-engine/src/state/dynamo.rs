//! The state store on DynamoDB.
