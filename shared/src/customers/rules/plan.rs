//! The plan of one batch: for each matched contact's row, insert, update or leave alone, and the
//! alerts the write raises. Pure: the job reads the stored rows, calls [`plan`], then applies.

use std::collections::HashMap;

use super::alerts::{alerts, Alert};
use super::email::Email;
use super::row::CustomerRow;

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// No row had this email (`new_contacts`).
    Insert,
    /// An Intercom-owned column changed (`updated_contacts`).
    Update,
    /// Nothing changed: nothing is written.
    Unchanged,
}

/// One planned row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub row: CustomerRow,
    pub alerts: Vec<Alert>,
}

/// Compares each of `rows` with the stored row of its email (`stored`).
pub fn plan(rows: Vec<CustomerRow>, stored: &HashMap<Email, CustomerRow>) -> Vec<Change> {
    rows.into_iter()
        .map(|row| {
            let old = stored.get(&row.email);
            let action = match old {
                None => Action::Insert,
                Some(old) if *old == row => Action::Unchanged,
                Some(_) => Action::Update,
            };
            let alerts = match action {
                Action::Unchanged => Vec::new(),
                _ => alerts(old, &row),
            };
            Change {
                action,
                row,
                alerts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::rules::alerts::AlertKind;

    fn row(email: &str, mrr: Option<i64>) -> CustomerRow {
        CustomerRow {
            mrr_cents: mrr,
            ..CustomerRow::empty(Email::parse(Some(email)).unwrap(), "c")
        }
    }

    #[test]
    fn insert_update_unchanged() {
        let stored: HashMap<Email, CustomerRow> =
            [row("b@x.com", Some(100)), row("c@x.com", Some(40_000))]
                .into_iter()
                .map(|r| (r.email.clone(), r))
                .collect();
        let p = plan(
            vec![
                row("a@x.com", Some(60_000)),
                row("b@x.com", Some(100)),
                row("c@x.com", Some(90_000)),
            ],
            &stored,
        );
        let actions: Vec<Action> = p.iter().map(|c| c.action).collect();
        assert_eq!(actions, [Action::Insert, Action::Unchanged, Action::Update]);
        assert_eq!(
            p[0].alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [AlertKind::HighValue]
        );
        assert!(p[1].alerts.is_empty());
        assert_eq!(
            p[2].alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [AlertKind::HighValue, AlertKind::MrrChange]
        );
        // Applying the plan and planning again: all unchanged, no alerts.
        let stored: HashMap<Email, CustomerRow> = p
            .iter()
            .map(|c| (c.row.email.clone(), c.row.clone()))
            .collect();
        let again = plan(p.into_iter().map(|c| c.row).collect(), &stored);
        assert!(again
            .iter()
            .all(|c| c.action == Action::Unchanged && c.alerts.is_empty()));
    }
}
