//! `mode: spike` (ENGAGEMENT-RANKER.md §8): the go-live questions, answered without writing or
//! posting: which Yobi endpoints and fields are there, whether the HubSpot properties are
//! usable, and the mapping's coverage, ambiguity rate and confidence breakdown.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::ranker::jobs::event::RankerEvent;
use crate::ranker::rules::identity::{
    resolve, CompanyIdentity, MatchMethod, Resolution, TenantIndex,
};
use crate::ranker::rules::metrics::check_coverage;
use crate::yobi::{Metric, Period, UsageEndpoint};

use super::context::RankerContext;
use super::error::RankerError;
use super::read;

/// One Yobi endpoint as served.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointReport {
    pub endpoint: &'static str,
    pub available: bool,
    /// The counts it serves (`new_patients`, `appointments`, `tasks`, `calls`).
    pub metrics: Vec<&'static str>,
    /// Daily buckets (the exact week can be summed).
    pub daily_buckets: bool,
    /// A per-user breakdown (staff can be left out).
    pub by_user: bool,
    /// The period's first and last day and its zone.
    pub period: Option<String>,
    /// Whether the scored week is covered exactly.
    pub covers_week: bool,
    /// Why it is not usable.
    pub problem: Option<String>,
}

/// The spike's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpikeReport {
    pub mode: &'static str,
    pub week_start: String,
    pub hubspot_problems: Vec<String>,
    pub yobi_problems: Vec<String>,
    pub endpoints: Vec<EndpointReport>,
    pub tenants: usize,
    /// Companies of customer contacts, after the exclusion flags.
    pub companies: usize,
    pub excluded_by_flag: usize,
    pub mapped: usize,
    /// `mapped / companies`, percent, one decimal.
    pub coverage_percent: f64,
    pub ambiguous: usize,
    pub ambiguity_percent: f64,
    /// Mapped companies by how they were found.
    pub by_method: BTreeMap<&'static str, usize>,
    /// Up to 20 unmapped companies, `id name`.
    pub unmapped_sample: Vec<String>,
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (1000.0 * part as f64 / whole as f64).round() / 10.0
    }
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::NewPatients => "new_patients",
        Metric::Appointments => "appointments",
        Metric::Tasks => "tasks",
        Metric::Calls => "calls",
    }
}

/// Runs the spike. Errors only when HubSpot or Yobi cannot be reached at all.
pub async fn spike(ctx: &RankerContext, event: &RankerEvent) -> Result<SpikeReport, RankerError> {
    let week = event.week;
    let (props, tenants) = tokio::join!(read::properties(ctx), read::tenants(ctx));
    let (_, hubspot_problems) = props?;
    let (tenants, yobi_problems) = tenants?;
    let mut endpoints = Vec::new();
    let mut activity: BTreeMap<u64, u64> = BTreeMap::new();
    if yobi_problems.is_empty() {
        for endpoint in UsageEndpoint::ALL {
            let mut report = EndpointReport {
                endpoint: endpoint.path(),
                available: false,
                metrics: vec![],
                daily_buckets: false,
                by_user: false,
                period: None,
                covers_week: false,
                problem: None,
            };
            match ctx.yobi.usage(endpoint, Period::ThirtyDays, None).await {
                Ok(usage) => {
                    report.available = true;
                    let served: BTreeSet<Metric> = usage
                        .tenants
                        .iter()
                        .flat_map(|t| t.totals.keys().copied())
                        .collect();
                    report.metrics = endpoint
                        .metrics()
                        .iter()
                        .filter(|m| served.contains(m) || usage.tenants.is_empty())
                        .map(|m| metric_name(*m))
                        .collect();
                    report.daily_buckets = true;
                    report.by_user = usage
                        .tenants
                        .iter()
                        .flat_map(|t| &t.daily)
                        .any(|b| b.by_user.is_some());
                    report.period = Some(format!(
                        "{}..{} {}",
                        usage.start_date.map(|d| d.to_string()).unwrap_or_default(),
                        usage.end_date.map(|d| d.to_string()).unwrap_or_default(),
                        usage.timezone.clone().unwrap_or_default()
                    ));
                    match check_coverage(&usage, week) {
                        Ok(()) => report.covers_week = true,
                        Err(e) => report.problem = Some(e.to_string()),
                    }
                    for t in &usage.tenants {
                        let counts = crate::ranker::rules::metrics::week_counts(
                            endpoint,
                            t,
                            week,
                            &ctx.config.internal_domains,
                        );
                        *activity.entry(t.tenant_id).or_default() += counts.values().sum::<u64>();
                    }
                }
                Err(e) => {
                    report.available = e.status() != Some(404);
                    report.problem = Some(e.to_string());
                }
            }
            endpoints.push(report);
        }
    }
    let universe = read::universe(ctx).await?;
    let index = TenantIndex::new(&tenants);
    let mut by_method: BTreeMap<&'static str, usize> =
        ["override", "domain", "email_domain", "name"]
            .into_iter()
            .map(|k| (k, 0))
            .collect();
    let (mut companies, mut excluded, mut mapped, mut ambiguous) = (0, 0, 0, 0);
    let mut unmapped_sample = Vec::new();
    for c in &universe.companies {
        if ctx
            .config
            .exclude
            .iter()
            .any(|f| f.matches(c.property(&f.property)))
        {
            excluded += 1;
            continue;
        }
        companies += 1;
        let identity = CompanyIdentity {
            id: c.id.clone(),
            name: c.property("name").map(str::to_owned),
            domain: c.property("domain").map(str::to_owned),
            contact_emails: universe
                .contact_emails
                .get(&c.id)
                .cloned()
                .unwrap_or_default(),
        };
        let r = resolve(&identity, &ctx.config.identity, &index, &activity);
        match &r {
            Resolution::Mapped { method, .. } => {
                mapped += 1;
                ambiguous += usize::from(r.is_ambiguous());
                *by_method
                    .entry(match method {
                        MatchMethod::Override => "override",
                        MatchMethod::Domain => "domain",
                        MatchMethod::EmailDomain => "email_domain",
                        MatchMethod::Name => "name",
                    })
                    .or_default() += 1;
            }
            Resolution::Unmapped { .. } => {
                if unmapped_sample.len() < 20 {
                    unmapped_sample.push(format!(
                        "{} {}",
                        c.id,
                        c.property("name").unwrap_or("(no name)")
                    ));
                }
            }
        }
    }
    Ok(SpikeReport {
        mode: "spike",
        week_start: week.start.to_string(),
        hubspot_problems,
        yobi_problems,
        endpoints,
        tenants: tenants.len(),
        companies,
        excluded_by_flag: excluded,
        mapped,
        coverage_percent: percent(mapped, companies),
        ambiguous,
        ambiguity_percent: percent(ambiguous, mapped),
        by_method,
        unmapped_sample,
    })
}
