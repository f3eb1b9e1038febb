//! The HubSpot CRM client of the engagement ranker (ENGAGEMENT-RANKER.md §2, §6, §8): the
//! private-app token from Secrets Manager, CRM search with `after` paging and the 10,000-result
//! ceiling split on `createdate`, associations v4 batch read, company batch read and update
//! (207 partial results), property definitions, and HubSpot's rate limits.

// `HubSpotError::Api` keeps category, correlationId, policyName and the per-record errors for
// the engineer on call; it is large, but errors are rare and never on a hot path.
#![allow(clippy::result_large_err)]

mod client;
mod crm;
mod error;
mod token;

pub use client::{HubSpotClient, HubSpotConfig, DEFAULT_API_BASE};
pub use crm::{
    BatchUpdateOutcome, CompanyUpdate, CrmObject, PropertyDefinition, PropertyOption,
    SearchRequest, UnwrittenRecord, ASSOCIATION_BATCH_MAX, OBJECT_BATCH_MAX, SEARCH_CEILING,
    SEARCH_PAGE_MAX,
};
pub use error::{HubSpotError, RecordError};
pub use token::{HubSpotToken, ACCESS_TOKEN_VARIABLE, SECRET_ID_VARIABLE};
