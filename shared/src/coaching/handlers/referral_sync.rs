//! `referral-sync` (RULES.md §7): Eligible Programs from Referral.

use std::time::Instant;

use futures::StreamExt;
use serde_json::Value;

use crate::coaching::jobs::referral_sync::{plan, written_attributes, ReferralSyncEvent, JOB};
use crate::intercom::SearchQuery;
use crate::job::summary::RunSummary;

use super::AppContext;
use crate::intercom::custom_field;
use crate::job::run::{preflight, run, ReadOutcome};
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
    let client = &client;
    run(
        client,
        JOB,
        event.dry_run,
        event.as_of,
        started,
        |planned| async move {
            let mut read = ReadOutcome::default();
            if referrals.is_empty() {
                return Ok(read);
            }
            let query =
                SearchQuery::field(custom_field(&config.attributes.referral)).is_in(referrals);
            let mut pages = std::pin::pin!(client.search_contacts(query));
            while let Some(page) = pages.next().await {
                let page = page?;
                read.scanned += page.len();
                read.candidates += page
                    .iter()
                    .filter(|c| {
                        c.attr_str(&config.attributes.referral)
                            .is_some_and(|r| config.referral_programs.contains_key(r))
                    })
                    .count();
                planned.send(plan(&page, config)).await;
            }
            Ok(read)
        },
    )
    .await
}
