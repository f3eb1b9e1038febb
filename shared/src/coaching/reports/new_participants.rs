//! The new participants report (RULES.md §9): members enrolled within the lookback, how many
//! days they have gone without a coaching session, and their coach.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::coaching::jobs::engagement_export::DateRange;
use crate::coaching::reports::model::{
    dedupe, dedupe_contacts, employer, is_member, rfc3339_of, ReportContext, ReportFilters, Session,
};
use crate::coaching::rules::buckets::NewParticipantBucket;
use crate::intercom::models::Contact;
use crate::time::{days_since_date, local_date, utc_date, ymd};

/// `summary` of the new participants report, over the filtered participants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewParticipantsSummary {
    /// Participants with 14–21 days without a session.
    pub gt_14_to_21: usize,
    /// Participants with 22–28 days without a session.
    pub gt_21_to_28: usize,
    /// Participants with more than 28 days without a session.
    pub gt_28: usize,
    /// Every participant row (including those under 14 days, in no bucket).
    pub participants: usize,
}

/// One new participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// `contact.id`.
    pub member_id: String,
    /// `contact.external_id`; null when unset.
    pub external_id: Option<String>,
    /// `contact.name`; null when unset.
    pub member_name: Option<String>,
    /// The `Employer` custom attribute; null when unset.
    pub employer: Option<String>,
    /// The UTC date of `Enrolled Date`, YYYY-MM-DD.
    pub enrolled_date: String,
    /// The latest counted coaching session: up to as-of, on or after the Enrolled Date's
    /// calendar date (local date of the session), of the filtered channel; RFC 3339 UTC, null
    /// when there is none.
    pub last_session_at: Option<String>,
    /// `days(last counted session)` when there is one, else `days(Enrolled Date)`.
    pub days_without_session: i64,
    /// `gt_14_to_21`, `gt_21_to_28`, `gt_28`, or null under 14 days.
    pub bucket: Option<NewParticipantBucket>,
    /// The latest counted session's `admin_assignee_id`, else the contact's `owner_id`; null
    /// when neither is set.
    pub coach_id: Option<String>,
    /// The coach's name from `GET /admins`; null when unknown or unnamed.
    pub coach_name: Option<String>,
}

/// The whole new participants report; the API layer pages `participants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewParticipantsReport {
    pub summary: NewParticipantsSummary,
    /// Sorted by `daysWithoutSession` descending, then `memberId`.
    pub participants: Vec<Participant>,
}

/// Computes the new participants report.
///
/// - `candidates`: contacts, duplicates and non-candidates allowed. A participant is a member
///   (role `user`; leads are never participants) with an
///   `Enrolled Date` whose UTC date `E` has `0 ≤ days(E) ≤ lookback_days` (so not after as-of's
///   local date) and lies in `enrolled` (UTC dates, inclusive, either end open).
/// - `sessions`: the candidates' sessions of any time, duplicates allowed; a participant's
///   coaching sessions up to as-of whose local date is on or after the Enrolled Date's (UTC)
///   calendar date count.
/// - `filters`: employer selects members; channel selects which sessions count as theirs;
///   coach selects participants by their coach (so after the fallback to `owner_id`).
pub fn new_participants(
    candidates: &[Contact],
    sessions: &[Session],
    lookback_days: u32,
    enrolled: DateRange,
    filters: &ReportFilters,
    ctx: &ReportContext,
) -> NewParticipantsReport {
    let config = ctx.config;
    let as_of = ctx.as_of.timestamp();
    let tz = config.reporting_tz;
    let mut by_member: BTreeMap<&str, Vec<&Session>> = BTreeMap::new();
    for s in dedupe(sessions) {
        if !(s.coaching && s.at <= as_of && filters.selects_channel(s)) {
            continue;
        }
        for id in &s.member_ids {
            by_member.entry(id.as_str()).or_default().push(s);
        }
    }
    // The latest session whose local date is on or after the Enrolled Date's calendar date: a
    // session before enrolment says nothing about this enrolment.
    let latest_since = |id: &str, enrolled: chrono::NaiveDate| {
        by_member.get(id).and_then(|sessions| {
            sessions
                .iter()
                .copied()
                .filter(|s| local_date(s.at, tz) >= enrolled)
                .max_by(|a, b| (a.at, &a.conversation_id).cmp(&(b.at, &b.conversation_id)))
        })
    };

    let mut rows: Vec<Participant> = dedupe_contacts(candidates)
        .into_values()
        .filter(|c| is_member(Some(c)) && filters.selects_member(Some(c), config))
        .filter_map(|c| {
            let date = utc_date(c.attr_timestamp(&config.attributes.enrolled_date)?);
            let days_e = days_since_date(date, ctx.as_of, config.reporting_tz);
            let candidate =
                (0..=i64::from(lookback_days)).contains(&days_e) && enrolled.contains(date);
            if !candidate {
                return None;
            }
            let last = latest_since(c.id.as_str(), date);
            let days = last.map_or(days_e, |s| ctx.days(s.at));
            let coach_id = last
                .and_then(|s| s.coach_id.clone())
                .or_else(|| c.owner_id.clone());
            Some(Participant {
                member_id: c.id.clone(),
                external_id: c.external_id.clone(),
                member_name: c.name.clone(),
                employer: employer(c, config).map(str::to_string),
                enrolled_date: ymd(date),
                last_session_at: last.map(|s| rfc3339_of(s.at)),
                days_without_session: days,
                bucket: NewParticipantBucket::of_days(days),
                coach_name: ctx.coach_name(coach_id.as_deref()),
                coach_id,
            })
        })
        .filter(|p| {
            filters
                .coach_id
                .as_deref()
                .is_none_or(|c| p.coach_id.as_deref() == Some(c))
        })
        .collect();
    rows.sort_by(|a, b| {
        b.days_without_session
            .cmp(&a.days_without_session)
            .then_with(|| a.member_id.cmp(&b.member_id))
    });

    let mut summary = NewParticipantsSummary {
        participants: rows.len(),
        ..Default::default()
    };
    for bucket in rows.iter().filter_map(|p| p.bucket) {
        *match bucket {
            NewParticipantBucket::Gt14To21 => &mut summary.gt_14_to_21,
            NewParticipantBucket::Gt21To28 => &mut summary.gt_21_to_28,
            NewParticipantBucket::Gt28 => &mut summary.gt_28,
        } += 1;
    }
    NewParticipantsReport {
        summary,
        participants: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::reports::testing::{contact, lead, ny, session, Fixture};
    use crate::coaching::rules::buckets::Channel;
    use crate::time::{instant, parse_ymd};
    use proptest::prelude::*;
    use NewParticipantBucket::*;

    /// 2026-04-15 12:00 EDT.
    fn as_of() -> chrono::DateTime<chrono::Utc> {
        instant(ny("2026-04-15 12:00"))
    }

    fn enrolled(id: &str, date: &str) -> Contact {
        contact(id, &format!("Member {id}"), Some("Acme"), Some(date))
    }

    fn owned(mut c: Contact, owner: &str) -> Contact {
        c.owner_id = Some(owner.into());
        c
    }

    fn rows(r: &NewParticipantsReport) -> Vec<(&str, i64, Option<NewParticipantBucket>)> {
        r.participants
            .iter()
            .map(|p| (p.member_id.as_str(), p.days_without_session, p.bucket))
            .collect()
    }

    fn run(
        candidates: &[Contact],
        sessions: &[Session],
        lookback: u32,
        range: DateRange,
        filters: &ReportFilters,
    ) -> NewParticipantsReport {
        let fx = Fixture::new();
        new_participants(
            candidates,
            sessions,
            lookback,
            range,
            filters,
            &fx.ctx(as_of()),
        )
    }

    #[test]
    fn enrolled_date_is_the_utc_date_and_buckets_have_edges() {
        // Stored at midnight UTC, i.e. 20:00 the day before in New York: the UTC date counts.
        let candidates = [
            enrolled("e13", "2026-04-02"),
            enrolled("e14", "2026-04-01"),
            enrolled("e21", "2026-03-25"),
            enrolled("e22", "2026-03-24"),
            enrolled("e28", "2026-03-18"),
            enrolled("e29", "2026-03-17"),
            enrolled("e0", "2026-04-15"),
        ];
        let r = run(
            &candidates,
            &[],
            30,
            DateRange::default(),
            &ReportFilters::default(),
        );
        assert_eq!(
            rows(&r),
            [
                ("e29", 29, Some(Gt28)),
                ("e28", 28, Some(Gt21To28)),
                ("e22", 22, Some(Gt21To28)),
                ("e21", 21, Some(Gt14To21)),
                ("e14", 14, Some(Gt14To21)),
                ("e13", 13, None),
                ("e0", 0, None),
            ]
        );
        assert_eq!(r.participants[4].enrolled_date, "2026-04-01");
        assert_eq!(r.participants[4].last_session_at, None);
        assert_eq!(
            r.summary,
            NewParticipantsSummary {
                gt_14_to_21: 2,
                gt_21_to_28: 2,
                gt_28: 1,
                participants: 7
            }
        );
    }

    #[test]
    fn lookback_future_enrolment_and_enrolled_range() {
        let candidates = [
            enrolled("l30", "2026-03-16"),
            enrolled("l31", "2026-03-15"),
            enrolled("tomorrow", "2026-04-16"),
            contact("none", "No Date", Some("Acme"), None),
            enrolled("e22", "2026-03-24"),
            enrolled("e14", "2026-04-01"),
            enrolled("e14", "2026-04-01"), // duplicate
        ];
        let none = ReportFilters::default();
        let r = run(&candidates, &[], 30, DateRange::default(), &none);
        assert_eq!(
            rows(&r),
            [
                ("l30", 30, Some(Gt28)),
                ("e22", 22, Some(Gt21To28)),
                ("e14", 14, Some(Gt14To21))
            ]
        );
        let range = DateRange {
            from: parse_ymd("2026-03-24"),
            to: parse_ymd("2026-04-01"),
        };
        let r = run(&candidates, &[], 30, range, &none);
        assert_eq!(
            rows(&r),
            [("e22", 22, Some(Gt21To28)), ("e14", 14, Some(Gt14To21))]
        );
        let range = DateRange {
            from: parse_ymd("2026-03-25"),
            to: None,
        };
        assert_eq!(rows(&run(&candidates, &[], 30, range, &none)).len(), 1);
        // The range cannot reach past the lookback or as-of.
        let range = DateRange {
            from: parse_ymd("2026-01-01"),
            to: parse_ymd("2026-12-31"),
        };
        assert_eq!(rows(&run(&candidates, &[], 30, range, &none)).len(), 3);

        // At 22:00 New York it is already 04-16 in UTC, but as-of's local date is 04-15.
        let fx = Fixture::new();
        let late = instant(ny("2026-04-15 22:00"));
        let r = new_participants(
            &candidates,
            &[],
            30,
            DateRange::default(),
            &none,
            &fx.ctx(late),
        );
        assert!(r.participants.iter().all(|p| p.member_id != "tomorrow"));
    }

    #[test]
    fn last_session_and_coach() {
        let candidates = [
            owned(enrolled("p1", "2026-03-10"), "3"),
            owned(enrolled("p2", "2026-03-20"), "1"),
            owned(enrolled("p3", "2026-03-20"), "3"),
            enrolled("p4", "2026-03-20"),
        ];
        let sessions = [
            // p1: latest coaching session 20 days ago, assigned to 2.
            session("1", &["p1"], Some("2"), "Phone", ny("2026-03-26 09:00")),
            session("2", &["p1"], Some("1"), "Email", ny("2026-03-12 09:00")),
            session("3", &["p1"], Some("1"), "SMS", ny("2026-04-14 09:00")), // not coaching
            session("4", &["p1"], Some("1"), "Chat", ny("2026-04-16 09:00")), // after as-of
            // p2: no session: days(E), the owner is the coach.
            // p3, p4: only a session before enrolment, which does not count: days(E), and the
            // owner (p3) or no coach (p4).
            session(
                "5",
                &["p3", "p4"],
                Some("2"),
                "Chat",
                ny("2026-03-01 09:00"),
            ),
        ];
        let r = run(
            &candidates,
            &sessions,
            60,
            DateRange::default(),
            &ReportFilters::default(),
        );
        assert_eq!(
            rows(&r),
            [
                ("p2", 26, Some(Gt21To28)),
                ("p3", 26, Some(Gt21To28)),
                ("p4", 26, Some(Gt21To28)),
                ("p1", 20, Some(Gt14To21)),
            ]
        );
        let coach: Vec<_> = r
            .participants
            .iter()
            .map(|p| (p.coach_id.as_deref(), p.coach_name.as_deref()))
            .collect();
        assert_eq!(
            coach,
            [
                (Some("1"), Some("Alice Smith")),
                (Some("3"), None),
                (None, None),
                (Some("2"), Some("Bob Jones"))
            ]
        );
        assert_eq!(
            r.participants[3].last_session_at.as_deref(),
            Some("2026-03-26T13:00:00Z")
        );

        // Channel: only Email sessions are p1's; the Email one is 34 days ago, coach 1.
        let email = ReportFilters {
            channel: Some(Channel::Email),
            ..Default::default()
        };
        let r = run(&candidates, &sessions, 60, DateRange::default(), &email);
        let p1 = r.participants.iter().find(|p| p.member_id == "p1").unwrap();
        assert_eq!(
            (p1.days_without_session, p1.coach_id.as_deref()),
            (34, Some("1"))
        );
        // p3 has no Email session: days(E) and its owner.
        let p3 = r.participants.iter().find(|p| p.member_id == "p3").unwrap();
        assert_eq!(
            (p3.days_without_session, p3.last_session_at.as_deref()),
            (26, None)
        );

        // Coach filter: the participant's coach, after the owner fallback.
        let by_coach = |id: &str| {
            let f = ReportFilters {
                coach_id: Some(id.into()),
                ..Default::default()
            };
            let r = run(&candidates, &sessions, 60, DateRange::default(), &f);
            rows(&r)
                .into_iter()
                .map(|(id, _, _)| id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(by_coach("3"), ["p3"]);
        assert_eq!(by_coach("1"), ["p2"]);
        assert_eq!(by_coach("2"), ["p1"]);
    }

    #[test]
    fn only_sessions_on_or_after_the_enrolled_date_count() {
        // Enrolled 2026-03-20, stored at midnight UTC (20:00 on 03-19 in New York).
        let candidates = [
            enrolled("q", "2026-03-20"),
            owned(enrolled("r", "2026-03-20"), "1"),
        ];
        let sessions = [
            // 21:00 New York on 03-19 is already 03-20 in UTC, but its local date is 03-19.
            session("a", &["q", "r"], Some("2"), "Phone", ny("2026-03-19 21:00")),
            // Just after local midnight on the enrolment date: counts.
            session("b", &["q"], Some("3"), "Chat", ny("2026-03-20 00:30")),
        ];
        let r = run(
            &candidates,
            &sessions,
            30,
            DateRange::default(),
            &ReportFilters::default(),
        );
        assert_eq!(
            rows(&r),
            [("q", 26, Some(Gt21To28)), ("r", 26, Some(Gt21To28))]
        );
        let q = &r.participants[0];
        assert_eq!(q.last_session_at.as_deref(), Some("2026-03-20T04:30:00Z"));
        assert_eq!(
            q.coach_id.as_deref(),
            Some("3"),
            "the counted session's coach"
        );
        let r_row = &r.participants[1];
        assert_eq!(r_row.last_session_at, None, "the session before enrolment");
        assert_eq!(r_row.coach_id.as_deref(), Some("1"), "so the owner");
    }

    #[test]
    fn employer_filter_and_json_names() {
        let candidates = [
            enrolled("a", "2026-03-20"),
            contact("g", "Gil", Some("Globex"), Some("2026-03-20")),
            contact("n", "Nil", None, Some("2026-03-20")),
        ];
        let f = ReportFilters {
            employer: Some("Globex".into()),
            ..Default::default()
        };
        let r = run(&candidates, &[], 30, DateRange::default(), &f);
        assert_eq!(rows(&r), [("g", 26, Some(Gt21To28))]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "summary": {"gt_14_to_21": 0, "gt_21_to_28": 1, "gt_28": 0, "participants": 1},
                "participants": [{
                    "memberId": "g", "externalId": "ext-g", "memberName": "Gil",
                    "employer": "Globex", "enrolledDate": "2026-03-20", "lastSessionAt": null,
                    "daysWithoutSession": 26, "bucket": "gt_21_to_28", "coachId": null,
                    "coachName": null
                }]
            })
        );
    }

    #[test]
    fn leads_are_never_participants() {
        let candidates = [
            enrolled("u", "2026-03-20"),
            lead(enrolled("l", "2026-03-20")),
        ];
        let r = run(
            &candidates,
            &[],
            30,
            DateRange::default(),
            &ReportFilters::default(),
        );
        assert_eq!(rows(&r), [("u", 26, Some(Gt21To28))]);
        assert_eq!(r.summary.participants, 1);
    }

    proptest! {
        #[test]
        fn order_does_not_depend_on_input_order(
            (contacts, shuffled_contacts) in prop::collection::vec((0u8..12, 0u32..70, prop::option::of(0u8..3)), 0..15)
                .prop_map(|v| v.into_iter().map(|(id, back, owner)| {
                    let date = chrono::NaiveDate::from_ymd_opt(2026, 4, 15).unwrap()
                        - chrono::Days::new(u64::from(back));
                    let mut c = enrolled(&format!("m{id}"), &ymd(date));
                    c.owner_id = owner.map(|o| o.to_string());
                    c
                }).collect::<Vec<_>>())
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            (sessions, shuffled_sessions) in prop::collection::vec((0u8..10, 0u8..12, prop::option::of(0u8..3), 1_767_225_600i64..1_777_000_000), 0..20)
                .prop_map(|v| v.into_iter().map(|(id, m, coach, t)| {
                    let coach = coach.map(|c| c.to_string());
                    session(&format!("c{id}"), &[&format!("m{m}")], coach.as_deref(), "Phone", t)
                }).collect::<Vec<_>>())
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        ) {
            let none = ReportFilters::default();
            let one = run(&contacts, &sessions, 60, DateRange::default(), &none);
            let two = run(&shuffled_contacts, &shuffled_sessions, 60, DateRange::default(), &none);
            prop_assert_eq!(one, two);
        }
    }
}
