//! The pure rules of CUSTOMER-SYNC.md: data in, data out; no clock, network or database.
//!
//! | module | what it decides |
//! |---|---|
//! | [`email`] | the key (§1): parsing, lower-casing, which duplicate wins |
//! | [`money`] | exact cents, half-even rounding once, dollars read from their decimal text |
//! | [`revenue`] | the Stripe columns (§2): MRR, ARR, subscription count, LTV, invalid data |
//! | [`keywords`] | the cancel-keyword matcher (§2) |
//! | [`activity`] | support columns (§2): counts, open tickets, CSAT, cancel mentions |
//! | [`quality`] | the quality score (§2) |
//! | [`row`] | one `unified_customers` row from a contact, its revenue and activity |
//! | [`alerts`] | alerts on changes of state (§3) |
//! | [`plan`] | insert / update / unchanged for a batch of rows, with their alerts |

pub mod activity;
pub mod alerts;
pub mod email;
pub mod keywords;
pub mod money;
pub mod plan;
pub mod quality;
pub mod revenue;
pub mod row;
