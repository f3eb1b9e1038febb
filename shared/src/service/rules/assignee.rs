//! `assignee_id`, `assignee_name`, `team_id` (SERVICE-PERFORMANCE.md §3).

use crate::intercom::{AdminNames, Conversation};

/// Who holds a conversation at sync time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignee {
    /// `admin_assignee_id`; `None` when unassigned (`null` in 2.11, `0` in 2.16). Never
    /// `assignee.id`.
    pub id: Option<String>,
    /// The admin's name from `GET /admins`; `None` when unassigned, unknown or unnamed.
    pub name: Option<String>,
    /// `team_assignee_id`; `None` when no team (`null` or `0`).
    pub team_id: Option<String>,
}

/// The assignee of `conv`, named from `admins`.
pub fn assignee(conv: &Conversation, admins: &AdminNames) -> Assignee {
    let id = conv.admin_assignee_id.clone();
    Assignee {
        name: id
            .as_deref()
            .and_then(|id| admins.name(id))
            .map(str::to_string),
        id,
        team_id: conv.team_assignee_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intercom::Admin;
    use crate::service::rules::testing::conv;
    use serde_json::json;

    #[test]
    fn unassigned_as_null_or_zero_and_names_from_admins() {
        let admins: Vec<Admin> =
            serde_json::from_value(json!([{"id": 7, "name": "Ada"}, {"id": "8"}])).unwrap();
        let names = AdminNames::new(&admins);
        let table = [
            (json!(null), json!(null), None, None, None),
            (json!(0), json!(0), None, None, None),
            (json!("0"), json!(5017691), None, None, Some("5017691")),
            (json!(7), json!(null), Some("7"), Some("Ada"), None),
            (json!("7"), json!("12"), Some("7"), Some("Ada"), Some("12")),
            (json!(8), json!(0), Some("8"), None, None), // no name
            (json!(9), json!(0), Some("9"), None, None), // not in GET /admins
        ];
        for (admin, team, id, name, team_id) in table {
            let c = conv(json!({"admin_assignee_id": admin, "team_assignee_id": team}));
            let got = assignee(&c, &names);
            assert_eq!(
                (
                    got.id.as_deref(),
                    got.name.as_deref(),
                    got.team_id.as_deref()
                ),
                (id, name, team_id),
                "{admin} {team}"
            );
        }
    }
}
