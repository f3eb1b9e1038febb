//! The engagement ranker's pure rules: data in, data out; no clock, no network.
//!
//! | module | rule |
//! |---|---|
//! | [`week`] | §1 the scored week in New York |
//! | [`normalize`] | §3 domains, email domains, names |
//! | [`identity`] | §3 company → tenant, in order, with ambiguity |
//! | [`metrics`] | §4 the exact week from daily buckets, staff excluded, coverage |
//! | [`score`] | §5 score, rank, tier |
//! | [`prior`] | §7 last week's rank `"X out of N"` |
//! | [`properties`] | §6 the property definitions and the values written |

pub mod identity;
pub mod metrics;
pub mod normalize;
pub mod prior;
pub mod properties;
pub mod score;
pub mod week;
