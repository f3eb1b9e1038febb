//! Who may call the report API: named API keys, stored hashed in Secrets Manager, checked by the
//! HTTP API's Lambda authorizer (`functions/report-authorizer`).
//!
//! - [`keys`]: the key list (`{"keys": [{"name", "sha256", "disabled"?}]}`), hashing and the
//!   constant-time check.
//! - [`bearer`]: the key of an `Authorization: Bearer <key>` header.
//! - [`source`]: the list from Secrets Manager, cached per warm environment for a few minutes.
//! - [`authorizer`]: the authorizer's handler (payload format 2.0, simple responses).

pub mod authorizer;
pub mod bearer;
pub mod keys;
pub mod source;

pub use bearer::bearer;
pub use keys::{hash_key, ApiKeys, KeyListError, KeyMatch};
pub use source::{ApiKeySource, ApiKeysError};
