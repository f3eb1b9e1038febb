//! `referral-sync` (RULES.md §7): Eligible Programs from Referral.

use std::time::Instant;

use serde_json::Value;

use crate::coaching::jobs::referral_sync::{plan, written_attributes, ReferralSyncEvent, JOB};
use crate::intercom::SearchQuery;
use crate::job::summary::RunSummary;

use super::AppContext;
use crate::intercom::custom_field;
use crate::job::run::{preflight, run_contact_search};
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
    let names = &config.attributes;
    let query = (!referrals.is_empty())
        .then(|| SearchQuery::field(custom_field(&names.referral)).is_in(referrals));
    run_contact_search(
        &client,
        JOB,
        event.dry_run,
        event.as_of,
        started,
        query,
        |page| {
            let candidates = page
                .iter()
                .filter(|c| {
                    c.attr_str(&names.referral)
                        .is_some_and(|r| config.referral_programs.contains_key(r))
                })
                .count();
            (candidates, plan(page, config))
        },
    )
    .await
}
