//! Sorted indexes on a date field (`created_at`, `updated_at`), so a search bounded on one of
//! them only reads the objects in its range instead of parsing every stored object.
//!
//! An entry is the field's value as the search's date test reads it ([`query::as_i64`] of the
//! non-null value at the top-level key), paired with the object's position. Objects without a
//! readable value have no entry: a date range can never match them, so leaving them out keeps
//! "the range's positions" a superset of what the date filter accepts.

use serde_json::Value;

use crate::search::query;

/// `(seconds, position)` pairs of one field, sorted once the store is built.
#[derive(Debug, Default)]
pub struct DateIndex {
    field: &'static str,
    entries: Vec<(i64, u32)>,
}

impl DateIndex {
    pub fn new(field: &'static str) -> Self {
        Self {
            field,
            entries: Vec::new(),
        }
    }

    /// The value this index keeps for an object, if it has one.
    pub fn key(&self, obj: &Value) -> Option<i64> {
        obj.get(self.field)
            .filter(|v| !v.is_null())
            .and_then(query::as_i64)
    }

    /// Records an object while the store is loaded (call [`DateIndex::finish`] afterwards).
    pub fn push(&mut self, obj: &Value, position: u32) {
        if let Some(t) = self.key(obj) {
            self.entries.push((t, position));
        }
    }

    /// Sorts the entries loaded with [`DateIndex::push`].
    pub fn finish(&mut self) {
        self.entries.sort_unstable();
        self.entries.shrink_to_fit();
    }

    /// Moves an object's entry after its value changed from `old` to `new` (a contact update).
    pub fn replace(&mut self, old: &Value, new: &Value, position: u32) {
        let (before, after) = (self.key(old), self.key(new));
        if before == after {
            return;
        }
        if let Some(t) = before {
            if let Ok(at) = self.entries.binary_search(&(t, position)) {
                self.entries.remove(at);
            }
        }
        if let Some(t) = after {
            let at = self
                .entries
                .binary_search(&(t, position))
                .unwrap_or_else(|at| at);
            self.entries.insert(at, (t, position));
        }
    }

    /// Positions of the objects whose value lies in `[from, until)` (open ends unbounded), in
    /// index (not store) order.
    pub fn range(&self, from: Option<i64>, until: Option<i64>) -> impl Iterator<Item = u32> + '_ {
        self.entries[self.bounds(from, until)]
            .iter()
            .map(|&(_, p)| p)
    }

    /// How many objects [`DateIndex::range`] would return, without listing them.
    pub fn count(&self, from: Option<i64>, until: Option<i64>) -> usize {
        self.bounds(from, until).len()
    }

    fn bounds(&self, from: Option<i64>, until: Option<i64>) -> std::ops::Range<usize> {
        let first_at_or_after = |t: i64| self.entries.partition_point(|&(v, _)| v < t);
        let start = from.map_or(0, first_at_or_after);
        let end = until.map_or(self.entries.len(), first_at_or_after);
        start..end.max(start)
    }
}
