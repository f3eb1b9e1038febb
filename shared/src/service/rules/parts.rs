//! The conversation parts a row is computed from: their order in time, and whether Intercom
//! returned all of them (SERVICE-PERFORMANCE.md §3: at most the 500 most recent parts).

use std::cmp::Ordering;

use crate::intercom::models::{ConversationPart, ConversationParts, ConversationStatistics};

/// Orders two parts in time: by `created_at`, then by `id` (Intercom numbers parts in creation
/// order; numeric ids compare as numbers, by length first). Parts without `created_at` sort
/// first; callers that need a time skip them. The order never depends on the order Intercom
/// sent the parts in, so a row is the same for any permutation of its parts.
pub fn chronological(a: &ConversationPart, b: &ConversationPart) -> Ordering {
    order_key(a).cmp(&order_key(b))
}

fn order_key(p: &ConversationPart) -> (Option<i64>, usize, &str) {
    let id = p.id.as_deref().unwrap_or("");
    (p.created_at, id.len(), id)
}

/// `parts_truncated`: Intercom has more parts than it returned, i.e.
/// `statistics.count_conversation_parts` (or the list's own `total_count`) exceeds the number of
/// parts in `parts`.
pub fn is_truncated(stats: Option<&ConversationStatistics>, parts: &ConversationParts) -> bool {
    let returned = i64::try_from(parts.parts.len()).unwrap_or(i64::MAX);
    let counted = stats.and_then(|s| s.count_conversation_parts);
    [counted, parts.total_count]
        .into_iter()
        .flatten()
        .any(|total| total > returned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::part;
    use serde_json::json;

    fn list(n: usize, total_count: Option<i64>) -> ConversationParts {
        ConversationParts {
            parts: (0..n)
                .map(|i| part(i as u32, "comment", 10 + i as i64, "admin"))
                .collect(),
            total_count,
        }
    }

    fn stats(count: Option<i64>) -> ConversationStatistics {
        serde_json::from_value(json!({"count_conversation_parts": count})).unwrap()
    }

    #[test]
    fn truncated_when_intercom_counts_more_parts_than_it_returned() {
        let table = [
            // (parts returned, count_conversation_parts, total_count, truncated)
            (500, Some(520), Some(500), true),
            (500, Some(500), Some(500), false),
            (3, Some(3), None, false),
            (3, Some(2), None, false), // fewer counted than returned: nothing is missing
            (3, None, None, false),    // no count: nothing says parts are missing
            (3, None, Some(4), true),  // the list itself says more exist
            (0, Some(1), Some(0), true),
        ];
        for (n, count, total, want) in table {
            let got = is_truncated(Some(&stats(count)), &list(n, total));
            assert_eq!(got, want, "{n} returned, count {count:?}, total {total:?}");
        }
        assert!(!is_truncated(None, &list(2, None)), "no statistics");
    }

    #[test]
    fn order_is_time_then_numeric_id() {
        let mut ps = [
            part(10, "comment", 5, "admin"),
            part(9, "comment", 5, "user"),
            part(100, "comment", 4, "user"),
            part(2, "comment", 6, "user"),
        ];
        ps.sort_by(chronological);
        let ids: Vec<_> = ps.iter().map(|p| p.id.clone().unwrap()).collect();
        assert_eq!(ids, ["100", "9", "10", "2"]);
    }
}
