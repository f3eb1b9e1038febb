//! `referral-sync` (RULES.md §7): Eligible Programs from Referral.

use std::time::Instant;

use futures::StreamExt;
use serde_json::Value;

use crate::coaching::jobs::referral_sync::{plan, written_attributes, ReferralSyncEvent, JOB};
use crate::intercom::SearchQuery;
use crate::job::summary::RunSummary;

use super::AppContext;
use crate::intercom::custom_field;
use crate::job::run::{finish, preflight, Planned};
use crate::job::JobError;

/// Handles one `referral-sync` event `{"dryRun": bool}`.
///
/// Reads: contact search `custom_attributes.Referral IN [mapped referrals]`. Writes
/// `Eligible Programs` := the mapped program where it differs.
pub async fn handle(ctx: &AppContext, event: Value) -> Result<RunSummary, JobError> {
    let started = Instant::now();
    let event = ReferralSyncEvent::parse(&event, ctx.now())?;
    let config = &ctx.config;
    let client = ctx.intercom_client().await?;
    preflight(&client, &written_attributes(config)).await?;

    let referrals: Vec<String> = config.referral_programs.keys().cloned().collect();
    let mut scanned = 0usize;
    let mut candidates = 0usize;
    let mut updates = Vec::new();
    if !referrals.is_empty() {
        let query = SearchQuery::field(custom_field(&config.attributes.referral)).is_in(referrals);
        let mut pages = std::pin::pin!(client.search_contacts(query));
        while let Some(page) = pages.next().await {
            let page = page?;
            scanned += page.len();
            candidates += page
                .iter()
                .filter(|c| {
                    c.attr_str(&config.attributes.referral)
                        .is_some_and(|r| config.referral_programs.contains_key(r))
                })
                .count();
            updates.extend(plan(&page, config));
        }
    }
    finish(
        &client,
        Planned {
            job: JOB,
            dry_run: event.dry_run,
            as_of: event.as_of,
            scanned,
            candidates,
            updates,
            started,
            failed_searches: Vec::new(),
            resume_from: None,
        },
    )
    .await
}
