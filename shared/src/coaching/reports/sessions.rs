//! The sessions report (RULES.md §9): counts of coaching sessions 0–7, 8–28 and 29–56 days ago
//! and in a custom range of local dates, plus the session rows of the lookback window.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::coaching::reports::model::{
    dedupe, is_member, sort_newest_first, ReportContext, ReportFilters, Session, SessionRow,
};
use crate::coaching::rules::thresholds::{AT_RISK_DAYS, ENGAGED_DAYS, WEEK_DAYS};
use crate::intercom::models::Contact;
use crate::time::{local_date, ymd};

/// `summary` of the sessions report; every count is over the filtered sessions up to as-of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionsSummary {
    /// Sessions with `days(at)` 0–7.
    pub days_0_to_7: usize,
    /// Sessions with `days(at)` 8–28.
    pub days_8_to_28: usize,
    /// Sessions with `days(at)` 29–56.
    pub days_29_to_56: usize,
    /// Sessions whose local date lies in `customFrom..=customTo`; null without a custom range.
    pub custom: Option<usize>,
    /// YYYY-MM-DD (reporting zone), or null.
    #[serde(rename = "customFrom")]
    pub custom_from: Option<String>,
    /// YYYY-MM-DD (reporting zone), or null.
    #[serde(rename = "customTo")]
    pub custom_to: Option<String>,
    /// Sessions with `days(at) ≤ lookbackDays`: the number of rows.
    #[serde(rename = "inLookback")]
    pub in_lookback: usize,
}

/// The whole sessions report; the API layer pages `sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionsReport {
    pub summary: SessionsSummary,
    /// The filtered sessions within the lookback, by `sessionAt` descending, then
    /// `conversationId`.
    pub sessions: Vec<SessionRow>,
}

/// Computes the sessions report.
///
/// - `sessions`: sessions of any class and time, duplicates allowed; coaching sessions up to
///   as-of count, once per conversation id. The caller supplies at least the last
///   max(`lookback_days`, 56) days and the custom range.
/// - `members`: contact records by id. Leads are not members: they are left out of `memberIds`,
///   and a session with only leads does not count. A session whose members have no record
///   still counts, unless an employer filter is set.
/// - `custom`: `(from, to)`, inclusive local dates in the reporting zone.
pub fn sessions(
    sessions: &[Session],
    members: &BTreeMap<String, Contact>,
    lookback_days: u32,
    custom: Option<(NaiveDate, NaiveDate)>,
    filters: &ReportFilters,
    ctx: &ReportContext,
) -> SessionsReport {
    let tz = ctx.config.reporting_tz;
    let as_of = ctx.as_of.timestamp();
    let mut selected: Vec<(&Session, Vec<String>)> = dedupe(sessions)
        .into_iter()
        .filter(|s| s.coaching && s.at <= as_of && filters.selects_session(s))
        .filter_map(|s| {
            let users: Vec<&String> = s
                .member_ids
                .iter()
                .filter(|id| is_member(members.get(id.as_str())))
                .collect();
            // A conversation of leads only is nobody's session.
            if users.is_empty() && !s.member_ids.is_empty() {
                return None;
            }
            let ids: Vec<String> = users
                .into_iter()
                .filter(|id| filters.selects_member(members.get(id.as_str()), ctx.config))
                .cloned()
                .collect();
            (filters.employer.is_none() || !ids.is_empty()).then_some((s, ids))
        })
        .collect();

    let mut summary = SessionsSummary {
        custom: custom.map(|_| 0),
        custom_from: custom.map(|(from, _)| ymd(from)),
        custom_to: custom.map(|(_, to)| ymd(to)),
        ..Default::default()
    };
    for (s, _) in &selected {
        match ctx.days(s.at) {
            d if d <= WEEK_DAYS => summary.days_0_to_7 += 1,
            d if d <= ENGAGED_DAYS => summary.days_8_to_28 += 1,
            d if d <= AT_RISK_DAYS => summary.days_29_to_56 += 1,
            _ => {}
        }
        if let (Some((from, to)), Some(n)) = (custom, summary.custom.as_mut()) {
            let date = local_date(s.at, tz);
            if from <= date && date <= to {
                *n += 1;
            }
        }
    }

    selected.retain(|(s, _)| ctx.in_lookback(s.at, lookback_days));
    let mut order: Vec<&Session> = selected.iter().map(|(s, _)| *s).collect();
    sort_newest_first(&mut order);
    let mut ids: BTreeMap<&str, Vec<String>> = selected
        .into_iter()
        .map(|(s, ids)| (s.conversation_id.as_str(), ids))
        .collect();
    let rows: Vec<SessionRow> = order
        .into_iter()
        .map(|s| {
            let members = ids.remove(s.conversation_id.as_str()).unwrap_or_default();
            SessionRow::new(s, members, ctx)
        })
        .collect();
    summary.in_lookback = rows.len();
    SessionsReport {
        summary,
        sessions: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::reports::testing::{by_id, contact, lead, ny, session, Fixture};
    use crate::coaching::rules::buckets::Channel;
    use crate::time::instant;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_ymd(s).unwrap()
    }

    /// 2026-04-15 12:00 EDT.
    fn as_of() -> chrono::DateTime<chrono::Utc> {
        instant(ny("2026-04-15 12:00"))
    }

    /// One Phone session per age in days (local dates before 2026-04-15), coach 1 for even ages.
    fn aged() -> Vec<Session> {
        [
            ("d0", "2026-04-15 00:05"),
            ("d7", "2026-04-08 23:55"),
            ("d8", "2026-04-07 23:30"),
            ("d28", "2026-03-18 00:00"),
            ("d29", "2026-03-17 23:59"),
            ("d56", "2026-02-18 09:00"),
            ("d57", "2026-02-17 22:00"),
            ("future", "2026-04-15 12:01"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (id, t))| {
            let coach = if i % 2 == 0 { "1" } else { "2" };
            session(id, &["a"], Some(coach), "Phone", ny(t))
        })
        .collect()
    }

    fn row_ids(r: &SessionsReport) -> Vec<&str> {
        r.sessions
            .iter()
            .map(|s| s.conversation_id.as_str())
            .collect()
    }

    #[test]
    fn counts_at_the_boundaries() {
        let fx = Fixture::new();
        let none = ReportFilters::default();
        let r = sessions(&aged(), &BTreeMap::new(), 30, None, &none, &fx.ctx(as_of()));
        assert_eq!(
            r.summary,
            SessionsSummary {
                days_0_to_7: 2,
                days_8_to_28: 2,
                days_29_to_56: 2,
                custom: None,
                custom_from: None,
                custom_to: None,
                in_lookback: 5,
            }
        );
        assert_eq!(row_ids(&r), ["d0", "d7", "d8", "d28", "d29"]);
        let days: Vec<i64> = r.sessions.iter().map(|s| s.days_ago).collect();
        assert_eq!(days, [0, 7, 8, 28, 29]);

        // The counts do not depend on the lookback; the rows do.
        let r = sessions(&aged(), &BTreeMap::new(), 7, None, &none, &fx.ctx(as_of()));
        assert_eq!(
            (
                r.summary.days_0_to_7,
                r.summary.days_8_to_28,
                r.summary.days_29_to_56
            ),
            (2, 2, 2)
        );
        assert_eq!(row_ids(&r), ["d0", "d7"]);
        assert_eq!(r.summary.in_lookback, 2);
    }

    #[test]
    fn custom_range_is_inclusive_in_local_dates() {
        let fx = Fixture::new();
        let none = ReportFilters::default();
        let run = |from: &str, to: &str| {
            sessions(
                &aged(),
                &BTreeMap::new(),
                30,
                Some((d(from), d(to))),
                &none,
                &fx.ctx(as_of()),
            )
            .summary
        };
        let s = run("2026-03-18", "2026-04-07");
        assert_eq!(s.custom, Some(2), "d28 and d8, both edge days");
        assert_eq!(s.custom_from.as_deref(), Some("2026-03-18"));
        assert_eq!(s.custom_to.as_deref(), Some("2026-04-07"));
        // d7 is 2026-04-08 23:55 New York, already 04-09 in UTC.
        assert_eq!(run("2026-04-08", "2026-04-08").custom, Some(1));
        assert_eq!(run("2026-04-09", "2026-04-09").custom, Some(0));
        // Sessions after as-of stay out even when the range covers them.
        assert_eq!(run("2026-04-15", "2026-04-30").custom, Some(1));
        assert_eq!(run("2026-01-01", "2026-02-17").custom, Some(1));
    }

    #[test]
    fn sessions_across_the_spring_forward_count_on_their_local_day() {
        let fx = Fixture::new();
        // New York springs forward on 2026-03-08 at 02:00.
        let input = [
            session("before", &["a"], None, "Chat", ny("2026-03-07 23:30")), // 03-08 04:30Z
            session("est", &["a"], None, "Chat", ny("2026-03-08 01:30")),    // 06:30Z
            session("edt", &["a"], None, "Chat", ny("2026-03-08 03:30")),    // 07:30Z
            session("end", &["a"], None, "Chat", ny("2026-03-08 23:59")),    // 03-09 03:59Z
        ];
        // 2026-04-05 12:00 EDT: 03-08 is 28 days back, 03-07 is 29.
        let as_of = instant(ny("2026-04-05 12:00"));
        let r = sessions(
            &input,
            &BTreeMap::new(),
            30,
            Some((d("2026-03-08"), d("2026-03-08"))),
            &ReportFilters::default(),
            &fx.ctx(as_of),
        );
        assert_eq!(r.summary.custom, Some(3));
        assert_eq!(r.summary.days_8_to_28, 3);
        assert_eq!(r.summary.days_29_to_56, 1);
        let dates: Vec<(&str, &str, i64)> = r
            .sessions
            .iter()
            .map(|s| {
                (
                    s.conversation_id.as_str(),
                    s.session_date.as_str(),
                    s.days_ago,
                )
            })
            .collect();
        assert_eq!(
            dates,
            [
                ("end", "2026-03-08", 28),
                ("edt", "2026-03-08", 28),
                ("est", "2026-03-08", 28),
                ("before", "2026-03-07", 29)
            ]
        );
        assert_eq!(r.sessions[1].session_at, "2026-03-08T07:30:00Z");
        assert_eq!(r.sessions[2].session_at, "2026-03-08T06:30:00Z");
    }

    #[test]
    fn filters() {
        let fx = Fixture::new();
        let people = by_id(&[
            contact("a", "Ann", Some("Acme"), None),
            contact("b", "Ben", Some("Globex"), None),
        ]);
        let t = ny("2026-04-10 10:00");
        let input = [
            session("1", &["a"], Some("1"), "Phone", t),
            session("2", &["b"], Some("2"), "Video Conference", t - 60),
            session("3", &["a", "b"], Some("1"), "Email", t - 120),
            session("4", &["x"], None, "Chat", t - 180), // no contact record
            session("5", &["a"], Some("1"), "SMS", t - 240), // not coaching
            session("2", &["b"], Some("2"), "Video Conference", t - 60), // duplicate
        ];
        let run = |filters: ReportFilters| {
            let r = sessions(&input, &people, 30, None, &filters, &fx.ctx(as_of()));
            assert_eq!(r.summary.days_0_to_7, r.sessions.len());
            assert_eq!(r.summary.in_lookback, r.sessions.len());
            r
        };
        let r = run(ReportFilters::default());
        assert_eq!(row_ids(&r), ["1", "2", "3", "4"]);
        assert_eq!(r.sessions[3].member_ids, ["x"]);
        assert_eq!(r.sessions[2].member_ids, ["a", "b"]);

        let r = run(ReportFilters {
            coach_id: Some("1".into()),
            ..Default::default()
        });
        assert_eq!(row_ids(&r), ["1", "3"]);

        let r = run(ReportFilters {
            channel: Some(Channel::VideoConference),
            ..Default::default()
        });
        assert_eq!(row_ids(&r), ["2"]);

        let r = run(ReportFilters {
            employer: Some("Globex".into()),
            ..Default::default()
        });
        assert_eq!(row_ids(&r), ["2", "3"], "4 has no known employer");
        assert_eq!(r.sessions[1].member_ids, ["b"]);

        let r = run(ReportFilters {
            employer: Some("Acme".into()),
            channel: Some(Channel::Email),
            coach_id: Some("1".into()),
        });
        assert_eq!(row_ids(&r), ["3"]);
    }

    #[test]
    fn json_names() {
        let fx = Fixture::new();
        let r = sessions(
            &aged(),
            &BTreeMap::new(),
            30,
            Some((d("2026-04-01"), d("2026-04-15"))),
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        assert_eq!(
            serde_json::to_value(&r.summary).unwrap(),
            serde_json::json!({"days_0_to_7": 2, "days_8_to_28": 2, "days_29_to_56": 2,
                               "custom": 3, "customFrom": "2026-04-01",
                               "customTo": "2026-04-15", "inLookback": 5})
        );
        let none = sessions(
            &[],
            &BTreeMap::new(),
            30,
            None,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        let v = serde_json::to_value(&none).unwrap();
        assert_eq!(v["summary"]["custom"], serde_json::Value::Null);
        assert_eq!(v["sessions"], serde_json::json!([]));
    }

    #[test]
    fn leads_are_never_members() {
        let fx = Fixture::new();
        let people = by_id(&[
            contact("u", "Uma User", Some("Acme"), None),
            lead(contact("l", "Lee Lead", Some("Acme"), None)),
        ]);
        let sessions_in = [
            session("1", &["l", "u"], Some("1"), "Phone", ny("2026-04-14 10:00")), // 1
            session("2", &["l"], Some("1"), "Phone", ny("2026-04-13 10:00")),      // 2
            session("3", &["x"], Some("1"), "Phone", ny("2026-04-12 10:00")), // no record: counts
        ];
        let r = sessions(
            &sessions_in,
            &people,
            30,
            None,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        assert_eq!(row_ids(&r), ["1", "3"]);
        assert_eq!(r.sessions[0].member_ids, ["u"]);
        assert_eq!((r.summary.days_0_to_7, r.summary.in_lookback), (2, 2));
    }

    proptest! {
        #[test]
        fn order_does_not_depend_on_input_order(
            (input, shuffled) in prop::collection::vec(
                (0u8..10, 0u8..4, 0u8..3, 1_767_225_600i64..1_798_761_600),
                0..25,
            )
            .prop_map(|v| {
                v.into_iter()
                    .map(|(id, m, ch, t)| {
                        let channel = ["Phone", "Email", "Chat"][usize::from(ch)];
                        session(&format!("c{id}"), &[&format!("m{m}")], Some("1"), channel, t)
                    })
                    .collect::<Vec<_>>()
            })
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        ) {
            let fx = Fixture::new();
            let as_of = instant(1_790_000_000);
            let custom = Some((d("2026-03-01"), d("2026-06-30")));
            let one = sessions(&input, &BTreeMap::new(), 365, custom, &ReportFilters::default(), &fx.ctx(as_of));
            let two = sessions(&shuffled, &BTreeMap::new(), 365, custom, &ReportFilters::default(), &fx.ctx(as_of));
            prop_assert_eq!(one, two);
        }
    }
}
