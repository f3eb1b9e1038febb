//! Alerts on changes of state (CUSTOMER-SYNC.md §3). A re-run raises nothing new: an alert
//! needs a transition between the stored row and the new one; a new row is a change from
//! nothing.
//!
//! Decisions where the rules are silent (also in docs/customer-sync.md):
//! - A null MRR counts as 0 for `mrr_change` and as "not above 500" for `high_value`.
//! - A null `is_delinquent` is not delinquent.
//! - Values are kept as text: dollars with two decimals (`612.50`), `true`/`false`, or absent.

use serde::Serialize;

use super::money::format_dollars;
use super::row::CustomerRow;

/// MRR above which a customer is high value: 500.00 dollars, in cents.
pub const HIGH_VALUE_MRR_CENTS: i64 = 50_000;

/// The kinds of alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// MRR rose above 500 (new, or previously ≤ 500).
    HighValue,
    /// `mentioned_cancel` turned true.
    CancelMention,
    /// `is_delinquent` turned true.
    Delinquent,
    /// MRR changed by more than 50% of a previous value above 0.
    MrrChange,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        Self::HighValue,
        Self::CancelMention,
        Self::Delinquent,
        Self::MrrChange,
    ];

    /// As stored in `customer_alerts.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HighValue => "high_value",
            Self::CancelMention => "cancel_mention",
            Self::Delinquent => "delinquent",
            Self::MrrChange => "mrr_change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One alert: a row of `customer_alerts` without the run id and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The customer's email (the row's key).
    pub email: String,
    pub kind: AlertKind,
    /// The value before, as text; `None` when there was none.
    pub previous: Option<String>,
    /// The value now, as text.
    pub new: Option<String>,
}

fn money(cents: Option<i64>) -> Option<String> {
    cents.map(format_dollars)
}

fn flag(b: Option<bool>) -> Option<String> {
    b.map(|b| b.to_string())
}

/// The alerts raised by writing `new` over `old` (`None`: no row before).
pub fn alerts(old: Option<&CustomerRow>, new: &CustomerRow) -> Vec<Alert> {
    let mut out = Vec::new();
    let mut raise = |kind, previous, new_value| {
        out.push(Alert {
            email: new.email.as_str().to_string(),
            kind,
            previous,
            new: new_value,
        })
    };
    let old_mrr = old.and_then(|o| o.mrr_cents);
    let new_mrr = new.mrr_cents;
    if new_mrr.unwrap_or(0) > HIGH_VALUE_MRR_CENTS && old_mrr.unwrap_or(0) <= HIGH_VALUE_MRR_CENTS {
        raise(AlertKind::HighValue, money(old_mrr), money(new_mrr));
    }
    if new.mentioned_cancel && !old.is_some_and(|o| o.mentioned_cancel) {
        raise(
            AlertKind::CancelMention,
            old.map(|o| o.mentioned_cancel.to_string()),
            Some("true".into()),
        );
    }
    let was_delinquent = old.and_then(|o| o.is_delinquent);
    if new.is_delinquent == Some(true) && was_delinquent != Some(true) {
        raise(
            AlertKind::Delinquent,
            flag(was_delinquent),
            flag(new.is_delinquent),
        );
    }
    if let Some(before) = old_mrr.filter(|m| *m > 0) {
        let after = new_mrr.unwrap_or(0);
        if (after - before).abs() * 2 > before {
            raise(AlertKind::MrrChange, money(old_mrr), money(new_mrr));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::rules::email::Email;
    use proptest::prelude::*;

    fn row(mrr: Option<i64>, cancel: bool, delinquent: Option<bool>) -> CustomerRow {
        CustomerRow {
            mrr_cents: mrr,
            mentioned_cancel: cancel,
            is_delinquent: delinquent,
            ..CustomerRow::empty(Email::parse(Some("a@x.com")).unwrap(), "c1")
        }
    }

    fn kinds(old: Option<&CustomerRow>, new: &CustomerRow) -> Vec<AlertKind> {
        alerts(old, new).into_iter().map(|a| a.kind).collect()
    }

    #[test]
    fn transitions() {
        use AlertKind::*;
        let r = row;
        let cases: Vec<(Option<CustomerRow>, CustomerRow, Vec<AlertKind>)> = vec![
            // New rows: a change from nothing.
            (
                None,
                r(Some(50_001), true, Some(true)),
                vec![HighValue, CancelMention, Delinquent],
            ),
            (None, r(Some(50_000), false, Some(false)), vec![]),
            (None, r(None, false, None), vec![]),
            // High value: crossing 500 upwards only.
            (
                Some(r(Some(40_000), false, None)),
                r(Some(55_000), false, None),
                vec![HighValue],
            ),
            (
                Some(r(Some(50_000), false, None)),
                r(Some(50_001), false, None),
                vec![HighValue],
            ),
            (
                Some(r(Some(60_000), false, None)),
                r(Some(70_000), false, None),
                vec![],
            ),
            (
                Some(r(None, false, None)),
                r(Some(60_000), false, None),
                vec![HighValue],
            ),
            // MRR change: more than 50% of a previous value above 0.
            (
                Some(r(Some(10_000), false, None)),
                r(Some(15_000), false, None),
                vec![],
            ),
            (
                Some(r(Some(10_000), false, None)),
                r(Some(15_001), false, None),
                vec![MrrChange],
            ),
            (
                Some(r(Some(10_000), false, None)),
                r(Some(5_000), false, None),
                vec![],
            ),
            (
                Some(r(Some(10_000), false, None)),
                r(Some(4_999), false, None),
                vec![MrrChange],
            ),
            (
                Some(r(Some(10_000), false, None)),
                r(Some(0), false, None),
                vec![MrrChange],
            ),
            (
                Some(r(Some(10_000), false, None)),
                r(None, false, None),
                vec![MrrChange],
            ),
            (
                Some(r(Some(0), false, None)),
                r(Some(9_000), false, None),
                vec![],
            ),
            (
                Some(r(Some(30_000), false, None)),
                r(Some(60_000), false, None),
                vec![HighValue, MrrChange],
            ),
            // Flags turning true; staying true raises nothing.
            (
                Some(r(None, false, None)),
                r(None, true, None),
                vec![CancelMention],
            ),
            (Some(r(None, true, None)), r(None, true, None), vec![]),
            (Some(r(None, true, None)), r(None, false, None), vec![]),
            (
                Some(r(None, false, Some(false))),
                r(None, false, Some(true)),
                vec![Delinquent],
            ),
            (
                Some(r(None, false, None)),
                r(None, false, Some(true)),
                vec![Delinquent],
            ),
            (
                Some(r(None, false, Some(true))),
                r(None, false, Some(true)),
                vec![],
            ),
        ];
        for (old, new, want) in cases {
            assert_eq!(kinds(old.as_ref(), &new), want, "{old:?} → {new:?}");
        }
        let a = alerts(
            Some(&r(Some(30_000), false, None)),
            &r(Some(60_000), false, None),
        );
        assert_eq!(a[1].previous.as_deref(), Some("300.00"));
        assert_eq!(a[1].new.as_deref(), Some("600.00"));
        assert_eq!(a[0].email, "a@x.com");
    }

    proptest! {
        /// Writing the same row again raises nothing.
        #[test]
        fn rerun_raises_nothing(mrr in prop::option::of(0i64..200_000), cancel in any::<bool>(), del in prop::option::of(any::<bool>())) {
            let new = row(mrr, cancel, del);
            prop_assert!(alerts(Some(&new), &new).is_empty());
        }
    }
}
