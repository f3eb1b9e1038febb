//! Result snapshots behind search cursors: the first page computes the matching positions once;
//! later pages slice the snapshot their cursor names.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::fields::Model;

/// Snapshots kept at once; the least recently used is dropped first.
pub const SNAPSHOT_CAPACITY: usize = 64;

/// The positions (into the store's object list) of every match, in answer order.
#[derive(Debug)]
pub struct Snapshot {
    pub model: Model,
    pub positions: Vec<u32>,
}

/// Where a cursor points: a snapshot and the offset of the next page in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorTarget {
    pub snapshot: u64,
    pub offset: usize,
}

#[derive(Debug)]
pub struct SnapshotCache {
    /// Distinguishes this server's cursors from another run's.
    instance: u64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    entries: VecDeque<(u64, Arc<Snapshot>)>,
}

impl SnapshotCache {
    pub fn new(instance: u64) -> Self {
        Self {
            instance,
            inner: Mutex::default(),
        }
    }

    /// Keeps a snapshot; returns its id and a handle to it.
    pub fn insert(&self, snapshot: Snapshot) -> (u64, Arc<Snapshot>) {
        let snapshot = Arc::new(snapshot);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.next_id += 1;
        let id = inner.next_id;
        inner.entries.push_back((id, snapshot.clone()));
        while inner.entries.len() > SNAPSHOT_CAPACITY {
            inner.entries.pop_front();
        }
        (id, snapshot)
    }

    pub fn get(&self, id: u64) -> Option<Arc<Snapshot>> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let at = inner.entries.iter().position(|(i, _)| *i == id)?;
        let entry = inner.entries.remove(at)?;
        let snapshot = entry.1.clone();
        inner.entries.push_back(entry);
        Some(snapshot)
    }

    /// An opaque cursor (base64 of a small JSON array, like Intercom's).
    pub fn cursor(&self, target: CursorTarget) -> String {
        STANDARD.encode(format!(
            "[{},{},{}]",
            self.instance, target.snapshot, target.offset
        ))
    }

    /// Decodes a cursor issued by this server; `None` for anything else.
    pub fn decode(&self, cursor: &str) -> Option<CursorTarget> {
        let bytes = STANDARD.decode(cursor.trim()).ok()?;
        let parts: Vec<u64> = serde_json::from_slice(&bytes).ok()?;
        match parts[..] {
            [instance, snapshot, offset] if instance == self.instance => Some(CursorTarget {
                snapshot,
                offset: usize::try_from(offset).ok()?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let cache = SnapshotCache::new(9);
        let t = CursorTarget {
            snapshot: 3,
            offset: 150,
        };
        assert_eq!(cache.decode(&cache.cursor(t)), Some(t));
        assert_eq!(SnapshotCache::new(8).decode(&cache.cursor(t)), None);
        assert_eq!(cache.decode("not a cursor"), None);
    }

    #[test]
    fn least_recently_used_snapshots_are_evicted() {
        let cache = SnapshotCache::new(1);
        let (first, _) = cache.insert(Snapshot {
            model: Model::Contact,
            positions: vec![],
        });
        for _ in 0..SNAPSHOT_CAPACITY {
            cache.insert(Snapshot {
                model: Model::Contact,
                positions: vec![],
            });
        }
        assert!(cache.get(first).is_none());
    }
}
