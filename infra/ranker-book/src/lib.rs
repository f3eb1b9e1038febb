//! Test data for the weekly engagement ranker (ENGAGEMENT-RANKER.md): the fixture formats of
//! the HubSpot and Yobi simulators, and a seeded generator of one consistent book of
//! customers across both.
//!
//! - [`HubSpotFixture`]: `{"contacts","companies","associations","properties"}` with HubSpot's
//!   own object shapes (`hubspot-sim --fixture`).
//! - [`YobiFixture`]: `{"users","tenants","daily"}` (`yobi-sim --fixture`).
//! - [`generate`]: one `(customers, seed, as_of)` gives one [`Book`]: the HubSpot portal, the
//!   Yobi account whose tenants and usage belong to the same practices, and the
//!   [`BookTruth`] of how the generator tied them together (never served; for tests).
//!
//! ```
//! let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
//! let book = ranker_book::generate(200, 7, as_of);
//! assert_eq!(book, ranker_book::generate(200, 7, as_of));
//! assert!(book.hubspot.companies.len() > 200);
//! ```

mod book;
mod generate;
mod hubspot;
mod io;
mod normalize;
mod yobi;

pub use book::{Book, BookTruth, CompanyKind, CompanyTruth, Link};
pub use generate::{
    company_property_definitions, generate, scored_week_start, BOOK_YOBI_EMAIL, BOOK_YOBI_PASSWORD,
};
pub use hubspot::{
    Association, CrmObject, HubSpotFixture, CONTACT_TO_COMPANY, CONTACT_TO_COMPANY_PRIMARY,
};
pub use io::FixtureError;
pub use normalize::{email_domain, normalize_domain, normalize_name, GENERIC_EMAIL_DOMAINS};
pub use yobi::{DailyUsage, Tenant, UserActivity, YobiFixture, YobiUser};
