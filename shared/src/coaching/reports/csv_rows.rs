//! The CSV form of each report's rows ([`TabularRow`]). Columns are the JSON field names, in the
//! JSON order, so a spreadsheet and a script see the same names.
//!
//! Cells: null → empty; booleans `true`/`false`; numbers in decimal; instants RFC 3339 UTC and
//! dates YYYY-MM-DD as in JSON; arrays joined with `"; "`. A caseload member's `coaches` reads
//! `Alice Smith (12); Bob Jones (34)`, with `(56)` alone for an admin without a known name.

use crate::coaching::reports::billing::BillingRow;
use crate::coaching::reports::caseload::{CaseloadMember, CoachRef};
use crate::coaching::reports::model::SessionRow;
use crate::coaching::reports::new_participants::Participant;
use crate::coaching::reports::TabularRow;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn coach_cell(c: &CoachRef) -> String {
    match &c.name {
        Some(name) => format!("{name} ({})", c.id),
        None => format!("({})", c.id),
    }
}

impl TabularRow for SessionRow {
    const CSV_HEADER: &'static [&'static str] = &[
        "conversationId",
        "memberIds",
        "coachId",
        "coachName",
        "channel",
        "serviceCode",
        "sessionAt",
        "sessionDate",
        "daysAgo",
    ];

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.conversation_id.clone(),
            self.member_ids.join("; "),
            opt(&self.coach_id),
            opt(&self.coach_name),
            self.channel.clone(),
            opt(&self.service_code),
            self.session_at.clone(),
            self.session_date.clone(),
            self.days_ago.to_string(),
        ]
    }
}

impl TabularRow for CaseloadMember {
    const CSV_HEADER: &'static [&'static str] = &[
        "memberId",
        "externalId",
        "memberName",
        "employer",
        "lastSessionAt",
        "lastSessionDate",
        "daysSinceLastSession",
        "bucket",
        "channels",
        "channelCombination",
        "coaches",
        "sessionCount",
    ];

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.member_id.clone(),
            opt(&self.external_id),
            opt(&self.member_name),
            opt(&self.employer),
            self.last_session_at.clone(),
            self.last_session_date.clone(),
            self.days_since_last_session.to_string(),
            self.bucket.as_str().to_string(),
            self.channels.join("; "),
            self.channel_combination.clone(),
            self.coaches
                .iter()
                .map(coach_cell)
                .collect::<Vec<_>>()
                .join("; "),
            self.session_count.to_string(),
        ]
    }
}

impl TabularRow for Participant {
    const CSV_HEADER: &'static [&'static str] = &[
        "memberId",
        "externalId",
        "memberName",
        "employer",
        "enrolledDate",
        "lastSessionAt",
        "daysWithoutSession",
        "bucket",
        "coachId",
        "coachName",
    ];

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.member_id.clone(),
            opt(&self.external_id),
            opt(&self.member_name),
            opt(&self.employer),
            self.enrolled_date.clone(),
            opt(&self.last_session_at),
            self.days_without_session.to_string(),
            self.bucket
                .map(|b| b.as_str().to_string())
                .unwrap_or_default(),
            opt(&self.coach_id),
            opt(&self.coach_name),
        ]
    }
}

impl TabularRow for BillingRow {
    const CSV_HEADER: &'static [&'static str] = &[
        "memberId",
        "memberName",
        "memberEmail",
        "employer",
        "registrationAt",
        "lastSessionAt",
        "isNewParticipant",
        "engagedDuringMonth",
        "coachId",
        "coachName",
    ];

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.member_id.clone(),
            opt(&self.member_name),
            opt(&self.member_email),
            opt(&self.employer),
            opt(&self.registration_at),
            opt(&self.last_session_at),
            self.is_new_participant.to_string(),
            self.engaged_during_month.to_string(),
            opt(&self.coach_id),
            opt(&self.coach_name),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::rules::buckets::{CaseloadBucket, NewParticipantBucket};
    use serde_json::Value;

    /// The cell a JSON value flattens to: null → "", scalars as text, arrays of scalars joined.
    fn flatten(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(flatten).collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        }
    }

    /// The header is exactly the JSON field names, and each cell is its field flattened
    /// (except `skip`, checked by the caller).
    fn assert_matches_json<R: TabularRow>(row: &R, skip: &[&str]) {
        let json = serde_json::to_value(row).unwrap();
        let fields = json.as_object().unwrap();
        let record = row.csv_record();
        assert_eq!(R::CSV_HEADER.len(), fields.len(), "one column per field");
        assert_eq!(record.len(), R::CSV_HEADER.len(), "one cell per column");
        for (name, cell) in R::CSV_HEADER.iter().zip(&record) {
            let value = fields
                .get(*name)
                .unwrap_or_else(|| panic!("no field {name}"));
            if !skip.contains(name) {
                assert_eq!(cell, &flatten(value), "{name}");
            }
        }
    }

    fn session_row(coach: Option<&str>) -> SessionRow {
        SessionRow {
            conversation_id: "c1".into(),
            member_ids: vec!["a".into(), "b".into()],
            coach_id: coach.map(str::to_string),
            coach_name: coach.map(|_| "Alice Smith".into()),
            channel: "Video Conference".into(),
            service_code: None,
            session_at: "2026-04-10T14:00:00Z".into(),
            session_date: "2026-04-10".into(),
            days_ago: 5,
        }
    }

    #[test]
    fn session_rows() {
        for row in [session_row(Some("1")), session_row(None)] {
            assert_matches_json(&row, &[]);
        }
        assert_eq!(
            session_row(Some("1")).csv_record(),
            [
                "c1",
                "a; b",
                "1",
                "Alice Smith",
                "Video Conference",
                "",
                "2026-04-10T14:00:00Z",
                "2026-04-10",
                "5"
            ]
        );
    }

    #[test]
    fn caseload_members() {
        let row = CaseloadMember {
            member_id: "a".into(),
            external_id: None,
            member_name: Some("Ann Lee".into()),
            employer: Some("Acme".into()),
            last_session_at: "2026-04-14T14:00:00Z".into(),
            last_session_date: "2026-04-14".into(),
            days_since_last_session: 1,
            bucket: CaseloadBucket::Bucket1,
            channels: vec!["Phone".into(), "Email".into()],
            channel_combination: "Phone + Email".into(),
            coaches: vec![
                CoachRef {
                    id: "1".into(),
                    name: Some("Alice Smith".into()),
                },
                CoachRef {
                    id: "9".into(),
                    name: None,
                },
            ],
            session_count: 3,
        };
        assert_matches_json(&row, &["coaches"]);
        let record = row.csv_record();
        assert_eq!(record[8], "Phone; Email");
        assert_eq!(record[10], "Alice Smith (1); (9)");
        assert_eq!(record[7], "bucket_1");
    }

    #[test]
    fn participants() {
        let mut row = Participant {
            member_id: "p".into(),
            external_id: Some("ext-p".into()),
            member_name: None,
            employer: None,
            enrolled_date: "2026-03-20".into(),
            last_session_at: None,
            days_without_session: 26,
            bucket: Some(NewParticipantBucket::Gt21To28),
            coach_id: Some("3".into()),
            coach_name: None,
        };
        assert_matches_json(&row, &[]);
        assert_eq!(row.csv_record()[7], "gt_21_to_28");
        row.bucket = None;
        assert_matches_json(&row, &[]);
        assert_eq!(row.csv_record()[7], "");
    }

    #[test]
    fn billing_rows() {
        let row = BillingRow {
            member_id: "g".into(),
            member_name: Some("Gil".into()),
            member_email: None,
            employer: Some("Globex".into()),
            registration_at: Some("2026-03-02".into()),
            last_session_at: None,
            is_new_participant: true,
            engaged_during_month: false,
            coach_id: Some("7".into()),
            coach_name: None,
        };
        assert_matches_json(&row, &[]);
        assert_eq!(
            row.csv_record(),
            [
                "g",
                "Gil",
                "",
                "Globex",
                "2026-03-02",
                "",
                "true",
                "false",
                "7",
                ""
            ]
        );
    }
}
