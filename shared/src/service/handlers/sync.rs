//! `service-sync` (SERVICE-PERFORMANCE.md §6): conversations updated in the window, oldest
//! `updated_at` first, a page at a time. For each page: the stored versions are read, the
//! conversations whose `updated_at` changed are fetched with their parts (`GET
//! /conversations/{id}`), their contacts are looked up once per run for the country, the rows
//! are computed, and in one transaction the rows are upserted, the aggregates of every local date
//! they touch (old and new start dates) are rebuilt, and the watermark moves to the page's last
//! `updated_at`. So a run killed at any point has committed whole pages only, and the next run
//! resumes where the last commit left off; upserts make the re-read harmless.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

use crate::intercom::models::Conversation;
use crate::intercom::AdminNames;
use crate::intercom::{date_window, IntercomClient, IntercomError, SearchSort};
use crate::job::input::InvalidEvent;
use crate::job::run::fetch_contacts;
use crate::job::JobError;
use crate::service::db;
use crate::service::jobs::sync::{
    FailedConversation, Mode, SyncEvent, SyncSummary, Window, DEFAULT_TIME_BUDGET, DRY_RUN_SAMPLE,
    JOB,
};
use crate::service::rules::row::{conversation_row, ServiceConversation};
use crate::store::{sync_state, StoreError, SyncState};

use super::ServiceContext;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The event is invalid; nothing was called.
    #[error("invalid event: {0}")]
    InvalidInput(#[from] InvalidEvent),
    /// Configuration or the Intercom token.
    #[error(transparent)]
    Setup(#[from] JobError),
    /// A search page or a lookup failed after the client's retries; what was committed stays.
    #[error("Intercom: {0}")]
    Intercom(#[from] IntercomError),
    /// The database failed; the page in flight was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some conversations could not be read; the others were committed and the watermark stops
    /// before the first failure, so the next run reads them again. The summary lists them.
    #[error("{} conversation(s) could not be read (first: {}); the others were committed", .0.failed.len(), .0.failed.first().map(|f| f.conversation_id.as_str()).unwrap_or("-"))]
    ConversationsFailed(Box<SyncSummary>),
}

/// `GET /conversations/{id}` calls in flight. The client's rate-limit gate paces them: at
/// Intercom's ~150 ms per call, 24 in flight are what it takes to reach its limit of 1,666 calls
/// per 10 s, where fewer would leave the job latency-bound.
pub const GET_CONCURRENCY: usize = 24;

/// The time budget from `SERVICE_SYNC_TIME_BUDGET_SECONDS` (default 720 s).
pub fn budget_from_env() -> Duration {
    std::env::var("SERVICE_SYNC_TIME_BUDGET_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_TIME_BUDGET, Duration::from_secs)
}

/// One run with the budget of [`budget_from_env`].
pub async fn handle(ctx: &ServiceContext, event: Value) -> Result<SyncSummary, SyncError> {
    run(ctx, event, budget_from_env()).await
}

/// One run: stops reading new pages once `budget` has passed (`complete: false`).
pub async fn run(
    ctx: &ServiceContext,
    event: Value,
    budget: Duration,
) -> Result<SyncSummary, SyncError> {
    let started = Instant::now();
    let req = SyncEvent::parse(&event, Utc::now())?;
    let pool = ctx.pool().await?;
    let client = ctx.intercom_client().await?;

    let state = {
        let mut tx = begin(pool).await?;
        let state = sync_state::load(&mut tx, JOB).await?;
        tx.commit()
            .await
            .map_err(query_error("reading sync_state"))?;
        state
    };
    let window = req.window(state.as_ref());
    tracing::info!(
        job = JOB,
        mode = req.mode.as_str(),
        dry_run = req.dry_run,
        from = window.from,
        to = window.to,
        resumed = window.resumed,
        "service-sync starts"
    );

    let admins = AdminNames::new(&client.list_admins().await?);
    let mut run = Run {
        ctx,
        client: &client,
        req: &req,
        admins,
        countries: HashMap::new(),
        summary: new_summary(&req, window, state.as_ref()),
        first_failure: None,
    };

    let mut complete = true;
    if window.from <= window.to {
        let query = date_window("updated_at", window.from, window.to);
        let pages = client.search_conversations_sorted(query, SearchSort::updated_at_ascending());
        futures::pin_mut!(pages);
        let mut next = pages.try_next().await?;
        while let Some(page) = next {
            if started.elapsed() >= budget {
                complete = false;
                tracing::warn!(
                    job = JOB,
                    "time budget spent; the next run resumes at the watermark"
                );
                break;
            }
            let page: Vec<Conversation> = page
                .into_iter()
                .filter(|c| window.contains(c.updated_at))
                .collect();
            if page.is_empty() {
                next = pages.try_next().await?;
                continue;
            }
            // The next search page is read while this one is processed.
            let (done, following) = futures::join!(run.page(pool, page), pages.try_next());
            done?;
            next = following?;
        }
    }

    let mut summary = run.summary;
    summary.complete = complete;
    if !req.dry_run {
        let mut tx = begin(pool).await?;
        save_state(&mut tx, &req, window, summary.watermark, complete).await?;
        tx.commit()
            .await
            .map_err(query_error("committing the run's state"))?;
    }
    let stats = client.stats();
    summary.api_calls = stats.api_calls;
    summary.rate_limit_waits = stats.rate_limit_waits;
    summary.retries = stats.retries;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        job = JOB,
        mode = summary.mode.as_str(),
        dry_run = summary.dry_run,
        scanned = summary.scanned,
        changed = summary.changed,
        upserted = summary.upserted,
        parts_fetched = summary.parts_fetched,
        truncated = summary.truncated,
        aggregates_recomputed = summary.aggregates_recomputed,
        failed = summary.failed.len(),
        api_calls = summary.api_calls,
        rate_limit_waits = summary.rate_limit_waits,
        duration_ms = summary.duration_ms,
        db_ms = summary.db_ms,
        complete = summary.complete,
        watermark = summary
            .watermark
            .map(|w| w.to_rfc3339())
            .unwrap_or_default(),
        "run summary"
    );
    {
        use crate::metrics::Unit::{Count, Milliseconds};
        crate::metrics::RunMetrics {
            job: JOB.to_string(),
            dry_run: summary.dry_run,
            values: vec![
                ("Scanned", summary.scanned as u64, Count),
                ("Upserted", summary.upserted as u64, Count),
                ("Failed", summary.failed.len() as u64, Count),
                ("ApiCalls", summary.api_calls, Count),
                ("RateLimitWaits", summary.rate_limit_waits, Count),
                ("Incomplete", u64::from(!summary.complete), Count),
                ("DurationMs", summary.duration_ms, Milliseconds),
            ],
        }
        .emit();
    }
    if summary.failed.is_empty() {
        Ok(summary)
    } else {
        Err(SyncError::ConversationsFailed(Box::new(summary)))
    }
}

/// What a run carries from page to page.
struct Run<'a> {
    ctx: &'a ServiceContext,
    client: &'a IntercomClient,
    req: &'a SyncEvent,
    admins: AdminNames,
    /// contact id → `location.country`, each contact looked up once per run.
    countries: HashMap<String, Option<String>>,
    summary: SyncSummary,
    /// The earliest `updated_at` of a conversation that could not be read.
    first_failure: Option<i64>,
}

impl Run<'_> {
    /// One search page (already cut to the window), committed as a whole.
    async fn page(
        &mut self,
        pool: &crate::store::PgPool,
        page: Vec<Conversation>,
    ) -> Result<(), SyncError> {
        self.summary.scanned += page.len();
        let page_last = page.iter().map(|c| c.updated_at).max().unwrap_or_default();
        let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();

        let db_started = Instant::now();
        let mut tx = begin(pool).await?;
        let stored = db::stored_versions(&mut tx, &ids).await?;
        let mut db_time = db_started.elapsed();
        let changed: Vec<&Conversation> = page
            .iter()
            .filter(|c| {
                stored
                    .get(&c.id)
                    .is_none_or(|v| v.updated_at.timestamp() != c.updated_at)
            })
            .collect();
        self.summary.changed += changed.len();

        // The GETs and the lookup of the listed conversations' new contacts run together.
        let client = self.client;
        let listed_contacts = self.new_contacts(changed.iter().copied());
        let gets = futures::stream::iter(changed)
            .map(|c| async move { (c, client.get_conversation(&c.id).await) })
            .buffer_unordered(GET_CONCURRENCY)
            .collect::<Vec<(&Conversation, Result<Conversation, IntercomError>)>>();
        let (fetched, found) = futures::join!(gets, fetch_contacts(client, &listed_contacts));
        self.record_countries(listed_contacts, &found?);
        let mut full = Vec::with_capacity(fetched.len());
        for (listed, result) in fetched {
            match result {
                Ok(conversation) => full.push(conversation),
                Err(error) => self.failed(listed, &error),
            }
        }
        self.summary.parts_fetched += full.len();

        // A first contact that changed between the search and the GET (rare).
        self.look_up_countries(&full).await?;
        let synced_at = Utc::now();
        let config = &self.ctx.config;
        let rows: Vec<ServiceConversation> = full
            .iter()
            .map(|c| {
                let country = c
                    .contact_ids()
                    .next()
                    .and_then(|id| self.countries.get(id))
                    .and_then(|c| c.as_deref());
                conversation_row(
                    c,
                    c.conversation_parts.as_ref(),
                    country,
                    &self.admins,
                    config.reporting_tz,
                    synced_at,
                )
            })
            .collect();
        self.summary.truncated += rows
            .iter()
            .filter(|r| r.parts_truncated == Some(true))
            .count();
        let dates: Vec<NaiveDate> = rows
            .iter()
            .flat_map(|r| {
                let old = stored.get(&r.conversation_id).map(|v| v.start_date);
                std::iter::once(r.start_date).chain(old)
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        let watermark_ts = self.first_failure.map_or(page_last, |f| f.min(page_last));
        let watermark = DateTime::from_timestamp(watermark_ts, 0);
        if self.req.dry_run {
            let room = DRY_RUN_SAMPLE.saturating_sub(self.summary.sample.len());
            self.summary
                .sample
                .extend(rows.iter().take(room).map(|r| json!(r)));
            tx.rollback()
                .await
                .map_err(query_error("ending a dry run"))?;
            return Ok(());
        }
        let db_started = Instant::now();
        self.summary.upserted += db::upsert(&mut tx, &rows).await?;
        db::recompute_aggregates(
            &mut tx,
            &dates,
            config.frt_target_seconds,
            config.art_target_seconds,
        )
        .await?;
        self.summary.aggregates_recomputed += dates.len();
        save_state(&mut tx, self.req, self.summary.window, watermark, false).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a page"))?;
        db_time += db_started.elapsed();
        self.summary.db_ms += db_time.as_millis() as u64;
        self.summary.watermark = watermark;
        Ok(())
    }

    /// The first contacts of `conversations` not looked up yet in this run.
    fn new_contacts<'c>(
        &self,
        conversations: impl Iterator<Item = &'c Conversation>,
    ) -> BTreeSet<String> {
        conversations
            .filter_map(|c| c.contact_ids().next())
            .filter(|id| !self.countries.contains_key(*id))
            .map(str::to_string)
            .collect()
    }

    /// Keeps the countries of the contacts `ids` (none when a contact was not found).
    fn record_countries(
        &mut self,
        ids: BTreeSet<String>,
        found: &std::collections::BTreeMap<String, crate::intercom::Contact>,
    ) {
        self.summary.contacts_looked_up += ids.len();
        for id in ids {
            let country = found.get(&id).and_then(|c| c.country()).map(str::to_string);
            self.countries.insert(id, country);
        }
    }

    /// Looks up, once per run, the first contacts of `conversations` not seen yet.
    async fn look_up_countries(&mut self, conversations: &[Conversation]) -> Result<(), SyncError> {
        let new = self.new_contacts(conversations.iter());
        if new.is_empty() {
            return Ok(());
        }
        let found = fetch_contacts(self.client, &new).await?;
        self.record_countries(new, &found);
        Ok(())
    }

    fn failed(&mut self, conversation: &Conversation, error: &IntercomError) {
        tracing::error!(
            job = JOB,
            conversation_id = %conversation.id,
            status = error.status(),
            code = error.code().unwrap_or(""),
            request_id = error.request_id().unwrap_or(""),
            %error,
            "conversation could not be read; the watermark stops before it"
        );
        self.first_failure = Some(
            self.first_failure
                .map_or(conversation.updated_at, |f| f.min(conversation.updated_at)),
        );
        self.summary.failed.push(FailedConversation {
            conversation_id: conversation.id.clone(),
            status: error.status(),
            code: error.code().map(str::to_string),
            request_id: error.request_id().map(str::to_string),
        });
    }
}

fn new_summary(req: &SyncEvent, window: Window, state: Option<&SyncState>) -> SyncSummary {
    SyncSummary {
        job: JOB,
        mode: req.mode,
        dry_run: req.dry_run,
        as_of: req.as_of,
        window,
        scanned: 0,
        changed: 0,
        upserted: 0,
        parts_fetched: 0,
        truncated: 0,
        contacts_looked_up: 0,
        aggregates_recomputed: 0,
        failed: Vec::new(),
        api_calls: 0,
        rate_limit_waits: 0,
        retries: 0,
        duration_ms: 0,
        db_ms: 0,
        complete: false,
        watermark: state.and_then(|s| s.watermark),
        sample: Vec::new(),
    }
}

async fn save_state(
    tx: &mut sqlx::PgConnection,
    req: &SyncEvent,
    window: Window,
    watermark: Option<DateTime<Utc>>,
    complete: bool,
) -> Result<(), StoreError> {
    sync_state::save(
        tx,
        &SyncState {
            job: JOB.into(),
            watermark,
            last_run_at: req.as_of,
            complete,
            details: json!({
                "mode": match req.mode { Mode::Incremental => "incremental", Mode::Full => "full" },
                "windowFrom": window.from,
                "windowTo": window.to,
            }),
        },
    )
    .await
}

async fn begin(
    pool: &crate::store::PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
    pool.begin()
        .await
        .map_err(query_error("beginning a transaction"))
}

fn query_error(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}
