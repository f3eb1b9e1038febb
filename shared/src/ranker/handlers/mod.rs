//! The ranker's I/O: the clients built once, the reads, the run and the spike.
//!
//! | module | what it holds |
//! |---|---|
//! | [`context`] | configuration and the HubSpot, Yobi and Slack clients |
//! | [`error`] | why a run (or a spike) failed |
//! | [`read`] | §2 the HubSpot universe and property checks, §4 Yobi's tenants and week counts |
//! | [`run`] | §6–§8 one invocation: preflight, read, plan, apply, summary or alert |
//! | [`spike`] | §8 `mode: spike` |

pub mod context;
pub mod error;
pub mod read;
pub mod run;
pub mod spike;

pub use context::{RankerContext, SetupError};
pub use run::{handle, run, Output, RankerError};
