//! Pushing an instant window down to Intercom's day-granular date search (RULES.md §3).

use super::query::SearchQuery;

/// How far each side of a pushed-down window is widened, in seconds: two days.
///
/// Intercom truncates a date filter to the calendar day in the workspace's time zone, which we do
/// not know: `field > t` matches from the start of the local day after `t`'s, `field < t` matches
/// before the start of `t`'s local day. `from - W` must therefore fall on an earlier local day
/// than `from` (and `to + W` on a later one than `to`) in every zone. One day of 86,400 s is not
/// enough: on a 25-hour fall-back day, `from` late in the day minus 86,400 s is still the same
/// local day, and `>` would then start after `from`. Two consecutive days never exceed 50 hours,
/// so 172,800 s always crosses at least one day boundary.
pub const DATE_WINDOW_MARGIN_SECS: i64 = 2 * 86_400;

/// A search query covering every instant in `[from, to]` (unix seconds) for the DATE field
/// `field` (e.g. `updated_at`, `custom_attributes.Enrolled Date`), whatever the workspace time
/// zone: `AND[field > from - 2d, field < to + 2d]`.
///
/// It over-selects by up to about three days on each side; callers apply the exact window to
/// what comes back.
pub fn date_window(field: &str, from: i64, to: i64) -> SearchQuery {
    SearchQuery::and([
        SearchQuery::field(field).gt(from.saturating_sub(DATE_WINDOW_MARGIN_SECS)),
        SearchQuery::field(field).lt(to.saturating_add(DATE_WINDOW_MARGIN_SECS)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn widens_both_sides_by_two_days() {
        let q = date_window("updated_at", 1_000_000, 2_000_000);
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            json!({"operator": "AND", "value": [
                {"field": "updated_at", "operator": ">", "value": 1_000_000 - 172_800},
                {"field": "updated_at", "operator": "<", "value": 2_000_000 + 172_800}
            ]})
        );
        q.validate().unwrap();
    }
}
