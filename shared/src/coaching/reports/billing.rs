//! The billing report (RULES.md §9): for one month in the reporting zone, the members enrolled in
//! it (`isNewParticipant`) and those with a billing call in [first day − 56 days, last day]
//! (`engagedDuringMonth`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::coaching::reports::model::Session;
use crate::coaching::reports::model::{
    dedupe, dedupe_contacts, employer, is_member, rfc3339_of, ReportContext,
};
use crate::coaching::rules::billing::BillingWindow;
use crate::intercom::models::Contact;
use crate::time::{local_date_of, utc_date, ymd, YearMonth};

/// `summary` of the billing report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingSummary {
    /// Number of rows.
    pub rows: usize,
    /// Rows with `isNewParticipant`.
    pub new_participants: usize,
    /// Rows with `engagedDuringMonth`.
    pub engaged: usize,
    /// `YYYY-MM`.
    pub month: String,
    /// The month's first instant in the reporting zone, RFC 3339 UTC.
    pub month_start: String,
    /// The first instant after the month (the next month's start), RFC 3339 UTC: the month is
    /// `[monthStart, monthEnd)`.
    pub month_end: String,
}

/// One member of the billing month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingRow {
    /// `contact.id`.
    pub member_id: String,
    /// `contact.name`; null when unset or when there is no contact record.
    pub member_name: Option<String>,
    /// `contact.email`; null when unset or when there is no contact record.
    pub member_email: Option<String>,
    /// The `Employer` custom attribute; null when unset or when there is no contact record.
    pub employer: Option<String>,
    /// The UTC date of `Enrolled Date`, YYYY-MM-DD; null when unset.
    pub registration_at: Option<String>,
    /// The latest billing call before the month's end (and up to as-of), RFC 3339 UTC; null
    /// when there is none.
    pub last_session_at: Option<String>,
    /// `Enrolled Date`'s UTC date lies in the month (and not after as-of's local date).
    pub is_new_participant: bool,
    /// A billing call's local date lies in [first day − 56 days, last day] (up to as-of).
    pub engaged_during_month: bool,
    /// The `admin_assignee_id` of the call that gives `lastSessionAt`; null when there is no
    /// such call or it is unassigned.
    pub coach_id: Option<String>,
    /// That coach's name from `GET /admins`; null when unknown or unnamed.
    pub coach_name: Option<String>,
}

/// The whole billing report; the API layer pages `rows`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingReport {
    pub summary: BillingSummary,
    /// Sorted by `memberName` (members without a name last), then `memberId`.
    pub rows: Vec<BillingRow>,
}

/// Computes the billing report of `month`.
///
/// - `enrolled_candidates`: contacts that may be enrolled in the month (a superset is fine,
///   duplicates allowed).
/// - `calls`: sessions of any class, duplicates allowed; billing calls before the month's end
///   and up to as-of count. The caller supplies at least the engaged window's calls.
/// - `members`: contact records of the calls' members. Leads (role `lead`) never get a row,
///   from either list. A member without a record gets a row with
///   null name, email and employer, unless `employer` is set.
/// - `employer`: the `Employer` custom attribute, exact match.
pub fn billing(
    month: YearMonth,
    enrolled_candidates: &[Contact],
    calls: &[Session],
    members: &BTreeMap<String, Contact>,
    employer_filter: Option<&str>,
    ctx: &ReportContext,
) -> BillingReport {
    let config = ctx.config;
    let tz = config.reporting_tz;
    let window = BillingWindow::new(month, tz);
    let as_of = ctx.as_of.timestamp();
    let as_of_date = local_date_of(ctx.as_of, tz);

    let mut contacts: BTreeMap<&str, &Contact> = dedupe_contacts(enrolled_candidates);
    for (id, c) in members {
        contacts.entry(id.as_str()).or_insert(c);
    }
    let enrolled_date = |c: &Contact| {
        c.attr_timestamp(&config.attributes.enrolled_date)
            .map(utc_date)
    };

    let new: BTreeSet<&str> = contacts
        .iter()
        .filter(|(_, c)| is_member(Some(c)))
        .filter(|(_, c)| enrolled_date(c).is_some_and(|d| month.contains(d) && d <= as_of_date))
        .map(|(id, _)| *id)
        .collect();
    // Member id → the latest billing call (by time, then conversation id).
    let mut last_call: BTreeMap<&str, &Session> = BTreeMap::new();
    let mut engaged: BTreeSet<&str> = BTreeSet::new();
    for s in dedupe(calls) {
        if !(s.billing && s.at <= as_of && window.up_to_month_end(s.at)) {
            continue;
        }
        let engages = window.engages(s.at, tz);
        // Leads are not members: a call shared with a user counts for the user only.
        for id in s
            .member_ids
            .iter()
            .filter(|id| is_member(contacts.get(id.as_str()).copied()))
        {
            last_call
                .entry(id.as_str())
                .and_modify(|kept| {
                    if (s.at, &s.conversation_id) > (kept.at, &kept.conversation_id) {
                        *kept = s;
                    }
                })
                .or_insert(s);
            if engages {
                engaged.insert(id.as_str());
            }
        }
    }

    let mut rows: Vec<BillingRow> = new
        .union(&engaged)
        .filter_map(|id| {
            let contact = contacts.get(id).copied();
            let employer = contact.and_then(|c| employer(c, config));
            if employer_filter.is_some_and(|e| employer != Some(e)) {
                return None;
            }
            let last = last_call.get(id).copied();
            let coach_id = last.and_then(|s| s.coach_id.clone());
            Some(BillingRow {
                member_id: id.to_string(),
                member_name: contact.and_then(|c| c.name.clone()),
                member_email: contact.and_then(|c| c.email.clone()),
                employer: employer.map(str::to_string),
                registration_at: contact.and_then(enrolled_date).map(ymd),
                last_session_at: last.map(|s| rfc3339_of(s.at)),
                is_new_participant: new.contains(id),
                engaged_during_month: engaged.contains(id),
                coach_name: ctx.coach_name(coach_id.as_deref()),
                coach_id,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.member_name.is_none(), &a.member_name, &a.member_id).cmp(&(
            b.member_name.is_none(),
            &b.member_name,
            &b.member_id,
        ))
    });

    let (start, end) = window.month_instants;
    BillingReport {
        summary: BillingSummary {
            rows: rows.len(),
            new_participants: rows.iter().filter(|r| r.is_new_participant).count(),
            engaged: rows.iter().filter(|r| r.engaged_during_month).count(),
            month: month.to_string(),
            month_start: rfc3339_of(start),
            month_end: rfc3339_of(end),
        },
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::reports::testing::{by_id, contact, lead, ny, session, ts, Fixture};
    use crate::time::instant;
    use proptest::prelude::*;

    fn month(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    type Flags = (&'static str, bool, bool, Option<&'static str>);

    fn flags(r: &BillingReport) -> Vec<(&str, bool, bool, Option<&str>)> {
        r.rows
            .iter()
            .map(|r| {
                (
                    r.member_id.as_str(),
                    r.is_new_participant,
                    r.engaged_during_month,
                    r.last_session_at.as_deref(),
                )
            })
            .collect()
    }

    fn run(
        m: &str,
        candidates: &[Contact],
        calls: &[Session],
        people: &[Contact],
        employer: Option<&str>,
        as_of: &str,
    ) -> BillingReport {
        let fx = Fixture::new();
        billing(
            month(m),
            candidates,
            calls,
            &by_id(people),
            employer,
            &fx.ctx(instant(ts(as_of))),
        )
    }

    #[test]
    fn month_edges_are_local_and_enrolled_date_is_utc() {
        let people = [
            contact("a", "Ann", Some("Acme"), None),
            contact("b", "Ben", Some("Acme"), None),
        ];
        let candidates = [
            // Midnight UTC on Feb 1 is Jan 31 in New York; the UTC date counts: February.
            contact("feb1", "Fay", Some("Acme"), Some("2026-02-01")),
            contact("mar1", "Mo", Some("Acme"), Some("2026-03-01")),
            contact("jan31", "Jo", Some("Acme"), Some("2026-01-31")),
        ];
        let calls = [
            // Feb 28 21:00 New York: February's.
            session("1", &["a"], Some("1"), "Phone", ts("2026-03-01T02:00:00Z")),
            // Mar 1 00:00 New York: March's.
            session("2", &["b"], Some("1"), "Phone", ts("2026-03-01T05:00:00Z")),
        ];
        let r = run(
            "2026-02",
            &candidates,
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let want: [Flags; 2] = [
            ("a", false, true, Some("2026-03-01T02:00:00Z")),
            ("feb1", true, false, None),
        ];
        assert_eq!(flags(&r), want);
        assert_eq!(r.rows[1].registration_at.as_deref(), Some("2026-02-01"));
        assert_eq!(r.rows[0].registration_at, None);
        assert_eq!(
            r.summary,
            BillingSummary {
                rows: 2,
                new_participants: 1,
                engaged: 1,
                month: "2026-02".into(),
                month_start: "2026-02-01T05:00:00Z".into(),
                month_end: "2026-03-01T05:00:00Z".into(),
            }
        );

        let r = run(
            "2026-03",
            &candidates,
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let want: [Flags; 3] = [
            ("a", false, true, Some("2026-03-01T02:00:00Z")),
            ("b", false, true, Some("2026-03-01T05:00:00Z")),
            ("mar1", true, false, None),
        ];
        assert_eq!(flags(&r), want);
        // March starts in EST and ends in EDT.
        assert_eq!(r.summary.month_start, "2026-03-01T05:00:00Z");
        assert_eq!(r.summary.month_end, "2026-04-01T04:00:00Z");
    }

    #[test]
    fn engaged_window_and_last_session() {
        // March 2026: engaged window 2026-01-04 ..= 2026-03-31 in New York dates.
        let people: Vec<Contact> = ["in_first", "out_before", "in_last", "out_after", "mail"]
            .iter()
            .map(|id| contact(id, &format!("N {id}"), Some("Acme"), None))
            .collect();
        let calls = [
            session("1", &["in_first"], None, "Phone", ny("2026-01-04 00:00")),
            session(
                "2",
                &["out_before"],
                None,
                "Video Conference",
                ny("2026-01-03 23:59"),
            ),
            session(
                "3",
                &["in_last"],
                None,
                "Video Conference",
                ny("2026-03-31 23:59"),
            ),
            session("4", &["out_after"], None, "Phone", ny("2026-04-01 00:00")),
            // Email and Chat sessions are not billing calls.
            session("5", &["mail"], None, "Email", ny("2026-03-10 10:00")),
            session("6", &["mail"], None, "Chat", ny("2026-03-11 10:00")),
            // An older call before the window still is the latest before month end.
            session("7", &["out_before"], None, "Phone", ny("2025-12-01 10:00")),
            // A later call after month end does not move in_first's lastSessionAt.
            session("8", &["in_first"], None, "Phone", ny("2026-04-02 10:00")),
            session("1", &["in_first"], None, "Phone", ny("2026-01-04 00:00")), // duplicate
        ];
        let r = run(
            "2026-03",
            &[],
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let want: [Flags; 2] = [
            ("in_first", false, true, Some("2026-01-04T05:00:00Z")),
            ("in_last", false, true, Some("2026-04-01T03:59:00Z")),
        ];
        assert_eq!(flags(&r), want);
        assert_eq!(r.summary.engaged, 2);

        // A new participant's row carries its latest call even from before the window.
        let candidates = [contact(
            "out_before",
            "N out_before",
            Some("Acme"),
            Some("2026-03-05"),
        )];
        let r = run(
            "2026-03",
            &candidates,
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let row = r.rows.iter().find(|r| r.member_id == "out_before").unwrap();
        assert_eq!(
            (
                row.is_new_participant,
                row.engaged_during_month,
                row.last_session_at.as_deref()
            ),
            (true, false, Some("2026-01-04T04:59:00Z"))
        );
    }

    #[test]
    fn nothing_after_as_of() {
        let candidates = [
            contact("early", "Ed", None, Some("2026-03-10")),
            contact("late", "Lu", None, Some("2026-03-25")),
        ];
        let calls = [
            session("1", &["early"], None, "Phone", ny("2026-03-12 10:00")),
            session("2", &["early"], None, "Phone", ny("2026-03-20 10:00")),
            session("3", &["x"], None, "Phone", ny("2026-03-20 10:00")),
        ];
        // As-of 2026-03-15 12:00 New York: the 20th has not happened, nor the 25th's enrolment.
        let r = run(
            "2026-03",
            &candidates,
            &calls,
            &[],
            None,
            "2026-03-15T16:00:00Z",
        );
        let want: [Flags; 1] = [("early", true, true, Some("2026-03-12T14:00:00Z"))];
        assert_eq!(flags(&r), want);
    }

    #[test]
    fn employer_filter_names_and_order() {
        let people = [
            contact("z", "Zed", Some("Acme"), None),
            contact("g", "Gil", Some("Globex"), None),
            contact("n", "Nia", None, None),
        ];
        let candidates = [
            contact("a2", "Ann", Some("Acme"), Some("2026-03-02")),
            contact("a1", "Ann", Some("Acme"), Some("2026-03-03")),
        ];
        let t = ny("2026-03-10 10:00");
        let calls = [
            session("1", &["z", "g"], None, "Phone", t),
            session("2", &["n", "ghost"], None, "Phone", t),
        ];
        let ids = |r: &BillingReport| {
            r.rows
                .iter()
                .map(|r| r.member_id.clone())
                .collect::<Vec<_>>()
        };
        let as_of = "2026-04-20T12:00:00Z";
        let r = run("2026-03", &candidates, &calls, &people, None, as_of);
        assert_eq!(
            ids(&r),
            ["a1", "a2", "g", "n", "z", "ghost"],
            "names, then nameless"
        );
        let ghost = &r.rows[5];
        assert_eq!(
            (&ghost.member_name, &ghost.member_email, &ghost.employer),
            (&None, &None, &None)
        );
        let r = run("2026-03", &candidates, &calls, &people, Some("Acme"), as_of);
        assert_eq!(ids(&r), ["a1", "a2", "z"]);
        assert_eq!((r.summary.new_participants, r.summary.engaged), (2, 1));
        let r = run(
            "2026-03",
            &candidates,
            &calls,
            &people,
            Some("Globex"),
            as_of,
        );
        assert_eq!(ids(&r), ["g"]);

        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "summary": {"rows": 1, "newParticipants": 0, "engaged": 1, "month": "2026-03",
                            "monthStart": "2026-03-01T05:00:00Z",
                            "monthEnd": "2026-04-01T04:00:00Z"},
                "rows": [{"memberId": "g", "memberName": "Gil", "memberEmail": "g@example.com",
                          "employer": "Globex", "registrationAt": null,
                          "lastSessionAt": "2026-03-10T14:00:00Z", "isNewParticipant": false,
                          "engagedDuringMonth": true, "coachId": null, "coachName": null}]
            })
        );
    }

    #[test]
    fn coach_is_the_assignee_of_the_latest_billing_call() {
        let people = [
            contact("a", "Ann", Some("Acme"), None),
            contact("b", "Ben", Some("Acme"), None),
            contact("c", "Cy", Some("Acme"), None),
            contact("d", "Di", Some("Acme"), None),
        ];
        let calls = [
            // a: the later call (coach 2) gives lastSessionAt and the coach; a later Email
            // (not a billing call) and a call after the month do not.
            session("1", &["a"], Some("1"), "Phone", ny("2026-02-03 10:00")),
            session(
                "2",
                &["a"],
                Some("2"),
                "Video Conference",
                ny("2026-02-20 10:00"),
            ),
            session("3", &["a"], Some("1"), "Email", ny("2026-02-25 10:00")),
            session("4", &["a"], Some("1"), "Phone", ny("2026-03-02 10:00")),
            // b: latest call unassigned: no coach, even though an earlier one had one.
            session("5", &["b"], Some("1"), "Phone", ny("2026-02-03 10:00")),
            session("6", &["b"], None, "Phone", ny("2026-02-04 10:00")),
            // c: an admin without a name.
            session("7", &["c"], Some("3"), "Phone", ny("2026-02-05 10:00")),
            // d: two calls at the same instant: the greater conversation id wins.
            session("8", &["d"], Some("1"), "Phone", ny("2026-02-06 10:00")),
            session("9", &["d"], Some("2"), "Phone", ny("2026-02-06 10:00")),
        ];
        let r = run(
            "2026-02",
            &[],
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let got: Vec<_> = r
            .rows
            .iter()
            .map(|r| {
                (
                    r.member_id.as_str(),
                    r.last_session_at.as_deref(),
                    r.coach_id.as_deref(),
                    r.coach_name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a",
                    Some("2026-02-20T15:00:00Z"),
                    Some("2"),
                    Some("Bob Jones")
                ),
                ("b", Some("2026-02-04T15:00:00Z"), None, None),
                ("c", Some("2026-02-05T15:00:00Z"), Some("3"), None),
                (
                    "d",
                    Some("2026-02-06T15:00:00Z"),
                    Some("2"),
                    Some("Bob Jones")
                ),
            ]
        );
        let v = serde_json::to_value(&r.rows[0]).unwrap();
        assert_eq!(
            (&v["coachId"], &v["coachName"]),
            (&serde_json::json!("2"), &serde_json::json!("Bob Jones"))
        );
    }

    #[test]
    fn leads_are_never_members() {
        let people = [
            contact("u", "Uma", Some("Acme"), None),
            lead(contact("l", "Lee", Some("Acme"), None)),
        ];
        let candidates = [
            contact("nu", "Nia", Some("Acme"), Some("2026-02-10")),
            lead(contact("nl", "Ned", Some("Acme"), Some("2026-02-10"))),
        ];
        // Shared by a lead and a user: the user's call only.
        let calls = [session(
            "1",
            &["l", "u"],
            Some("1"),
            "Phone",
            ny("2026-02-10 10:00"),
        )];
        let r = run(
            "2026-02",
            &candidates,
            &calls,
            &people,
            None,
            "2026-04-20T12:00:00Z",
        );
        let want: [Flags; 2] = [
            ("nu", true, false, None),
            ("u", false, true, Some("2026-02-10T15:00:00Z")),
        ];
        assert_eq!(flags(&r), want);
        assert_eq!((r.summary.rows, r.summary.new_participants), (2, 1));
    }

    proptest! {
        #[test]
        fn order_does_not_depend_on_input_order(
            (calls, shuffled) in prop::collection::vec((0u8..10, 0u8..8, 1_760_000_000i64..1_777_000_000), 0..25)
                .prop_map(|v| v.into_iter().map(|(id, m, t)| {
                    session(&format!("c{id}"), &[&format!("m{m}")], None, "Phone", t)
                }).collect::<Vec<_>>())
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            people_order in Just((0..8).collect::<Vec<u8>>()).prop_shuffle(),
        ) {
            // Enrolled on March 1st–8th; names repeat so that the id breaks ties.
            let person = |i: u8| {
                let name = if i % 3 == 0 { "Same" } else { "Other" };
                contact(&format!("m{i}"), name, None, Some(&format!("2026-03-{:02}", i + 1)))
            };
            let people: Vec<Contact> = (0..8).map(person).collect();
            let shuffled_people: Vec<Contact> = people_order.into_iter().map(person).collect();
            let as_of = "2026-05-01T00:00:00Z";
            let one = run("2026-03", &people, &calls, &people, None, as_of);
            let two = run("2026-03", &shuffled_people, &shuffled, &shuffled_people, None, as_of);
            prop_assert_eq!(one, two);
        }
    }
}
