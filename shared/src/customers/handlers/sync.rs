//! `customer-sync` (CUSTOMER-SYNC.md §4). A run:
//!
//! 1. reads the contacts it covers ([`Window`]): contact search by `updated_at` (day-granular,
//!    widened, then the exact bound client-side) and, for an incremental run, the contacts of the
//!    conversations updated since then (`id IN` searches for those not already read);
//! 2. drops contacts without a usable email, resolves duplicate emails (latest `updated_at`
//!    wins), reads each winner's revenue (invalid data: skipped with a warning naming the field);
//! 3. orders the winners by when they changed and takes them 150 at a time: the stored rows of
//!    the batch (a stored row of a later-updated contact beats the candidate), conversation
//!    search by `contact_ids`, the parts of conversations with recent contact messages, the rows
//!    and their plan; then, in one transaction, the changed rows (owned columns only), their
//!    alerts and the watermark;
//! 4. stops starting batches when the time budget is spent (`complete: false`; the next run
//!    resumes), stores the final state, and posts one Slack message listing the alerts not yet
//!    sent.
//!
//! A run killed at any point has committed whole batches only; re-reading a batch writes nothing
//! (unchanged rows are not written), so the next run reaches the same table.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::CustomerContext;
use crate::customers::db;
use crate::customers::jobs::sync::{
    average_score, ContactError, SlackOutcome, SyncEvent, SyncSummary, Window, JOB,
};
use crate::customers::models::{CustomerContact, SupportConversation};
use crate::customers::notify::alerts_message;
use crate::customers::rules::activity::{activity, needs_parts};
use crate::customers::rules::email::{winners, Claim, Email, EmailProblem};
use crate::customers::rules::plan::{plan, Action};
use crate::customers::rules::revenue::{revenue, Revenue};
use crate::customers::rules::row::{customer_row, CustomerRow};
use crate::intercom::{
    chunk_in, IntercomClient, IntercomError, SearchQuery, DATE_WINDOW_MARGIN_SECS,
};
use crate::job::input::InvalidEvent;
use crate::job::JobError;
use crate::store::{sync_state, PgPool, StoreError, SyncState};

/// Most contacts per batch: one `contact_ids IN` conversation search and one transaction each.
pub const BATCH: usize = 150;
/// Fewest contacts per batch (when a run has few contacts, see [`batch_size`]).
pub const MIN_BATCH: usize = 10;

/// Contacts per batch for a run of `n` contacts: 150, or fewer when the run has fewer than
/// [`PREFETCH`] full batches, so that a small incremental run still reads [`PREFETCH`] batches
/// at once instead of paging one long conversation search after another.
pub fn batch_size(n: usize) -> usize {
    n.div_ceil(PREFETCH).clamp(MIN_BATCH, BATCH)
}
/// Ids per `IN` filter (contact lookups and `contact_ids`).
pub const IN_CHUNK: usize = 150;
/// `GET /conversations/{id}` calls in flight per batch; the client's rate-limit gate paces them.
pub const GET_CONCURRENCY: usize = 8;
/// Batches read from Intercom at once (committed in order). A batch's conversation search pages
/// follow one cursor, one after the other; six batches at once (up to 48 GETs) are what it takes
/// to reach Intercom's 1,666 calls per 10 s at ~150 ms per call.
pub const PREFETCH: usize = 6;
/// `id IN` contact lookups in flight.
pub const LOOKUP_CONCURRENCY: usize = 4;
/// Rows listed in a dry run's summary.
pub const DRY_RUN_SAMPLE: usize = 5;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The event is invalid; nothing was called.
    #[error("invalid event: {0}")]
    InvalidInput(#[from] InvalidEvent),
    /// Configuration or the Intercom token.
    #[error(transparent)]
    Setup(#[from] JobError),
    /// Reading the contacts failed after the client's retries; nothing was written.
    #[error("Intercom: {0}")]
    Intercom(#[from] IntercomError),
    /// The database failed; the batch in flight was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some contacts could not be synced; the others were committed and the next run resumes
    /// before the first failure. The summary lists them.
    #[error("{} contact(s) could not be synced (first: {}); the others were committed", .0.errors.len(), .0.errors.first().map(|e| e.contact_id.as_str()).unwrap_or("-"))]
    ContactsFailed(Box<SyncSummary>),
}

/// One run with the configured time budget.
pub async fn handle(ctx: &CustomerContext, event: Value) -> Result<SyncSummary, SyncError> {
    run(ctx, event, ctx.config.time_budget).await
}

/// A contact that passed the email check and won its email, with its revenue read.
struct Candidate {
    contact: CustomerContact,
    email: Email,
    revenue: Revenue,
    /// When it last changed for this run: its `updated_at`, or a later `updated_at` of one of its
    /// conversations. Batches go in this order; the watermark follows it.
    trigger: i64,
}

/// One run: stops starting batches once `budget` has passed (`complete: false`).
pub async fn run(
    ctx: &CustomerContext,
    event: Value,
    budget: Duration,
) -> Result<SyncSummary, SyncError> {
    let started = Instant::now();
    let req = SyncEvent::parse(&event, Utc::now())?;
    let pool = ctx.pool().await?;
    let client = ctx.intercom_client().await?;
    let state = {
        let mut conn = pool.acquire().await.map_err(query_error("connecting"))?;
        sync_state::load(&mut conn, JOB).await?
    };
    let window = req.window(state.as_ref());
    let run_id = format!(
        "{}-{:08x}",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        rand::random::<u32>()
    );
    tracing::info!(
        job = JOB,
        run_id,
        mode = req.mode.as_str(),
        dry_run = req.dry_run,
        reads = window.mode.as_str(),
        contacts_from = window.contacts_from,
        conversations_from = window.conversations_from,
        resumed = window.resumed,
        "customer-sync starts"
    );
    let old_watermark = state.as_ref().and_then(|s| s.watermark);
    let mut run = Run {
        ctx,
        client: &client,
        req: &req,
        window,
        summary: SyncSummary::new(run_id, &req, window, old_watermark),
        quality_sum: 0,
        first_failure: None,
    };

    let candidates = run.candidates().await?;
    let mut complete = true;
    {
        // Up to PREFETCH batches are read from Intercom at once; they are committed in order.
        let as_of = req.as_of.timestamp();
        let client = &client;
        let fetches = futures::stream::iter(candidates.chunks(batch_size(candidates.len())))
            .map(|batch| async move { (batch, fetch(client, batch, as_of).await) })
            .buffered(PREFETCH);
        futures::pin_mut!(fetches);
        while let Some((batch, fetched)) = fetches.next().await {
            if started.elapsed() >= budget {
                complete = false;
                tracing::warn!(
                    job = JOB,
                    "time budget spent; the next run resumes at the watermark"
                );
                break;
            }
            run.commit(pool, batch, fetched?).await?;
        }
    }

    let mut summary = run.summary;
    summary.complete = complete && summary.errors.is_empty();
    if !req.dry_run {
        if summary.complete {
            let as_of = req.as_of;
            summary.watermark = Some(old_watermark.map_or(as_of, |w| w.max(as_of)));
        } else if window.contacts_from.is_none() && summary.batches == 0 {
            // A full read that committed nothing: the next run must start it from the
            // beginning, not from an earlier incremental watermark.
            summary.watermark = None;
        }
        let mut conn = pool.acquire().await.map_err(query_error("connecting"))?;
        save_state(&mut conn, &req, window, summary.watermark, summary.complete).await?;
        summary.slack = notify(ctx, pool, &summary.run_id, window).await;
    } else {
        summary.slack.error = Some("dry run".into());
    }
    summary.avg_quality_score = average_score(run.quality_sum, summary.contacts_synced);
    let stats = client.stats();
    summary.api_calls = stats.api_calls;
    summary.rate_limit_waits = stats.rate_limit_waits;
    summary.retries = stats.retries;
    summary.sync_duration_seconds = (started.elapsed().as_millis() as f64) / 1000.0;
    tracing::info!(
        job = JOB,
        run_id = summary.run_id,
        mode = summary.mode.as_str(),
        dry_run = summary.dry_run,
        contacts_synced = summary.contacts_synced,
        new_contacts = summary.new_contacts,
        updated_contacts = summary.updated_contacts,
        skipped_missing_email = summary.skipped_contacts.missing_email,
        skipped_invalid_email = summary.skipped_contacts.invalid_email,
        skipped_duplicate_email = summary.skipped_contacts.duplicate_email,
        skipped_invalid_data = summary.skipped_contacts.invalid_data,
        errors = summary.errors.len(),
        avg_quality_score = summary.avg_quality_score,
        alerts = %json!(summary.alerts),
        api_calls = summary.api_calls,
        rate_limit_waits = summary.rate_limit_waits,
        slack_posted = summary.slack.posted,
        slack_error = summary.slack.error.as_deref().unwrap_or(""),
        sync_duration_seconds = summary.sync_duration_seconds,
        complete = summary.complete,
        watermark = summary.watermark.map(|w| w.to_rfc3339()).unwrap_or_default(),
        "run summary"
    );
    if summary.errors.is_empty() {
        Ok(summary)
    } else {
        Err(SyncError::ContactsFailed(Box::new(summary)))
    }
}

/// What a run carries from batch to batch.
struct Run<'a> {
    ctx: &'a CustomerContext,
    client: &'a IntercomClient,
    req: &'a SyncEvent,
    window: Window,
    summary: SyncSummary,
    /// Σ quality score of the synced contacts.
    quality_sum: i64,
    /// The smallest trigger of a contact that failed: the watermark never passes it.
    first_failure: Option<i64>,
}

impl Run<'_> {
    /// Steps 1 and 2: the contacts this run covers, checked, de-duplicated, in trigger order.
    async fn candidates(&mut self) -> Result<Vec<Candidate>, SyncError> {
        let client = self.client;
        let mut contacts: HashMap<String, CustomerContact> = HashMap::new();
        let mut triggers: HashMap<String, i64> = HashMap::new();
        let query = match self.window.contacts_from {
            // Every contact: a date filter every contact passes.
            None => SearchQuery::field("updated_at").gt(0),
            Some(from) => SearchQuery::field("updated_at").gt(from - DATE_WINDOW_MARGIN_SECS),
        };
        let from = self.window.contacts_from.unwrap_or(i64::MIN);
        let pages = client.search_contacts_as::<CustomerContact>(query, None);
        futures::pin_mut!(pages);
        while let Some(page) = pages.try_next().await? {
            for c in page {
                let updated = c.updated_at.unwrap_or(0);
                if updated >= from {
                    triggers.insert(c.id.clone(), updated);
                    contacts.insert(c.id.clone(), c);
                }
            }
        }
        if let Some(since) = self.window.conversations_from {
            let query = SearchQuery::field("updated_at").gt(since - DATE_WINDOW_MARGIN_SECS);
            let pages = client.search_conversations_as::<SupportConversation>(query, None);
            futures::pin_mut!(pages);
            while let Some(page) = pages.try_next().await? {
                for conv in page.iter().filter(|c| c.updated_at >= since) {
                    self.summary.window_conversations += 1;
                    for id in conv.contact_ids() {
                        let t = triggers.entry(id.to_string()).or_insert(conv.updated_at);
                        *t = (*t).max(conv.updated_at);
                    }
                }
            }
            let missing: Vec<String> = triggers
                .keys()
                .filter(|id| !contacts.contains_key(*id))
                .cloned()
                .collect();
            self.summary.contacts_looked_up = missing.len();
            let found: Vec<Vec<CustomerContact>> =
                futures::stream::iter(chunk_in("id", &missing, IN_CHUNK))
                    .map(|q| async move {
                        client
                            .search_contacts_as::<CustomerContact>(q, None)
                            .try_concat()
                            .await
                    })
                    .buffer_unordered(LOOKUP_CONCURRENCY)
                    .try_collect()
                    .await?;
            for c in found.into_iter().flatten() {
                if triggers.contains_key(&c.id) {
                    let t = triggers.get_mut(&c.id).expect("checked");
                    *t = (*t).max(c.updated_at.unwrap_or(0));
                    contacts.insert(c.id.clone(), c);
                }
            }
            // Conversations of contacts that no longer exist (merged, deleted) are dropped.
            triggers.retain(|id, _| contacts.contains_key(id));
        }
        self.summary.contacts_read = contacts.len();

        // Emails, then duplicates, then revenue of the winners.
        let mut with_email: Vec<(Email, CustomerContact)> = Vec::with_capacity(contacts.len());
        let mut ordered: Vec<CustomerContact> = contacts.into_values().collect();
        ordered.sort_by(|a, b| a.id.cmp(&b.id));
        for c in ordered {
            match Email::parse(c.email.as_deref()) {
                Ok(email) => with_email.push((email, c)),
                Err(problem) => {
                    let (reason, counter) = match problem {
                        EmailProblem::Missing => {
                            ("missing", &mut self.summary.skipped_contacts.missing_email)
                        }
                        EmailProblem::Invalid => (
                            "not an RFC 5322 address",
                            &mut self.summary.skipped_contacts.invalid_email,
                        ),
                    };
                    *counter += 1;
                    tracing::warn!(job = JOB, contact_id = %c.id, field = "email", reason, "contact skipped");
                }
            }
        }
        let claims: Vec<(Email, Claim)> = with_email
            .iter()
            .map(|(e, c)| {
                (
                    e.clone(),
                    Claim {
                        updated_at: c.updated_at.unwrap_or(0),
                        contact_id: &c.id,
                    },
                )
            })
            .collect();
        let won: HashSet<usize> = winners(&claims).into_values().collect();
        drop(claims);
        let mut out = Vec::with_capacity(won.len());
        for (i, (email, mut contact)) in with_email.into_iter().enumerate() {
            if !won.contains(&i) {
                self.summary.skipped_contacts.duplicate_email += 1;
                tracing::info!(job = JOB, contact_id = %contact.id, field = "email",
                    "contact skipped: another contact with this email was updated later");
                continue;
            }
            match revenue(&contact.custom_attributes) {
                Ok(revenue) => {
                    // The attributes are read; keep memory to what the row needs.
                    contact.custom_attributes = Default::default();
                    let trigger = triggers.get(&contact.id).copied().unwrap_or(0);
                    out.push(Candidate {
                        contact,
                        email,
                        revenue,
                        trigger,
                    });
                }
                Err(invalid) => {
                    self.summary.skipped_contacts.invalid_data += 1;
                    tracing::warn!(job = JOB, contact_id = %contact.id, field = %invalid.field,
                        reason = %invalid.reason, "contact skipped: invalid data");
                }
            }
        }
        out.sort_by(|a, b| (a.trigger, &a.contact.id).cmp(&(b.trigger, &b.contact.id)));
        Ok(out)
    }

    /// Step 3 for one fetched batch: rows, plan, and one transaction.
    async fn commit(
        &mut self,
        pool: &PgPool,
        batch: &[Candidate],
        fetched: Fetched,
    ) -> Result<(), SyncError> {
        let as_of = self.req.as_of.timestamp();
        let Fetched {
            conversations,
            mut failed,
            conversations_read,
            parts_fetched,
        } = fetched;
        self.summary.batches += 1;
        self.summary.conversations_read += conversations_read;
        self.summary.parts_fetched += parts_fetched;
        let mut tx = pool
            .begin()
            .await
            .map_err(query_error("beginning a transaction"))?;
        let emails: Vec<String> = batch.iter().map(|c| c.email.as_str().to_string()).collect();
        let stored = db::stored_rows(&mut tx, &emails).await?;
        // A stored row written from a contact updated later than the candidate keeps its email.
        let mut keep: Vec<&Candidate> = Vec::with_capacity(batch.len());
        for c in batch {
            let loses = stored.get(&c.email).is_some_and(|s| {
                let holder = s.intercom_contact_id.as_str();
                !holder.is_empty()
                    && holder != c.contact.id
                    && Claim {
                        updated_at: s.intercom_updated_at.map_or(0, |t| t.timestamp()),
                        contact_id: holder,
                    }
                    .beats(&Claim {
                        updated_at: c.contact.updated_at.unwrap_or(0),
                        contact_id: &c.contact.id,
                    })
            });
            if loses {
                self.summary.skipped_contacts.duplicate_email += 1;
                tracing::info!(job = JOB, contact_id = %c.contact.id, field = "email",
                    "contact skipped: the stored row's contact was updated later");
                failed.remove(&c.contact.id);
            } else {
                keep.push(c);
            }
        }
        let mut rows: Vec<CustomerRow> = Vec::with_capacity(keep.len());
        let mut batch_max = i64::MIN;
        for c in &keep {
            batch_max = batch_max.max(c.trigger);
            if let Some(error) = failed.remove(&c.contact.id) {
                self.failed(c, &error);
                continue;
            }
            let list = conversations
                .get(c.contact.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let a = activity(&c.contact.id, list.iter(), &self.ctx.config.keywords, as_of);
            rows.push(customer_row(
                &c.contact,
                c.email.clone(),
                c.revenue.clone(),
                a,
                as_of,
            ));
        }
        let changes = plan(rows, &stored);
        for ch in &changes {
            self.summary.contacts_synced += 1;
            self.quality_sum += i64::from(ch.row.quality_score);
            match ch.action {
                Action::Insert => self.summary.new_contacts += 1,
                Action::Update => self.summary.updated_contacts += 1,
                Action::Unchanged => self.summary.unchanged_contacts += 1,
            }
            for a in &ch.alerts {
                *self.summary.alerts.entry(a.kind.as_str()).or_default() += 1;
            }
        }
        if self.req.dry_run {
            let room = DRY_RUN_SAMPLE.saturating_sub(self.summary.sample.len());
            self.summary.sample.extend(
                changes
                    .iter()
                    .filter(|c| c.action != Action::Unchanged)
                    .take(room)
                    .map(sample),
            );
            tx.rollback()
                .await
                .map_err(query_error("ending a dry run"))?;
            return Ok(());
        }
        let written: Vec<&CustomerRow> = changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
            .map(|c| &c.row)
            .collect();
        self.summary.rows_written += db::upsert(&mut tx, &written, self.req.as_of).await?;
        let alerts: Vec<_> = changes.iter().flat_map(|c| &c.alerts).collect();
        db::insert_alerts(&mut tx, &alerts, &self.summary.run_id, Utc::now()).await?;
        let mut mark = batch_max.max(self.window.contacts_from.unwrap_or(i64::MIN));
        if let Some(f) = self.first_failure {
            mark = mark.min(f);
        }
        let watermark = DateTime::from_timestamp(mark, 0);
        save_state(&mut tx, self.req, self.window, watermark, false).await?;
        tx.commit()
            .await
            .map_err(query_error("committing a batch"))?;
        self.summary.watermark = watermark;
        Ok(())
    }

    fn failed(&mut self, c: &Candidate, error: &Failure) {
        tracing::error!(job = JOB, contact_id = %c.contact.id, status = error.status,
            code = error.code.as_deref().unwrap_or(""),
            request_id = error.request_id.as_deref().unwrap_or(""),
            error = %error.message, "contact could not be synced; the watermark stops before it");
        self.first_failure = Some(self.first_failure.map_or(c.trigger, |f| f.min(c.trigger)));
        self.summary.errors.push(ContactError {
            contact_id: c.contact.id.clone(),
            status: error.status,
            code: error.code.clone(),
            request_id: error.request_id.clone(),
        });
    }
}

/// What [`fetch`] reads from Intercom for one batch (no database access: fetches run ahead of
/// the commits and must not hold the pool's connections while they wait to be polled).
struct Fetched {
    /// Conversations by contact id, with parts where needed.
    conversations: HashMap<String, Vec<SupportConversation>>,
    /// Contacts whose conversations could not be read.
    failed: HashMap<String, Failure>,
    conversations_read: usize,
    parts_fetched: usize,
}

/// Reads what one batch needs from Intercom: one conversation search by `contact_ids` per 150
/// contacts, and the parts of conversations whose contact wrote within 30 days.
async fn fetch(
    client: &IntercomClient,
    batch: &[Candidate],
    as_of: i64,
) -> Result<Fetched, SyncError> {
    let keep: Vec<usize> = (0..batch.len()).collect();
    let ids: Vec<&str> = keep.iter().map(|&i| batch[i].contact.id.as_str()).collect();
    let wanted: HashSet<&str> = ids.iter().copied().collect();
    let mut failed: HashMap<String, Failure> = HashMap::new();
    let mut found: Vec<SupportConversation> = Vec::new();
    for (query, chunk) in chunk_in("contact_ids", &ids, IN_CHUNK)
        .into_iter()
        .zip(ids.chunks(IN_CHUNK))
    {
        match client
            .search_conversations_as::<SupportConversation>(query, None)
            .try_concat()
            .await
        {
            Ok(list) => found.extend(list),
            Err(error) => {
                for id in chunk {
                    failed.insert(id.to_string(), clone_error(&error));
                }
            }
        }
    }
    let conversations_read = found.len();
    let (need, done): (Vec<_>, Vec<_>) = found.into_iter().partition(|c| needs_parts(c, as_of));
    let fetched: Vec<(
        SupportConversation,
        Result<SupportConversation, IntercomError>,
    )> = futures::stream::iter(need)
        .map(|c| async move {
            let full = client
                .get_conversation_as::<SupportConversation>(&c.id)
                .await;
            (c, full)
        })
        .buffer_unordered(GET_CONCURRENCY)
        .collect()
        .await;
    let parts_fetched = fetched.len();
    let mut conversations: HashMap<String, Vec<SupportConversation>> = HashMap::new();
    let file = |c: SupportConversation, by: &mut HashMap<String, Vec<SupportConversation>>| {
        let owners: Vec<String> = c
            .contact_ids()
            .filter(|id| wanted.contains(id))
            .map(str::to_string)
            .collect();
        for id in owners {
            by.entry(id).or_default().push(c.clone());
        }
    };
    for c in done {
        file(c, &mut conversations);
    }
    for (listed, result) in fetched {
        match result {
            Ok(full) => file(full, &mut conversations),
            Err(error) => {
                for id in listed.contact_ids().filter(|id| wanted.contains(id)) {
                    failed
                        .entry(id.to_string())
                        .or_insert_with(|| clone_error(&error));
                }
            }
        }
    }
    Ok(Fetched {
        conversations,
        failed,
        conversations_read,
        parts_fetched,
    })
}

/// What a failed contact keeps of the Intercom error (one error may fail several contacts).
#[derive(Debug, Clone)]
struct Failure {
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    message: String,
}

fn clone_error(error: &IntercomError) -> Failure {
    Failure {
        status: error.status(),
        code: error.code().map(str::to_string),
        request_id: error.request_id().map(str::to_string),
        message: error.to_string(),
    }
}

/// A planned row for a dry run's summary, without PII: the email's domain, the contact id and
/// the figures.
fn sample(c: &crate::customers::rules::plan::Change) -> Value {
    let r = &c.row;
    json!({
        "action": format!("{:?}", c.action).to_lowercase(),
        "email_domain": r.email.as_str().rsplit_once('@').map(|(_, d)| d),
        "intercom_contact_id": r.intercom_contact_id,
        "mrr_cents": r.mrr_cents,
        "arr_cents": r.arr_cents,
        "ltv_cents": r.ltv_cents,
        "intercom_convos_total": r.convos_total,
        "open_tickets": r.open_tickets,
        "mentioned_cancel": r.mentioned_cancel,
        "quality_score": r.quality_score,
        "alerts": c.alerts.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(),
    })
}

/// Posts the alerts not yet sent (this run's and earlier failed messages') and marks them sent.
/// Never fails the run: a failure is logged and returned.
async fn notify(
    ctx: &CustomerContext,
    pool: &PgPool,
    run_id: &str,
    window: Window,
) -> SlackOutcome {
    let mut outcome = SlackOutcome::default();
    let pending = async {
        let mut conn = pool.acquire().await.map_err(query_error("connecting"))?;
        db::pending_alerts(&mut conn).await
    }
    .await;
    let pending = match pending {
        Ok(p) => p,
        Err(error) => {
            tracing::error!(job = JOB, %error, "could not read the alerts to post");
            outcome.error = Some(error.to_string());
            return outcome;
        }
    };
    if pending.is_empty() {
        outcome.error = Some("no alerts".into());
        return outcome;
    }
    let Some(slack) = ctx.slack() else {
        outcome.error = Some("not configured".into());
        return outcome;
    };
    outcome.alerts_listed = pending.len();
    let message = alerts_message(&pending, run_id, window.mode.as_str());
    match slack.post(&message).await {
        Ok(delivery) => {
            outcome.posted = true;
            tracing::info!(
                job = JOB,
                attempts = delivery.attempts,
                alerts = pending.len(),
                "alerts posted to Slack"
            );
            let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
            let marked = async {
                let mut conn = pool.acquire().await.map_err(query_error("connecting"))?;
                db::mark_notified(&mut conn, &ids, Utc::now()).await
            }
            .await;
            if let Err(error) = marked {
                tracing::error!(job = JOB, %error, "posted, but could not mark the alerts sent");
                outcome.error = Some(error.to_string());
            }
        }
        Err(error) => {
            tracing::error!(job = JOB, %error, alerts = pending.len(),
                "Slack message failed; the alert rows stay and the next run's message carries them");
            outcome.error = Some(error.to_string());
        }
    }
    outcome
}

async fn save_state(
    conn: &mut sqlx::PgConnection,
    req: &SyncEvent,
    window: Window,
    watermark: Option<DateTime<Utc>>,
    complete: bool,
) -> Result<(), StoreError> {
    sync_state::save(
        conn,
        &SyncState {
            job: JOB.into(),
            watermark,
            last_run_at: req.as_of,
            complete,
            details: window.details(req.as_of.timestamp()),
        },
    )
    .await
}

fn query_error(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_shrink_for_small_runs() {
        assert_eq!(batch_size(0), MIN_BATCH);
        assert_eq!(batch_size(4), MIN_BATCH);
        assert_eq!(batch_size(200), 34);
        assert_eq!(batch_size(600), 100);
        assert_eq!(batch_size(900), 150);
        assert_eq!(batch_size(20_000), 150);
    }
}
