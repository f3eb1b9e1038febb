//! Pure business rules of RULES.md: data in, data out. Nothing here reads the clock, the
//! environment or the network; the as-of instant and the reporting time zone are passed in.

pub mod billing;
pub mod buckets;
pub mod classes;
pub mod engagement;
pub mod export;
pub mod referral;
pub mod sessions;
pub mod thresholds;
pub mod time;
