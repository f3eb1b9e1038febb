//! placeholder
use crate::workspace::Workspace;
pub fn generate(_members: usize, _seed: u64, _as_of: chrono::NaiveDate) -> Workspace { Workspace::default() }
