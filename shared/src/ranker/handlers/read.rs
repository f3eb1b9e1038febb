//! Reading what the plan needs (ENGAGEMENT-RANKER.md §2, §4, §6): HubSpot's property
//! definitions and customer universe, Yobi's tenants and the week's counts. Every problem that
//! forbids writing is collected as a [`Preflight`] line naming the system and the field.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::hubspot::{
    CrmObject, HubSpotError, PropertyDefinition, SearchRequest, ASSOCIATION_BATCH_MAX,
    OBJECT_BATCH_MAX,
};
use crate::ranker::config::Config;
use crate::ranker::rules::metrics::{check_coverage, period_calls, week_counts};
use crate::ranker::rules::properties::check_definitions;
use crate::ranker::rules::week::Week;
use crate::yobi::{Metric, Period, Tenant, UsageEndpoint, YobiError};

use super::context::RankerContext;

/// The contact property naming a customer, and its value (§2.1).
pub const LIFECYCLE_PROPERTY: &str = "lifecyclestage";
pub const CUSTOMER_STAGE: &str = "customer";

/// HubSpot batch calls (associations, company reads) in flight at once. The client's gates keep
/// them inside the 10-second budget; at 150 ms a call, 16 in flight read 2,500 companies in
/// two round trips instead of 27.
pub const BATCH_CONCURRENCY: usize = 16;

/// Problems that forbid writing (§6), each naming what and where.
pub type Preflight = Vec<String>;

/// HubSpot's side.
#[derive(Debug, Default)]
pub struct HubSpotRead {
    pub definitions: [Option<PropertyDefinition>; 3],
    pub companies: Vec<CrmObject>,
    pub contact_emails: BTreeMap<String, Vec<String>>,
    /// Customer contacts found, and those without a company.
    pub customer_contacts: usize,
    pub orphan_contacts: usize,
}

/// The three property definitions, checked (§6). An auth failure is a preflight problem.
pub async fn properties(
    ctx: &RankerContext,
) -> Result<([Option<PropertyDefinition>; 3], Preflight), HubSpotError> {
    let names = &ctx.config.properties;
    let all = match ctx.hubspot.company_properties().await {
        Ok(all) => all,
        Err(e) if e.status() == Some(401) || e.status() == Some(403) => {
            return Ok((
                Default::default(),
                vec![format!("HubSpot refused the token: {e}")],
            ))
        }
        Err(e) => return Err(e),
    };
    let find = |n: &str| all.iter().find(|d| d.name == n).cloned();
    let defs = [find(&names.score), find(&names.rank), find(&names.tier)];
    let problems = check_definitions(names, defs[0].as_ref(), defs[1].as_ref(), defs[2].as_ref())
        .into_iter()
        .map(|p| format!("HubSpot company property {p}"))
        .collect();
    Ok((defs, problems))
}

/// The customer universe (§2): contacts with `lifecyclestage = customer` (search, split past
/// 10,000 by the client), their companies (associations v4), the companies' properties.
pub async fn universe(ctx: &RankerContext) -> Result<HubSpotRead, HubSpotError> {
    let contacts = ctx
        .hubspot
        .search_all(
            "contacts",
            &SearchRequest {
                filter_groups: vec![json!({"filters": [{
                    "propertyName": LIFECYCLE_PROPERTY, "operator": "EQ", "value": CUSTOMER_STAGE
                }]})],
                properties: vec!["email".into()],
            },
        )
        .await?;
    let ids: Vec<String> = contacts.iter().map(|c| c.id.clone()).collect();
    let email: BTreeMap<&str, &str> = contacts
        .iter()
        .filter_map(|c| c.property("email").map(|e| (c.id.as_str(), e)))
        .collect();
    let chunks: Vec<Vec<String>> = ids
        .chunks(ASSOCIATION_BATCH_MAX)
        .map(<[String]>::to_vec)
        .collect();
    let links: BTreeMap<String, Vec<String>> = futures::stream::iter(chunks)
        .map(|chunk| async move {
            ctx.hubspot
                .associations("contacts", "companies", &chunk)
                .await
        })
        .buffer_unordered(BATCH_CONCURRENCY)
        .try_fold(BTreeMap::new(), |mut all, part| async move {
            all.extend(part);
            Ok(all)
        })
        .await?;
    let mut contact_emails: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut company_ids = BTreeSet::new();
    let mut orphans = 0;
    for (contact, companies) in &links {
        if companies.is_empty() {
            orphans += 1;
        }
        for company in companies {
            company_ids.insert(company.clone());
            if let Some(e) = email.get(contact.as_str()) {
                contact_emails
                    .entry(company.clone())
                    .or_default()
                    .push((*e).to_owned());
            }
        }
    }
    let config: &Config = &ctx.config;
    let mut properties: Vec<String> = vec!["name".into(), "domain".into()];
    properties.extend(config.properties.all().iter().map(|p| p.to_string()));
    properties.extend(config.exclude.iter().map(|f| f.property.clone()));
    let ids: Vec<String> = company_ids.into_iter().collect();
    let properties = &properties;
    let chunks: Vec<Vec<String>> = ids
        .chunks(OBJECT_BATCH_MAX)
        .map(<[String]>::to_vec)
        .collect();
    let mut companies: Vec<CrmObject> = futures::stream::iter(chunks)
        .map(|chunk| async move {
            ctx.hubspot
                .batch_read("companies", &chunk, properties)
                .await
        })
        .buffer_unordered(BATCH_CONCURRENCY)
        .try_concat()
        .await?;
    companies.sort_by(|a, b| crate::ranker::rules::score::compare_ids(&a.id, &b.id));
    Ok(HubSpotRead {
        definitions: Default::default(),
        companies,
        contact_emails,
        customer_contacts: contacts.len(),
        orphan_contacts: orphans,
    })
}

/// Yobi's side for `week`.
#[derive(Debug, Default)]
pub struct YobiRead {
    pub tenants: Vec<Tenant>,
    pub weekly: BTreeMap<u64, BTreeMap<Metric, u64>>,
    pub calls_30d: BTreeMap<u64, u64>,
}

/// Logs in and lists the tenants; a refused login is a preflight problem.
pub async fn tenants(ctx: &RankerContext) -> Result<(Vec<Tenant>, Preflight), YobiError> {
    match ctx.yobi.tenants().await {
        Ok(t) => Ok((t, vec![])),
        Err(e) if matches!(e.status(), Some(400 | 401 | 403)) => {
            Ok((vec![], vec![format!("Yobi login or token refused: {e}")]))
        }
        Err(e @ YobiError::MissingField { .. }) => Ok((vec![], vec![e.to_string()])),
        Err(e) => Err(e),
    }
}

/// The three usage endpoints over `30days`, each checked to cover `week`; every tenant's week
/// counts (staff excluded) and 30-day calls. A missing field or an endpoint that serves only
/// rolling totals is a preflight problem (§4: never an approximate window).
pub async fn usage(
    ctx: &RankerContext,
    week: Week,
) -> Result<
    (
        BTreeMap<u64, BTreeMap<Metric, u64>>,
        BTreeMap<u64, u64>,
        Preflight,
    ),
    YobiError,
> {
    // The three endpoints together; the client reads each page into counts as it arrives,
    // and each answer is reduced to the week's counts here.
    let internal = &ctx.config.internal_domains;
    let mut problems = Vec::new();
    let mut weekly: BTreeMap<u64, BTreeMap<Metric, u64>> = BTreeMap::new();
    let mut calls_30d = BTreeMap::new();
    let (a, c, t) = tokio::join!(
        ctx.yobi
            .usage(UsageEndpoint::Appointments, Period::ThirtyDays, None),
        ctx.yobi
            .usage(UsageEndpoint::Calls, Period::ThirtyDays, None),
        ctx.yobi
            .usage(UsageEndpoint::Tasks, Period::ThirtyDays, None),
    );
    for (endpoint, result) in UsageEndpoint::ALL.into_iter().zip([a, c, t]) {
        let report = match result {
            Ok(report) => report,
            Err(e @ YobiError::MissingField { .. }) => {
                problems.push(e.to_string());
                continue;
            }
            Err(e) if e.status() == Some(404) => {
                problems.push(format!("Yobi endpoint unavailable: {e}"));
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Err(e) = check_coverage(&report, week) {
            problems.push(format!("Yobi {e}"));
            continue;
        }
        for usage in &report.tenants {
            weekly
                .entry(usage.tenant_id)
                .or_default()
                .extend(week_counts(endpoint, usage, week, internal));
            if endpoint == UsageEndpoint::Calls {
                calls_30d.insert(usage.tenant_id, period_calls(usage, internal));
            }
        }
    }
    Ok((weekly, calls_30d, problems))
}
