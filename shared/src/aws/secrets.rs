//! The Intercom access token from Secrets Manager.
