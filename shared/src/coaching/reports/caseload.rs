//! The caseload report (RULES.md §9): members with at least one coaching session in the lookback
//! window, how long since their last one, its bucket, channels, coaches and session count.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::coaching::reports::model::{
    dedupe, employer, is_member, rfc3339_of, sort_newest_first, ReportContext, ReportFilters,
    Session, SessionRow,
};
use crate::coaching::rules::buckets::{channel_combination, CaseloadBucket, Channel};
use crate::intercom::models::Contact;

/// `summary` of the caseload report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseloadSummary {
    /// Members in the window whose last session is ≤ 7 days ago, **unfiltered**.
    pub bucket_1: usize,
    /// Members in the window whose last session is 8–28 days ago, unfiltered.
    pub bucket_2: usize,
    /// Members in the window whose last session is 29–56 days ago, unfiltered.
    pub bucket_3: usize,
    /// Members in the window whose last session is more than 56 days ago, unfiltered.
    pub bucket_4: usize,
    /// Member rows after the filters.
    pub members: usize,
    /// Session rows (conversations) after the filters.
    pub sessions: usize,
}

/// `filteredSummary` of the caseload report: the buckets of the member rows, i.e. of the
/// members the filters keep, each by its own `daysSinceLastSession` (of its selected sessions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseloadBuckets {
    /// Member rows whose last selected session is ≤ 7 days ago.
    pub bucket_1: usize,
    /// Member rows whose last selected session is 8–28 days ago.
    pub bucket_2: usize,
    /// Member rows whose last selected session is 29–56 days ago.
    pub bucket_3: usize,
    /// Member rows whose last selected session is more than 56 days ago.
    pub bucket_4: usize,
}

/// A coach of a member: the admin id and `GET /admins` name (null when unknown or unnamed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoachRef {
    pub id: String,
    pub name: Option<String>,
}

/// One member of the caseload, aggregated over the member's selected sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseloadMember {
    /// `contact.id`.
    pub member_id: String,
    /// `contact.external_id`; null when unset or when there is no contact record.
    pub external_id: Option<String>,
    /// `contact.name`; null when unset or when there is no contact record.
    pub member_name: Option<String>,
    /// The `Employer` custom attribute; null when unset or when there is no contact record.
    pub employer: Option<String>,
    /// Newest session time, RFC 3339 UTC.
    pub last_session_at: String,
    /// Newest session's date in the reporting zone, YYYY-MM-DD.
    pub last_session_date: String,
    /// `days(newest session)`.
    pub days_since_last_session: i64,
    /// `bucket_1` … `bucket_4` of `daysSinceLastSession`.
    pub bucket: CaseloadBucket,
    /// Distinct channels, in the order Phone, Video Conference, Email, Chat (`Video` read as
    /// Video Conference; configured extra channels after them, alphabetically).
    pub channels: Vec<String>,
    /// `channels` joined with `" + "`.
    pub channel_combination: String,
    /// Distinct assignees of the sessions, by name (unnamed last, by id); unassigned sessions
    /// add none.
    pub coaches: Vec<CoachRef>,
    /// Selected sessions (conversations) of the member in the window.
    pub session_count: usize,
}

/// The whole caseload report: every row, sorted; the API layer pages `members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseloadReport {
    pub summary: CaseloadSummary,
    /// The buckets of the members the filters keep (equal to `summary`'s without filters).
    pub filtered_summary: CaseloadBuckets,
    /// Sorted by `daysSinceLastSession` ascending, then `memberId`.
    pub members: Vec<CaseloadMember>,
    /// Every selected session, sorted by `sessionAt` descending, then `conversationId`.
    pub sessions: Vec<SessionRow>,
}

impl CaseloadReport {
    /// The session rows that involve any of `member_ids` (the members of one page), in the
    /// report's session order.
    pub fn sessions_of(&self, member_ids: &[&str]) -> Vec<&SessionRow> {
        let wanted: BTreeSet<&str> = member_ids.iter().copied().collect();
        self.sessions
            .iter()
            .filter(|row| row.member_ids.iter().any(|m| wanted.contains(m.as_str())))
            .collect()
    }
}

/// Computes the caseload report.
///
/// - `sessions`: sessions of any class and time, duplicates allowed; only coaching sessions with
///   `days(at) ≤ lookback_days` and `at ≤ as-of` count, once per conversation id.
/// - `members`: contact records by id (a superset is fine). Contacts with role `lead` are not
///   members: no row, no summary count, not in a session's `memberIds`; a conversation of
///   leads only is not a session row. A member without a record still gets a row, with null
///   `externalId`, `memberName` and `employer`, unless an employer filter is set.
/// - `filters`: coach and channel select sessions, employer selects members; `summary.bucket_*`
///   ignores all three, `filtered_summary` counts the buckets of the member rows.
pub fn caseload(
    sessions: &[Session],
    members: &BTreeMap<String, Contact>,
    lookback_days: u32,
    filters: &ReportFilters,
    ctx: &ReportContext,
) -> CaseloadReport {
    let config = ctx.config;
    // Sessions in the window with their members (leads are none); a session of leads only drops.
    let window: Vec<(&Session, Vec<&str>)> = dedupe(sessions)
        .into_iter()
        .filter(|s| s.coaching && ctx.in_lookback(s.at, lookback_days))
        .filter_map(|s| {
            let ids: Vec<&str> = s
                .member_ids
                .iter()
                .map(String::as_str)
                .filter(|id| is_member(members.get(*id)))
                .collect();
            (!ids.is_empty()).then_some((s, ids))
        })
        .collect();

    let mut summary = CaseloadSummary::default();
    for last in last_session_by_member(&window).into_values() {
        *summary.bucket_mut(CaseloadBucket::of_days(ctx.days(last))) += 1;
    }

    // Selected sessions, each with its selected members; a session left without members drops.
    let mut selected: Vec<(&Session, Vec<&str>)> = window
        .iter()
        .filter(|(s, _)| filters.selects_session(s))
        .filter_map(|(s, ids)| {
            let ids: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| filters.selects_member(members.get(*id), config))
                .collect();
            (!ids.is_empty()).then_some((*s, ids))
        })
        .collect();
    selected.sort_by(|(a, _), (b, _)| {
        b.at.cmp(&a.at)
            .then_with(|| a.conversation_id.cmp(&b.conversation_id))
    });

    let mut by_member: BTreeMap<&str, Vec<&Session>> = BTreeMap::new();
    for (s, ids) in &selected {
        for id in ids {
            by_member.entry(id).or_default().push(s);
        }
    }
    let mut rows: Vec<CaseloadMember> = by_member
        .into_iter()
        .map(|(id, sessions)| member_row(id, &sessions, members.get(id), ctx))
        .collect();
    rows.sort_by(|a, b| {
        a.days_since_last_session
            .cmp(&b.days_since_last_session)
            .then_with(|| a.member_id.cmp(&b.member_id))
    });

    let session_rows: Vec<SessionRow> = selected
        .into_iter()
        .map(|(s, ids)| SessionRow::new(s, ids.into_iter().map(str::to_string).collect(), ctx))
        .collect();
    summary.members = rows.len();
    summary.sessions = session_rows.len();
    let mut filtered_summary = CaseloadBuckets::default();
    for row in &rows {
        *match row.bucket {
            CaseloadBucket::Bucket1 => &mut filtered_summary.bucket_1,
            CaseloadBucket::Bucket2 => &mut filtered_summary.bucket_2,
            CaseloadBucket::Bucket3 => &mut filtered_summary.bucket_3,
            CaseloadBucket::Bucket4 => &mut filtered_summary.bucket_4,
        } += 1;
    }
    CaseloadReport {
        summary,
        filtered_summary,
        members: rows,
        sessions: session_rows,
    }
}

impl CaseloadSummary {
    fn bucket_mut(&mut self, bucket: CaseloadBucket) -> &mut usize {
        match bucket {
            CaseloadBucket::Bucket1 => &mut self.bucket_1,
            CaseloadBucket::Bucket2 => &mut self.bucket_2,
            CaseloadBucket::Bucket3 => &mut self.bucket_3,
            CaseloadBucket::Bucket4 => &mut self.bucket_4,
        }
    }
}

/// Member id → newest session time among `sessions` (each with its members).
fn last_session_by_member<'a>(sessions: &[(&Session, Vec<&'a str>)]) -> BTreeMap<&'a str, i64> {
    let mut last: BTreeMap<&str, i64> = BTreeMap::new();
    for (s, ids) in sessions {
        for id in ids {
            let t = last.entry(*id).or_insert(s.at);
            *t = (*t).max(s.at);
        }
    }
    last
}

/// The row of one member from its selected sessions (at least one, newest first).
fn member_row(
    id: &str,
    sessions: &[&Session],
    contact: Option<&Contact>,
    ctx: &ReportContext,
) -> CaseloadMember {
    let mut sessions = sessions.to_vec();
    sort_newest_first(&mut sessions);
    let last = sessions[0].at;
    let days = ctx.days(last);
    let channels = ordered_channels(sessions.iter().map(|s| s.channel.as_str()));
    CaseloadMember {
        member_id: id.to_string(),
        external_id: contact.and_then(|c| c.external_id.clone()),
        member_name: contact.and_then(|c| c.name.clone()),
        employer: contact.and_then(|c| employer(c, ctx.config).map(str::to_string)),
        last_session_at: rfc3339_of(last),
        last_session_date: ctx.local_ymd(last),
        days_since_last_session: days,
        bucket: CaseloadBucket::of_days(days),
        channel_combination: channel_combination(channels.iter().map(String::as_str)),
        channels,
        coaches: coaches(sessions.iter().filter_map(|s| s.coach_id.as_deref()), ctx),
        session_count: sessions.len(),
    }
}

/// Distinct channels in combination order: the four report channels first (normalised), then
/// configured extras alphabetically; the same order as [`channel_combination`].
fn ordered_channels<'a>(channels: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut known: BTreeSet<Channel> = BTreeSet::new();
    let mut other: BTreeSet<&str> = BTreeSet::new();
    for c in channels {
        match c.parse::<Channel>() {
            Ok(ch) => {
                known.insert(ch);
            }
            Err(_) => {
                other.insert(c);
            }
        }
    }
    known
        .into_iter()
        .map(|c| c.as_str())
        .chain(other)
        .map(str::to_string)
        .collect()
}

/// Distinct coaches by name; unnamed (unknown admin or no name) after the named, by id.
pub(crate) fn coaches<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    ctx: &ReportContext,
) -> Vec<CoachRef> {
    let ids: BTreeSet<&str> = ids.into_iter().collect();
    let mut coaches: Vec<CoachRef> = ids
        .into_iter()
        .map(|id| CoachRef {
            id: id.to_string(),
            name: ctx.coach_name(Some(id)),
        })
        .collect();
    coaches.sort_by(|a, b| {
        (a.name.is_none(), &a.name, &a.id).cmp(&(b.name.is_none(), &b.name, &b.id))
    });
    coaches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::reports::testing::{at, by_id, contact, lead, ny, session, Fixture};
    use crate::time::{days_since, instant};
    use chrono_tz::America::New_York;
    use proptest::prelude::*;
    use CaseloadBucket::*;

    /// 2026-04-15 12:00 EDT.
    fn as_of() -> chrono::DateTime<chrono::Utc> {
        instant(ny("2026-04-15 12:00"))
    }

    fn people() -> BTreeMap<String, Contact> {
        by_id(&[
            contact("a", "Ann Lee", Some("Acme"), None),
            contact("b", "Ben Ode", Some("Acme"), None),
            contact("c", "Cy Park", Some("Globex"), None),
        ])
    }

    /// a, b (Acme), c (Globex), d (no contact record); see each line for days before as-of.
    fn sessions() -> Vec<Session> {
        vec![
            session("s1", &["a"], Some("1"), "Phone", ny("2026-04-14 10:00")), // 1
            session("s2", &["a"], Some("2"), "Email", ny("2026-04-01 10:00")), // 14
            session(
                "s3",
                &["a", "b"],
                Some("1"),
                "Video Conference",
                ny("2026-04-10 10:00"),
            ), // 5
            session("s4", &["c", "b"], Some("2"), "Chat", ny("2026-03-20 10:00")), // 26
            session("s5", &["d"], Some("3"), "Phone", ny("2026-03-01 10:00")), // 45: outside 30
            session("s6", &["d"], None, "Chat", ny("2026-04-12 10:00")),       // 3
            session("s7", &["c"], Some("1"), "Phone", ny("2026-03-10 10:00")), // 36: outside 30
            session("s8", &["b"], Some("1"), "Phone", ny("2026-04-15 12:01")), // after as-of
            session("s9", &["b"], Some("2"), "SMS", ny("2026-04-14 10:00")),   // not coaching
            session(
                "s3",
                &["a", "b"],
                Some("1"),
                "Video Conference",
                ny("2026-04-10 10:00"),
            ), // duplicate page
        ]
    }

    fn run(filters: ReportFilters) -> CaseloadReport {
        let fx = Fixture::new();
        caseload(&sessions(), &people(), 30, &filters, &fx.ctx(as_of()))
    }

    fn ids(report: &CaseloadReport) -> Vec<(&str, i64, usize)> {
        report
            .members
            .iter()
            .map(|m| {
                (
                    m.member_id.as_str(),
                    m.days_since_last_session,
                    m.session_count,
                )
            })
            .collect()
    }

    fn conversation_ids(rows: &[&SessionRow]) -> Vec<String> {
        rows.iter().map(|r| r.conversation_id.clone()).collect()
    }

    fn unfiltered_summary(members: usize, sessions: usize) -> CaseloadSummary {
        CaseloadSummary {
            bucket_1: 3,
            bucket_2: 1,
            bucket_3: 0,
            bucket_4: 0,
            members,
            sessions,
        }
    }

    #[test]
    fn unfiltered_rows_and_summary() {
        let r = run(ReportFilters::default());
        assert_eq!(r.summary, unfiltered_summary(4, 5));
        assert_eq!(
            ids(&r),
            [("a", 1, 3), ("d", 3, 1), ("b", 5, 2), ("c", 26, 1)]
        );

        let a = &r.members[0];
        assert_eq!(a.external_id.as_deref(), Some("ext-a"));
        assert_eq!(a.member_name.as_deref(), Some("Ann Lee"));
        assert_eq!(a.employer.as_deref(), Some("Acme"));
        assert_eq!(a.last_session_at, "2026-04-14T14:00:00Z");
        assert_eq!(a.last_session_date, "2026-04-14");
        assert_eq!(a.bucket, Bucket1);
        assert_eq!(a.channels, ["Phone", "Video Conference", "Email"]);
        assert_eq!(a.channel_combination, "Phone + Video Conference + Email");
        let coach = |id: &str, name: Option<&str>| CoachRef {
            id: id.into(),
            name: name.map(str::to_string),
        };
        assert_eq!(
            a.coaches,
            [
                coach("1", Some("Alice Smith")),
                coach("2", Some("Bob Jones"))
            ]
        );

        let b = &r.members[2];
        assert_eq!(b.channel_combination, "Video Conference + Chat");
        assert_eq!(
            b.session_count, 2,
            "s8 after as-of and s9 (SMS) do not count"
        );

        let c = &r.members[3];
        assert_eq!(c.bucket, Bucket2);
        assert_eq!(c.session_count, 1, "s7 is 36 days ago, outside 30");

        // No contact record: a row all the same, with null name, employer and user id.
        let d = &r.members[1];
        assert_eq!(
            (&d.member_name, &d.employer, &d.external_id),
            (&None, &None, &None)
        );
        assert_eq!(d.coaches, [], "an unassigned session adds no coach");
        assert_eq!(d.channels, ["Chat"]);

        // One row per conversation (s3 arrived twice), newest first.
        let all: Vec<&SessionRow> = r.sessions.iter().collect();
        assert_eq!(conversation_ids(&all), ["s1", "s6", "s3", "s2", "s4"]);
        let s3 = &r.sessions[2];
        assert_eq!(s3.member_ids, ["a", "b"]);
        assert_eq!(s3.coach_name.as_deref(), Some("Alice Smith"));
        assert_eq!(s3.days_ago, 5);
        assert_eq!(s3.session_date, "2026-04-10");
        assert_eq!(conversation_ids(&r.sessions_of(&["c"])), ["s4"]);
        assert_eq!(conversation_ids(&r.sessions_of(&["a"])), ["s1", "s3", "s2"]);
        assert_eq!(conversation_ids(&r.sessions_of(&["d", "c"])), ["s6", "s4"]);
        assert!(r.sessions_of(&[]).is_empty());
    }

    #[test]
    fn filters_select_rows_but_not_summary_buckets() {
        let coach = |id: &str| ReportFilters {
            coach_id: Some(id.into()),
            ..Default::default()
        };
        let r = run(coach("1"));
        assert_eq!(r.summary, unfiltered_summary(2, 2));
        assert_eq!(ids(&r), [("a", 1, 2), ("b", 5, 1)]);
        assert_eq!(r.members[0].channels, ["Phone", "Video Conference"]);
        assert_eq!(r.members[0].coaches.len(), 1);

        let r = run(coach("3"));
        assert_eq!(
            r.summary,
            unfiltered_summary(0, 0),
            "s5 is outside the window"
        );

        let r = run(ReportFilters {
            channel: Some(Channel::Chat),
            ..Default::default()
        });
        assert_eq!(r.summary, unfiltered_summary(3, 2));
        assert_eq!(ids(&r), [("d", 3, 1), ("b", 26, 1), ("c", 26, 1)]);
        assert_eq!(r.members[1].bucket, Bucket2, "b's last Chat session");

        let employer = |e: &str| ReportFilters {
            employer: Some(e.into()),
            ..Default::default()
        };
        let r = run(employer("Acme"));
        assert_eq!(r.summary, unfiltered_summary(2, 4));
        assert_eq!(ids(&r), [("a", 1, 3), ("b", 5, 2)]);
        let s4 = r
            .sessions
            .iter()
            .find(|s| s.conversation_id == "s4")
            .unwrap();
        assert_eq!(s4.member_ids, ["b"], "c works for Globex");

        let r = run(employer("Globex"));
        assert_eq!(r.summary, unfiltered_summary(1, 1));
        assert_eq!(ids(&r), [("c", 26, 1)]);
        assert_eq!(r.sessions[0].member_ids, ["c"]);

        let r = run(employer("Initech"));
        assert_eq!(r.summary, unfiltered_summary(0, 0));
    }

    #[test]
    fn filtered_summary_counts_the_buckets_of_the_rows_the_filters_keep() {
        let buckets = |b1, b2, b3, b4| CaseloadBuckets {
            bucket_1: b1,
            bucket_2: b2,
            bucket_3: b3,
            bucket_4: b4,
        };
        let f = |coach: Option<&str>, employer: Option<&str>, channel| ReportFilters {
            coach_id: coach.map(str::to_string),
            employer: employer.map(str::to_string),
            channel,
        };
        let cases = [
            // Unfiltered: a 1, d 3, b 5 days, c 26 days: as the summary.
            (f(None, None, None), buckets(3, 1, 0, 0)),
            // Coach 1: a 1, b 5.
            (f(Some("1"), None, None), buckets(2, 0, 0, 0)),
            // Chat: d 3, b and c 26 (b's last Chat session, not its last session).
            (f(None, None, Some(Channel::Chat)), buckets(1, 2, 0, 0)),
            (f(None, Some("Acme"), None), buckets(2, 0, 0, 0)),
            (f(None, Some("Globex"), None), buckets(0, 1, 0, 0)),
            (f(Some("3"), None, None), buckets(0, 0, 0, 0)),
        ];
        for (filters, want) in cases {
            let r = run(filters.clone());
            assert_eq!(r.filtered_summary, want, "{filters:?}");
            assert_eq!(
                r.summary,
                unfiltered_summary(r.members.len(), r.sessions.len())
            );
        }
        let v = serde_json::to_value(run(f(Some("1"), None, None))).unwrap();
        assert_eq!(
            v["filteredSummary"],
            serde_json::json!({"bucket_1": 2, "bucket_2": 0, "bucket_3": 0, "bucket_4": 0})
        );
    }

    #[test]
    fn bucket_edges_by_local_calendar_days() {
        let fx = Fixture::new();
        let cases = [
            ("2026-04-08 00:30", 7, Bucket1),
            // 23:30 New York is already the next day in UTC: the local date counts.
            ("2026-04-07 23:30", 8, Bucket2),
            ("2026-03-18 23:59", 28, Bucket2),
            ("2026-03-17 08:00", 29, Bucket3),
            ("2026-02-18 12:00", 56, Bucket3),
            ("2026-02-17 23:30", 57, Bucket4),
        ];
        let sessions: Vec<Session> = cases
            .iter()
            .enumerate()
            .map(|(i, (t, _, _))| {
                let member = format!("m{i}");
                session(&format!("s{i}"), &[&member], None, "Phone", ny(t))
            })
            .collect();
        let r = caseload(
            &sessions,
            &BTreeMap::new(),
            60,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        for (i, (t, days, bucket)) in cases.iter().enumerate() {
            let row = r
                .members
                .iter()
                .find(|m| m.member_id == format!("m{i}"))
                .unwrap();
            assert_eq!(
                (row.days_since_last_session, row.bucket),
                (*days, *bucket),
                "{t}"
            );
        }
        assert_eq!(r.members[1].last_session_date, "2026-04-07");
        assert_eq!(r.members[1].last_session_at, "2026-04-08T03:30:00Z");
        let s = &r.summary;
        assert_eq!(
            (s.bucket_1, s.bucket_2, s.bucket_3, s.bucket_4),
            (1, 2, 2, 1)
        );
    }

    #[test]
    fn lookback_and_as_of_edges() {
        let fx = Fixture::new();
        let sessions = [
            // 30 days: the first instant of 2026-03-16 is in, the last of 03-15 is not.
            session("in", &["a"], None, "Email", ny("2026-03-16 00:00")),
            session("out", &["b"], None, "Email", ny("2026-03-16 00:00") - 1),
            // As-of itself is in; a second later is not.
            session("now", &["c"], None, "Chat", as_of().timestamp()),
            session("later", &["d"], None, "Chat", as_of().timestamp() + 1),
            // Later on as-of's own local date: still after as-of.
            session("tonight", &["e"], None, "Chat", ny("2026-04-15 23:00")),
        ];
        let r = caseload(
            &sessions,
            &BTreeMap::new(),
            30,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        assert_eq!(ids(&r), [("c", 0, 1), ("a", 30, 1)]);
        assert_eq!(r.summary.bucket_1 + r.summary.bucket_3, 2);
        // A one-day lookback: yesterday counts, the day before does not.
        let sessions = [
            session("y", &["a"], None, "Email", ny("2026-04-14 00:00")),
            session("yy", &["b"], None, "Email", ny("2026-04-13 23:59")),
        ];
        let r = caseload(
            &sessions,
            &BTreeMap::new(),
            1,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        assert_eq!(ids(&r), [("a", 1, 1)]);
    }

    #[test]
    fn coaches_by_name_then_unnamed_by_id() {
        let fx = Fixture::new();
        let t = ny("2026-04-14 10:00");
        let sessions = [
            session("1", &["a"], Some("9"), "Phone", t),
            session("2", &["a"], Some("2"), "Phone", t - 60),
            session("3", &["a"], Some("3"), "Chat", t - 120),
            session("4", &["a"], Some("1"), "Video Conference", t - 180),
            session("5", &["a"], Some("2"), "Email", t - 240),
        ];
        let r = caseload(
            &sessions,
            &BTreeMap::new(),
            30,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        let got: Vec<_> = r.members[0]
            .coaches
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("1", Some("Alice Smith")),
                ("2", Some("Bob Jones")),
                ("3", None),
                ("9", None)
            ]
        );
        assert_eq!(r.members[0].session_count, 5);
        assert_eq!(
            r.members[0].channel_combination,
            "Phone + Video Conference + Email + Chat"
        );
        assert_eq!(r.sessions[0].coach_name, None, "admin 9 is unknown");
    }

    #[test]
    fn json_names() {
        let r = run(ReportFilters::default());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v["summary"],
            serde_json::json!({"bucket_1": 3, "bucket_2": 1, "bucket_3": 0, "bucket_4": 0,
                               "members": 4, "sessions": 5})
        );
        assert_eq!(
            v["members"][1],
            serde_json::json!({
                "memberId": "d", "externalId": null, "memberName": null, "employer": null,
                "lastSessionAt": "2026-04-12T14:00:00Z", "lastSessionDate": "2026-04-12",
                "daysSinceLastSession": 3, "bucket": "bucket_1", "channels": ["Chat"],
                "channelCombination": "Chat", "coaches": [], "sessionCount": 1
            })
        );
        assert_eq!(
            v["members"][0]["coaches"][0],
            serde_json::json!({"id": "1", "name": "Alice Smith"})
        );
        assert_eq!(
            v["sessions"][0],
            serde_json::json!({
                "conversationId": "s1", "memberIds": ["a"], "coachId": "1",
                "coachName": "Alice Smith", "channel": "Phone",
                "serviceCode": "Health Coaching 001", "sessionAt": "2026-04-14T14:00:00Z",
                "sessionDate": "2026-04-14", "daysAgo": 1
            })
        );
    }

    /// Random sessions over a year spanning both 2026 DST changes in New York.
    fn random_sessions() -> impl Strategy<Value = Vec<Session>> {
        let one = (
            0u8..12,
            prop::collection::vec(0u8..8, 1..3),
            prop::option::of(0u8..4),
            prop::sample::select(vec!["Phone", "Video Conference", "Email", "Chat", "SMS"]),
            1_767_225_600i64..1_798_761_600, // 2026-01-01 .. 2027-01-01
        )
            .prop_map(|(id, members, coach, channel, t)| {
                let members: Vec<String> = members.iter().map(|m| format!("m{m}")).collect();
                let members: Vec<&str> = members.iter().map(String::as_str).collect();
                let coach = coach.map(|c| c.to_string());
                session(&format!("c{id}"), &members, coach.as_deref(), channel, t)
            });
        prop::collection::vec(one, 0..30)
    }

    #[test]
    fn leads_are_never_members() {
        let fx = Fixture::new();
        let people = by_id(&[
            contact("u", "Uma User", Some("Acme"), None),
            lead(contact("l", "Lee Lead", Some("Acme"), None)),
        ]);
        let sessions = [
            // Shared by a lead and a user: the user's session only.
            session("1", &["l", "u"], Some("1"), "Phone", ny("2026-04-10 10:00")), // 5
            // The lead's alone: nobody's session, in no bucket.
            session("2", &["l"], Some("1"), "Phone", ny("2026-04-14 10:00")), // 1
        ];
        let r = caseload(
            &sessions,
            &people,
            30,
            &ReportFilters::default(),
            &fx.ctx(as_of()),
        );
        assert_eq!(ids(&r), [("u", 5, 1)]);
        assert_eq!(
            r.summary,
            CaseloadSummary {
                bucket_1: 1,
                members: 1,
                sessions: 1,
                ..Default::default()
            }
        );
        assert_eq!(r.sessions.len(), 1);
        assert_eq!(r.sessions[0].member_ids, ["u"]);
    }

    proptest! {
        #[test]
        fn bucket_is_the_bucket_of_days_since_the_last_session(
            sessions in random_sessions(),
            as_of_ts in 1_767_225_600i64..1_798_761_600,
            lookback in 1u32..=365,
        ) {
            let fx = Fixture::new();
            let as_of = instant(as_of_ts);
            let r = caseload(&sessions, &BTreeMap::new(), lookback, &ReportFilters::default(), &fx.ctx(as_of));
            let kept = dedupe(&sessions);
            for row in &r.members {
                let last = kept
                    .iter()
                    .filter(|s| s.coaching && s.at <= as_of_ts && s.member_ids.contains(&row.member_id))
                    .map(|s| s.at)
                    .max()
                    .unwrap();
                let days = days_since(last, as_of, New_York);
                prop_assert!(days <= i64::from(lookback));
                prop_assert_eq!(row.days_since_last_session, days);
                prop_assert_eq!(row.bucket, CaseloadBucket::of_days(days));
            }
            let s = &r.summary;
            prop_assert_eq!(s.bucket_1 + s.bucket_2 + s.bucket_3 + s.bucket_4, r.members.len());
            prop_assert_eq!(s.members, r.members.len());
        }

        #[test]
        fn order_does_not_depend_on_input_order(
            (sessions, shuffled) in random_sessions()
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            channel in prop::option::of(prop::sample::select(Channel::ALL.to_vec())),
        ) {
            let fx = Fixture::new();
            let as_of = at("2026-07-01T16:00:00Z");
            let filters = ReportFilters { channel, ..Default::default() };
            let people = people();
            let one = caseload(&sessions, &people, 365, &filters, &fx.ctx(as_of));
            let two = caseload(&shuffled, &people, 365, &filters, &fx.ctx(as_of));
            prop_assert_eq!(one, two);
        }
    }
}
