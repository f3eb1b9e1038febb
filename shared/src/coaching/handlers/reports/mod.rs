//! The report functions' handler: route, parse, fetch from Intercom in parallel under a deadline,
//! compute the pure report, page and render (RULES.md §9).

pub mod fetch;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};

use crate::api::invocation::key_name;
use crate::api::paging::Limit;
use crate::api::problem::Problem;
use crate::api::render::{csv_response, json_response, next_link_base, wants_csv};
use crate::coaching::api::{csv_filename, parse_report_request, route, Meta, ReportRequest, Route};
use crate::coaching::jobs::engagement_export::DateRange;
use crate::coaching::reports::model::{ReportContext, ReportFilters, Session};
use crate::coaching::reports::{billing, caseload, new_participants, sessions, TabularRow};
use crate::coaching::rules::billing::BillingWindow;
use crate::coaching::rules::thresholds::AT_RISK_DAYS;
use crate::intercom::models::{Admin, Contact};
use crate::intercom::{IntercomClient, IntercomError};
use crate::time::{days_before, local_date_of, lookback_window, start_of_local_day, utc_midnight};

use super::AppContext;
use crate::job::JobError;

/// The platform's report deadline ([`crate::api::deadline_from_env`]), re-exported for the
/// report binaries.
pub use crate::api::invocation::deadline_from_env;

/// Answers one HTTP request for the report `serves` (another report's path is a 404 here).
/// Infallible: every failure is a problem+json response.
pub async fn handle(
    ctx: &AppContext,
    serves: Route,
    deadline: Duration,
    request: Request,
) -> Response<Body> {
    let started = Instant::now();
    let path = request.uri().path().to_string();
    let response = match route(request.method(), &path) {
        Ok(found) if found == serves => answer(ctx, serves, deadline, &request).await,
        Ok(_) => Problem::not_found(&path).into_response(),
        Err(problem) => problem.into_response(),
    };
    // Audit line: who (the API key's name from the authorizer), what, outcome; never PII.
    tracing::info!(
        report = serves.name(),
        key_name = key_name(&request).as_deref().unwrap_or("-"),
        method = %request.method(),
        path = %path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "report request"
    );
    response
}

async fn answer(
    ctx: &AppContext,
    serves: Route,
    deadline: Duration,
    request: &Request,
) -> Response<Body> {
    let req = match parse_report_request(serves, request, ctx.now(), ctx.config.reporting_tz) {
        Ok(req) => req,
        Err(problem) => return problem.into_response(),
    };
    match tokio::time::timeout(deadline, build(ctx, &req, request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(problem)) => problem.into_response(),
        Err(_) => {
            tracing::warn!(
                report = serves.name(),
                deadline_ms = deadline.as_millis() as u64,
                "report timed out"
            );
            Problem::report_timeout(deadline.as_millis() as u64).into_response()
        }
    }
}

fn upstream(error: IntercomError) -> Problem {
    tracing::error!(%error, "Intercom request failed");
    Problem::from_intercom(&error)
}

fn setup(error: JobError) -> Problem {
    tracing::error!(%error, "cannot reach Intercom");
    match error {
        JobError::Intercom(e) => Problem::from_intercom(&e),
        _ => Problem::internal_error(),
    }
}

fn filters(req: &ReportRequest) -> ReportFilters {
    ReportFilters {
        coach_id: req.filters.coach_id.clone(),
        employer: req.filters.employer.clone(),
        channel: req.filters.channel,
    }
}

async fn admins(client: &IntercomClient) -> Result<BTreeMap<String, Admin>, IntercomError> {
    Ok(client
        .list_admins()
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect())
}

/// Largest response payload a report sends: Lambda caps a response at 6 MB, and a binary (gzip)
/// body travels base64-encoded, a third larger.
pub const MAX_RESPONSE_BYTES: usize = 5_500_000;

/// The payload size of `response` as Lambda will send it.
fn payload_size(response: &Response<Body>) -> usize {
    match response.body() {
        Body::Binary(bytes) => bytes.len().div_ceil(3) * 4,
        Body::Text(text) => text.len(),
        _ => 0,
    }
}

/// Renders one page of `rows` as JSON (with `summary` and extra members, e.g. caseload's
/// `filteredSummary` and `sessions`) or CSV. A page
/// that would exceed [`MAX_RESPONSE_BYTES`] is cut to fewer rows (the response's `page.limit`
/// says how many; `nextCursor` continues after them), so a large listing never breaks the cap.
#[allow(clippy::too_many_arguments)]
fn render<R: TabularRow>(
    req: &ReportRequest,
    request: &Request,
    client: &IntercomClient,
    tz: chrono_tz::Tz,
    summary: &impl serde::Serialize,
    rows_name: &str,
    rows: &[R],
    extra: impl Fn(std::ops::Range<usize>) -> Vec<(&'static str, serde_json::Value)>,
) -> Response<Body> {
    let mut req = req.clone();
    loop {
        let page = req.page(rows.len());
        let response = if wants_csv(req.format, request.headers()) {
            let link = next_link_base(request);
            csv_response(
                rows,
                &page,
                &csv_filename(&req, tz),
                link.as_deref(),
                request.headers(),
            )
        } else {
            let meta = Meta::new(&req, tz, Utc::now(), client.stats().api_calls);
            json_response(
                &meta,
                summary,
                rows_name,
                rows,
                extra(page.range()),
                &page,
                request.headers(),
            )
        };
        let size = payload_size(&response);
        let limit = req.limit.get();
        if size <= MAX_RESPONSE_BYTES || limit <= 1 {
            return response;
        }
        let fits = (limit as f64 * MAX_RESPONSE_BYTES as f64 / size as f64 * 0.9) as u32;
        tracing::info!(
            size,
            limit,
            fits,
            "page over the response cap; sending fewer rows"
        );
        req.limit = Limit(fits.clamp(1, limit - 1));
    }
}

async fn build(
    ctx: &AppContext,
    req: &ReportRequest,
    request: &Request,
) -> Result<Response<Body>, Problem> {
    let client = ctx.intercom_client().await.map_err(setup)?;
    let config = &ctx.config;
    let tz = config.reporting_tz;
    let as_of = req.as_of;
    let now = as_of.timestamp();
    let lookback = req.lookback.map(|l| l.days).unwrap_or(0);
    let coaching = &config.classes.coaching_channels;
    // One `GET /me` per request: with the workspace's zone, scans tile days exactly.
    let grid = fetch::DayGrid::of(&client).await.map_err(upstream)?;
    match req.route {
        Route::Caseload => {
            let (from, _) = lookback_window(as_of, lookback, tz);
            let (sessions, admins) = tokio::try_join!(
                fetch::closed_sessions_since(&client, grid, from, now, coaching, config),
                admins(&client)
            )
            .map_err(upstream)?;
            let members = fetch::members_of(&client, &sessions, [])
                .await
                .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = caseload::caseload(&sessions, &members, lookback, &filters(req), &rctx);
            let extra = |range: std::ops::Range<usize>| {
                let ids: Vec<&str> = report.members[range]
                    .iter()
                    .map(|m| m.member_id.as_str())
                    .collect();
                vec![
                    (
                        "filteredSummary",
                        serde_json::to_value(&report.filtered_summary).unwrap_or_default(),
                    ),
                    (
                        "sessions",
                        serde_json::to_value(report.sessions_of(&ids)).unwrap_or_default(),
                    ),
                ]
            };
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "members",
                &report.members,
                extra,
            ))
        }
        Route::Sessions => {
            // The 0–7 / 8–28 / 29–56 counts need 56 days whatever the lookback; the custom range
            // may reach further back.
            let today = local_date_of(as_of, tz);
            let mut first_day = days_before(today, lookback.max(AT_RISK_DAYS as u32));
            if let Some((from, _)) = req.custom_range {
                first_day = first_day.min(from);
            }
            let from = start_of_local_day(first_day, tz);
            let (sessions, admins) = tokio::try_join!(
                fetch::closed_sessions_since(&client, grid, from, now, coaching, config),
                admins(&client)
            )
            .map_err(upstream)?;
            // Contacts give employers; without an employer filter only the leads are needed
            // (to leave them out), which one search per chunk of ids finds.
            let members = if req.filters.employer.is_some() {
                fetch::members_of(&client, &sessions, []).await
            } else {
                fetch::leads_of(&client, &sessions).await
            }
            .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = sessions::sessions(
                &sessions,
                &members,
                lookback,
                req.custom_range,
                &filters(req),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "sessions",
                &report.sessions,
                |_| Vec::new(),
            ))
        }
        Route::NewParticipants => {
            let first_day = days_before(local_date_of(as_of, tz), lookback);
            let first = req.enrolled.0.map_or(first_day, |d| d.max(first_day));
            let enrolled_attr = &config.attributes.enrolled_date;
            let (candidates, admins) = tokio::try_join!(
                fetch::contacts_with_date_between(
                    &client,
                    grid,
                    enrolled_attr,
                    utc_midnight(first),
                    now
                ),
                admins(&client)
            )
            .map_err(upstream)?;
            let sessions = participant_sessions(&client, grid, &candidates, first, as_of, config)
                .await
                .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let enrolled = DateRange {
                from: req.enrolled.0,
                to: req.enrolled.1,
            };
            let report = new_participants::new_participants(
                &candidates,
                &sessions,
                lookback,
                enrolled,
                &filters(req),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "participants",
                &report.participants,
                |_| Vec::new(),
            ))
        }
        Route::Billing | Route::Engagement => {
            let month = req.month.ok_or_else(Problem::internal_error)?;
            let window = BillingWindow::new(month, tz);
            let engaged_from = start_of_local_day(window.engaged_from, tz);
            let month_end = window.month_instants.1;
            let enrolled_attr = &config.attributes.enrolled_date;
            let billing_channels = &config.classes.billing_channels;
            let (calls, candidates, admins) = tokio::try_join!(
                fetch::closed_sessions_since(
                    &client,
                    grid,
                    engaged_from,
                    month_end.min(now),
                    billing_channels,
                    config
                ),
                fetch::contacts_with_date_between(
                    &client,
                    grid,
                    enrolled_attr,
                    utc_midnight(month.first_day()),
                    utc_midnight(month.last_day()) + 86_399
                ),
                admins(&client)
            )
            .map_err(upstream)?;
            let without = without_engaging_call(&candidates, &calls, &window, tz, as_of);
            let mut all_calls = calls.clone();
            if !without.is_empty() {
                all_calls.extend(
                    fetch::closed_sessions_of(&client, &without, billing_channels, config)
                        .await
                        .map_err(upstream)?,
                );
            }
            let known: std::collections::BTreeSet<String> =
                candidates.iter().map(|c| c.id.clone()).collect();
            let mut members: BTreeMap<String, Contact> = candidates
                .iter()
                .map(|c| (c.id.clone(), c.clone()))
                .collect();
            let others: Vec<Session> = calls
                .iter()
                .filter(|s| s.member_ids.iter().any(|id| !known.contains(id)))
                .cloned()
                .collect();
            let fetched = fetch::members_of(&client, &others, [])
                .await
                .map_err(upstream)?;
            for (id, contact) in fetched {
                members.entry(id).or_insert(contact);
            }
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = billing::billing(
                month,
                &candidates,
                &all_calls,
                &members,
                req.filters.employer.as_deref(),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "rows",
                &report.rows,
                |_| Vec::new(),
            ))
        }
    }
}

/// Candidates whose latest billing call up to the month's end the engaged-window scan may have
/// missed: those without a call that engages them (a billing call at or before as-of whose local
/// date is in the engaged window). Every later call of a member with an engaging call is in the
/// scan too (its `updated_at` is at or after its session time), so only the others need their
/// call history by `contact_ids`. Calls after the month's end or after as-of, which the open-ended
/// scan also returns, decide nothing.
fn without_engaging_call(
    candidates: &[Contact],
    scanned: &[Session],
    window: &BillingWindow,
    tz: chrono_tz::Tz,
    as_of: DateTime<Utc>,
) -> Vec<String> {
    let as_of = as_of.timestamp();
    let engaged: std::collections::BTreeSet<&str> = scanned
        .iter()
        .filter(|s| {
            s.billing && s.at <= as_of && window.up_to_month_end(s.at) && window.engages(s.at, tz)
        })
        .flat_map(|s| s.member_ids.iter().map(String::as_str))
        .collect();
    let mut ids: Vec<String> = candidates
        .iter()
        .filter(|c| !engaged.contains(c.id.as_str()))
        .map(|c| c.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Coaching sessions that decide each candidate's latest session: each candidate's whole history
/// by `contact_ids` for up to [`SCAN_ABOVE`] candidates, else one scan of the window since the
/// first candidate enrolment date, kept to the candidates' sessions ([`of_candidates`]).
///
/// The scan alone is complete: only sessions whose local date is on or after the candidate's
/// Enrolled Date count (RULES.md §9), and every candidate enrolled on or after `first_day`, so a
/// counting session's time, and its `updated_at`, is at or after the scan's start.
async fn participant_sessions(
    client: &IntercomClient,
    grid: fetch::DayGrid,
    candidates: &[Contact],
    first_day: chrono::NaiveDate,
    as_of: DateTime<Utc>,
    config: &crate::coaching::config::Config,
) -> Result<Vec<Session>, IntercomError> {
    let coaching = &config.classes.coaching_channels;
    let ids: Vec<String> = candidates.iter().map(|c| c.id.clone()).collect();
    if ids.len() <= SCAN_ABOVE {
        return fetch::closed_sessions_of(client, &ids, coaching, config).await;
    }
    let from = start_of_local_day(first_day, config.reporting_tz);
    let scanned =
        fetch::closed_sessions_since(client, grid, from, as_of.timestamp(), coaching, config)
            .await?;
    Ok(of_candidates(scanned, candidates))
}

/// Above this many new-participant candidates, one window scan is cheaper than `contact_ids`
/// lookups (150 ids per search).
const SCAN_ABOVE: usize = 1500;

/// The sessions of `scanned` that have at least one of `candidates` among their members.
fn of_candidates(mut scanned: Vec<Session>, candidates: &[Contact]) -> Vec<Session> {
    let wanted: std::collections::BTreeSet<&str> =
        candidates.iter().map(|c| c.id.as_str()).collect();
    scanned.retain(|s| s.member_ids.iter().any(|m| wanted.contains(m.as_str())));
    scanned
}

#[cfg(test)]
mod tests {
    //! The fetch shortcuts against a plain "fetch everything" path: for random workspaces, the
    //! report computed from what the shortcut reads equals the report computed from every session.

    use super::*;
    use crate::coaching::reports::testing::{contact, lead, ny, session, Fixture};
    use crate::coaching::rules::buckets::Channel;
    use crate::time::{instant, YearMonth};
    use proptest::prelude::*;

    const BILLING: [&str; 2] = ["Phone", "Video Conference"];
    const COACHING: [&str; 4] = ["Phone", "Video Conference", "Email", "Chat"];
    const MEMBERS: usize = 20;

    /// A closed conversation as Intercom stores it: its session and its `updated_at` (never
    /// before the session time).
    #[derive(Debug, Clone)]
    struct Stored {
        session: Session,
        updated_at: i64,
    }

    /// What `fetch::closed_sessions_since` returns: `updated_at ≥ from`, open-ended.
    fn scan(all: &[Stored], from: i64, channels: &[&str]) -> Vec<Session> {
        all.iter()
            .filter(|s| s.updated_at >= from && channels.contains(&s.session.channel.as_str()))
            .map(|s| s.session.clone())
            .collect()
    }

    /// What `fetch::closed_sessions_of` returns: every session of these contacts.
    fn history(all: &[Stored], ids: &[String], channels: &[&str]) -> Vec<Session> {
        all.iter()
            .filter(|s| channels.contains(&s.session.channel.as_str()))
            .filter(|s| s.session.member_ids.iter().any(|m| ids.contains(m)))
            .map(|s| s.session.clone())
            .collect()
    }

    fn everything(all: &[Stored]) -> Vec<Session> {
        all.iter().map(|s| s.session.clone()).collect()
    }

    /// Instants from 2025-12-01 to 2026-05-31 (New York), in hours: enrolments (2026-01-01 to
    /// 2026-05-30) and sessions close enough that most lookbacks hold both.
    fn hour() -> impl Strategy<Value = i64> {
        (0i64..(182 * 24)).prop_map(|h| ny("2025-12-01 00:00") + h * 3600)
    }

    fn workspace() -> impl Strategy<Value = (Vec<Contact>, Vec<Stored>)> {
        let member = (
            proptest::option::weighted(0.8, 0u32..150),
            proptest::bool::weighted(0.15),
        );
        let stored = (
            proptest::sample::subsequence((0..MEMBERS).collect::<Vec<_>>(), 1..=2),
            0usize..5,
            hour(),
            prop_oneof![Just(0i64), 0i64..(120 * 86_400)],
            proptest::option::of(1u8..3),
        );
        (
            proptest::collection::vec(member, MEMBERS),
            proptest::collection::vec(stored, 0..40),
        )
            .prop_map(|(members, stored)| {
                let contacts = members
                    .into_iter()
                    .enumerate()
                    .map(|(i, (enrolled, is_lead))| {
                        let date = enrolled.map(|d| {
                            (chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                                + chrono::Days::new(d.into()))
                            .to_string()
                        });
                        let c = contact(&format!("m{i}"), "M", None, date.as_deref());
                        if is_lead {
                            lead(c)
                        } else {
                            c
                        }
                    })
                    .collect();
                let channels = ["Phone", "Video Conference", "Email", "Chat", "Walk-in"];
                let stored = stored
                    .into_iter()
                    .enumerate()
                    .map(|(i, (members, channel, at, late, coach))| {
                        let ids: Vec<String> = members.iter().map(|m| format!("m{m}")).collect();
                        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                        let coach = coach.map(|c| c.to_string());
                        Stored {
                            session: session(
                                &format!("s{i}"),
                                &ids,
                                coach.as_deref(),
                                channels[channel],
                                at,
                            ),
                            updated_at: at + late,
                        }
                    })
                    .collect();
                (contacts, stored)
            })
    }

    fn enrolled(contacts: &[Contact]) -> Vec<Contact> {
        contacts
            .iter()
            .filter(|c| c.custom_attributes.contains_key("Enrolled Date"))
            .cloned()
            .collect()
    }

    /// The billing row of `m1` (enrolled 2026-02-12) for 2026-02 from what the shortcut reads:
    /// a Phone call on 2025-11-15 and a Video Conference call at `later`.
    fn billing_last_session(later: &str, as_of: &str) -> Option<String> {
        let fx = Fixture::new();
        let tz = fx.config.reporting_tz;
        let month = YearMonth::new(2026, 2).unwrap();
        let window = BillingWindow::new(month, tz);
        let as_of = crate::coaching::reports::testing::at(as_of);
        let member = contact("m1", "M", None, Some("2026-02-12"));
        let stored = [
            ("old", "Phone", ny("2025-11-15 10:00")),
            ("new", "Video Conference", ny(later)),
        ]
        .map(|(id, channel, at)| Stored {
            session: session(id, &["m1"], Some("1"), channel, at),
            updated_at: at,
        });
        let candidates = [member.clone()];
        let calls = scan(
            &stored,
            start_of_local_day(window.engaged_from, tz),
            &BILLING,
        );
        let without = without_engaging_call(&candidates, &calls, &window, tz, as_of);
        let mut all = calls;
        all.extend(history(&stored, &without, &BILLING));
        let members = BTreeMap::from([("m1".to_string(), member)]);
        let report = billing::billing(month, &candidates, &all, &members, None, &fx.ctx(as_of));
        report.rows[0].last_session_at.clone()
    }

    #[test]
    fn billing_looks_up_history_when_the_only_scanned_call_is_after_month_end_or_as_of() {
        // The example: the 2026-03-04 call is after February's end.
        assert_eq!(
            billing_last_session("2026-03-04 10:00", "2026-03-10T12:00:00Z").as_deref(),
            Some("2025-11-15T15:00:00Z")
        );
        // A February call after as-of does not count either.
        assert_eq!(
            billing_last_session("2026-02-25 10:00", "2026-02-20T12:00:00Z").as_deref(),
            Some("2025-11-15T15:00:00Z")
        );
        // A February call up to as-of is the latest.
        assert_eq!(
            billing_last_session("2026-02-18 10:00", "2026-02-20T12:00:00Z").as_deref(),
            Some("2026-02-18T15:00:00Z")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn billing_scan_plus_history_equals_everything(
            (contacts, stored) in workspace(),
            month in 1u32..5,
            after_start in 0i64..(60 * 24),
        ) {
            let fx = Fixture::new();
            let tz = fx.config.reporting_tz;
            let month = YearMonth::new(2026, month).unwrap();
            // As-of within or soon after the month, where calls after it are common.
            let as_of = start_of_local_day(month.first_day(), tz) + after_start * 3600;
            let ctx = fx.ctx(instant(as_of));
            let window = BillingWindow::new(month, tz);
            let members: BTreeMap<String, Contact> =
                contacts.iter().map(|c| (c.id.clone(), c.clone())).collect();
            let candidates = enrolled(&contacts);

            let plain = billing::billing(month, &candidates, &everything(&stored), &members, None, &ctx);

            let calls = scan(&stored, start_of_local_day(window.engaged_from, tz), &BILLING);
            let without = without_engaging_call(&candidates, &calls, &window, tz, instant(as_of));
            let mut fast_calls = calls;
            fast_calls.extend(history(&stored, &without, &BILLING));
            let fast = billing::billing(month, &candidates, &fast_calls, &members, None, &ctx);
            prop_assert_eq!(fast, plain);
        }

        #[test]
        fn new_participants_window_scan_equals_everything(
            (contacts, stored) in workspace(),
            as_of in hour(),
            lookback in prop_oneof![Just(14u32), Just(30), Just(60), Just(90), Just(365)],
            channel in proptest::option::of(prop_oneof![
                Just(Channel::Phone), Just(Channel::Email), Just(Channel::Chat)
            ]),
        ) {
            let fx = Fixture::new();
            let tz = fx.config.reporting_tz;
            let ctx = fx.ctx(instant(as_of));
            let first_day = days_before(local_date_of(instant(as_of), tz), lookback);
            // The enrolment search's slices reach a day further on each side.
            let candidates: Vec<Contact> = enrolled(&contacts)
                .into_iter()
                .filter(|c| {
                    let at = c.attr_timestamp("Enrolled Date").unwrap();
                    at >= utc_midnight(first_day) - 86_400 && at <= as_of + 86_400
                })
                .collect();
            let filters = ReportFilters { channel, ..Default::default() };
            let range = DateRange { from: None, to: None };

            let plain = new_participants::new_participants(
                &candidates, &everything(&stored), lookback, range, &filters, &ctx,
            );
            let scanned = scan(&stored, start_of_local_day(first_day, tz), &COACHING);
            let fast = new_participants::new_participants(
                &candidates, &of_candidates(scanned, &candidates), lookback, range, &filters, &ctx,
            );
            prop_assert_eq!(fast, plain);
        }
    }
}
