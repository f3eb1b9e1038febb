//! The support workspace's teams, teammates and bots.

use serde_json::{json, Value};

use super::super::people::ascii_fold;

/// (id, name, share of incoming conversations in percent)
pub const TEAMS: &[(&str, &str, u32)] = &[
    ("5200001", "Customer Support", 50),
    ("5200002", "Billing", 20),
    ("5200003", "Technical Support", 24),
    ("5200004", "VIP Support", 6),
];

/// (id, name, index into TEAMS)
pub const ADMINS: &[(&str, &str, usize)] = &[
    ("7200001", "Alex Morgan", 0),
    ("7200002", "Bianca Rossi", 0),
    ("7200003", "Chidi Okeke", 0),
    ("7200004", "Dana Kowalczyk", 0),
    ("7200005", "Émile Laurent", 0),
    ("7200006", "Fatima Haddad", 0),
    ("7200007", "Gustavo Lima", 1),
    ("7200008", "Hana Sato", 1),
    ("7200009", "Ian McAllister", 1),
    ("7200010", "Jonas Berg", 2),
    ("7200011", "Kavya Iyer", 2),
    ("7200012", "Liam O'Neill", 2),
    ("7200013", "Marta Nowak", 2),
    ("7200014", "Nadia Petrova", 3),
    ("7200015", "Owen Price", 3),
];

/// Intercom's AI agent: its parts have `author.type = bot` and `from_ai_agent`.
pub const FIN: &str = "7299001";
/// Workflows and assignment rules: a bot without AI flags.
pub const OPERATOR: &str = "7299002";

/// Admins of a team, as indexes into ADMINS.
pub fn members(team: usize) -> impl Iterator<Item = usize> {
    ADMINS
        .iter()
        .enumerate()
        .filter(move |(_, a)| a.2 == team)
        .map(|(i, _)| i)
}

/// An admin's work email, from their name.
pub fn email(name: &str) -> String {
    let first = ascii_fold(name.split(' ').next().unwrap_or(name));
    let last = ascii_fold(name.rsplit(' ').next().unwrap_or(""));
    format!("{first}.{last}@support.example.com")
}

/// Admins, then teams, then bots: the entries of the fixture's `admins` list.
pub fn entries() -> Vec<Value> {
    let admins = ADMINS.iter().map(|(id, name, team)| {
        let title = if TEAMS[*team].0 == "5200003" {
            "Support Engineer"
        } else {
            "Support Specialist"
        };
        json!({
            "type": "admin", "id": id, "name": name, "email": email(name), "job_title": title,
            "away_mode_enabled": false, "away_mode_reassign": false, "has_inbox_seat": true,
            "team_ids": [TEAMS[*team].0.parse::<i64>().unwrap_or(0)],
        })
    });
    let teams = TEAMS.iter().enumerate().map(|(t, (id, name, _))| {
        let admin_ids: Vec<i64> = members(t)
            .map(|a| ADMINS[a].0.parse().unwrap_or(0))
            .collect();
        json!({"type": "team", "id": id, "name": name, "admin_ids": admin_ids})
    });
    let bots = [(FIN, "Fin"), (OPERATOR, "Operator")].map(|(id, name)| {
        json!({"type": "bot", "id": id, "name": name,
               "email": format!("operator+{}@intercom.io", crate::render::DEFAULT_WORKSPACE_ID)})
    });
    admins.chain(teams).chain(bots).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_team_has_admins_and_emails_are_ascii() {
        for t in 0..TEAMS.len() {
            assert!(members(t).count() >= 2, "team {t}");
        }
        assert_eq!(email("Émile Laurent"), "emile.laurent@support.example.com");
        assert_eq!(email("Liam O'Neill"), "liam.oneill@support.example.com");
        let entries = entries();
        assert_eq!(entries.len(), ADMINS.len() + TEAMS.len() + 2);
        assert_eq!(
            entries[ADMINS.len()]["admin_ids"].as_array().unwrap().len(),
            6
        );
    }
}
