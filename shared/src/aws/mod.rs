//! AWS glue: the Intercom token from Secrets Manager, CSV objects to S3.

pub mod s3;
pub mod secrets;
