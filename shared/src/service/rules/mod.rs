//! The pure rules of SERVICE-PERFORMANCE.md §2 and §3: data in, data out. Nothing here reads
//! the clock, the environment or the network; the reporting zone and the sync instant are passed
//! in. Each file holds one rule; every decision taken where the rules page is silent is written
//! in the file that takes it and collected in docs/service-performance.md.
//!
//! | module | rule |
//! |---|---|
//! | [`started`] | `started_at`, and its local date, hour and weekday in the reporting zone (§2) |

pub mod started;

#[cfg(test)]
pub(crate) mod testing;
