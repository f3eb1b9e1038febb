//! `csat_rating` and `csat_remark` (SERVICE-PERFORMANCE.md §3): the contact's conversation
//! rating.
//!
//! Where §3 is silent: a rating outside 1–5 (or missing) is no rating, and then the remark is not
//! kept either (both null: unrated). A blank remark is null.

use crate::intercom::models::ConversationRating;

/// A conversation's CSAT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Csat {
    /// `conversation_rating.rating`, 1–5; `None` when unrated.
    pub rating: Option<i64>,
    /// `conversation_rating.remark`; `None` when unrated or blank.
    pub remark: Option<String>,
}

/// The CSAT of `conversation_rating` (`None` when Intercom sent `null`).
pub fn csat(rating: Option<&ConversationRating>) -> Csat {
    match rating {
        Some(r) if r.rating.is_some_and(|n| (1..=5).contains(&n)) => Csat {
            rating: r.rating,
            remark: r.remark.clone().filter(|s| !s.trim().is_empty()),
        },
        _ => Csat::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read(v: Value) -> ConversationRating {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn rated_one_to_five_else_unrated() {
        let table = [
            (
                json!({"rating": 5, "remark": "great"}),
                Some(5),
                Some("great"),
            ),
            (json!({"rating": 1, "remark": ""}), Some(1), None),
            (json!({"rating": 3}), Some(3), None),
            (json!({"score": 4, "remark": "ok"}), Some(4), Some("ok")),
            (json!({"rating": 0, "remark": "hm"}), None, None),
            (json!({"rating": 6}), None, None),
            (json!({"rating": null, "remark": "no number"}), None, None),
            (json!({}), None, None),
        ];
        for (v, rating, remark) in table {
            let got = csat(Some(&read(v.clone())));
            assert_eq!((got.rating, got.remark.as_deref()), (rating, remark), "{v}");
        }
        assert_eq!(csat(None), Csat::default());
    }
}
