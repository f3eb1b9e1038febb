//! The pure plan (ENGAGEMENT-RANKER.md §2–§6): universe → mapping → metrics → score, rank and
//! tier → the property changes. No I/O: the handler reads HubSpot and Yobi into [`Inputs`],
//! and applies [`Plan::updates`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::hubspot::{CompanyUpdate, CrmObject, PropertyDefinition};
use crate::ranker::config::Config;
use crate::ranker::rules::identity::{
    resolve, CompanyIdentity, MatchMethod, Resolution, TenantIndex,
};
use crate::ranker::rules::metrics::WeeklyMetrics;
use crate::ranker::rules::prior::{parse_prior_rank, PriorRank};
use crate::ranker::rules::properties::value_fits;
use crate::ranker::rules::score::{compare_ids, rank, rank_text, Tier};
use crate::ranker::rules::week::Week;
use crate::yobi::{Metric, Tenant};

/// Everything read, for one week.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The companies associated with customer contacts, with `name`, `domain`, the exclusion
    /// flags and the three engagement properties (last week's values).
    pub companies: Vec<CrmObject>,
    /// Company id → emails of its customer contacts.
    pub contact_emails: BTreeMap<String, Vec<String>>,
    /// Yobi's tenants.
    pub tenants: Vec<Tenant>,
    /// Tenant id → the week's counts (staff excluded). A metric absent from a tenant's map
    /// is missing (its endpoint did not list the tenant).
    pub weekly: BTreeMap<u64, BTreeMap<Metric, u64>>,
    /// Tenant id → calls over Yobi's last 30 days (staff excluded), for the activity floor.
    pub calls_30d: BTreeMap<u64, u64>,
    /// The score, rank and tier definitions, already checked usable.
    pub definitions: [Option<PropertyDefinition>; 3],
}

/// One ranked company, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedCompany {
    pub company_id: String,
    pub name: String,
    pub tenant_id: u64,
    pub method: MatchMethod,
    pub metrics: WeeklyMetrics,
    pub score: u64,
    pub rank: usize,
    pub tier: Tier,
    /// `"26 out of 150"`.
    pub rank_text: String,
    /// Last week's rank; `None`: new (never ranked, or unparsable).
    pub prior_rank: Option<PriorRank>,
    /// Places gained since last week (positive: up); `None` when new.
    pub movement: Option<i64>,
}

/// A company left out of the ranking, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    pub company_id: String,
    pub name: String,
    pub reason: String,
}

/// Something a customer-success lead should look at (§7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    /// `unmapped`, `ambiguous`, `low_confidence`, `shared_tenant`, `not_ranked`,
    /// `missing_metrics`, `retried`, `partial_batch`.
    pub kind: &'static str,
    pub company_id: String,
    pub name: String,
    pub detail: String,
}

/// One property change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub company_id: String,
    pub property: String,
    pub old: Option<String>,
    pub new: String,
}

/// The week's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub week: Week,
    /// Companies ranked (N).
    pub n: usize,
    /// By rank.
    pub ranked: Vec<RankedCompany>,
    /// Excluded by a flag (internal test, churned) or unmapped.
    pub excluded: Vec<LeftOut>,
    /// Below the activity floor (§5).
    pub inactive: Vec<LeftOut>,
    pub anomalies: Vec<Anomaly>,
    /// The changes to write, by company then property.
    pub changes: Vec<Change>,
    /// Ranked companies whose three values are already right.
    pub unchanged: usize,
    /// Ranked companies with changes that `companyIds` leaves out.
    pub held_back: Vec<String>,
}

impl Plan {
    /// The batch-update inputs: one per company with changes, only the changed properties.
    pub fn updates(&self) -> Vec<CompanyUpdate> {
        let mut by_company: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
        for c in &self.changes {
            by_company
                .entry(&c.company_id)
                .or_default()
                .insert(c.property.clone(), c.new.clone());
        }
        let mut out: Vec<CompanyUpdate> = by_company
            .into_iter()
            .map(|(id, properties)| CompanyUpdate {
                id: id.to_owned(),
                properties,
            })
            .collect();
        out.sort_by(|a, b| compare_ids(&a.id, &b.id));
        out
    }
}

/// Why no plan can be written (§6: nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Mapped companies whose tenant lacks a metric.
    #[error("{} mapped compan(ies) lack a metric (first: {}); nothing is scored on partial data", .0.len(), .0.first().map(|a| format!("{} {}: {}", a.company_id, a.name, a.detail)).unwrap_or_default())]
    MissingMetrics(Vec<Anomaly>),
    /// N = 0.
    #[error("no company can be ranked this week (N = 0): {0}")]
    NothingToRank(String),
    /// A value the property definitions would refuse (a bug: caught before any write).
    #[error("company {company_id} {property}: {reason}")]
    UnfitValue {
        company_id: String,
        property: String,
        reason: String,
    },
}

/// Plans `week` from `inputs`. `allow`: `companyIds` (write only these).
pub fn plan(
    week: Week,
    inputs: &Inputs,
    config: &Config,
    allow: Option<&BTreeSet<String>>,
) -> Result<Plan, PlanError> {
    let names = &config.properties;
    let index = TenantIndex::new(&inputs.tenants);
    let activity: BTreeMap<u64, u64> = inputs
        .weekly
        .iter()
        .map(|(id, counts)| (*id, counts.values().sum()))
        .collect();
    let mut companies: Vec<&CrmObject> = inputs.companies.iter().collect();
    companies.sort_by(|a, b| compare_ids(&a.id, &b.id));
    let name_of = |c: &CrmObject| c.property("name").unwrap_or("(no name)").to_owned();

    let mut excluded = Vec::new();
    let mut inactive = Vec::new();
    let mut anomalies = Vec::new();
    let mut missing = Vec::new();
    let mut candidates: Vec<(&CrmObject, u64, MatchMethod, WeeklyMetrics)> = Vec::new();
    for company in companies {
        let name = name_of(company);
        if let Some(f) = config
            .exclude
            .iter()
            .find(|f| f.matches(company.property(&f.property)))
        {
            excluded.push(LeftOut {
                company_id: company.id.clone(),
                name,
                reason: format!(
                    "{} = {}",
                    f.property,
                    company.property(&f.property).unwrap_or("")
                ),
            });
            continue;
        }
        let identity = CompanyIdentity {
            id: company.id.clone(),
            name: company.property("name").map(str::to_owned),
            domain: company.property("domain").map(str::to_owned),
            contact_emails: inputs
                .contact_emails
                .get(&company.id)
                .cloned()
                .unwrap_or_default(),
        };
        let resolution = resolve(&identity, &config.identity, &index, &activity);
        let (tenant_id, method) = match &resolution {
            Resolution::Unmapped { reason } => {
                anomalies.push(Anomaly {
                    kind: "unmapped",
                    company_id: company.id.clone(),
                    name: name.clone(),
                    detail: reason.clone(),
                });
                excluded.push(LeftOut {
                    company_id: company.id.clone(),
                    name,
                    reason: format!("no Yobi tenant: {reason}"),
                });
                continue;
            }
            Resolution::Mapped {
                tenant_id,
                method,
                candidates,
                tie_break,
            } => {
                if candidates.len() > 1 {
                    let how = match tie_break {
                        Some(crate::ranker::rules::identity::TieBreak::MostActivity) => {
                            "the most weekly activity"
                        }
                        _ => "equal activity, the lowest tenant id",
                    };
                    anomalies.push(Anomaly {
                        kind: "ambiguous",
                        company_id: company.id.clone(),
                        name: name.clone(),
                        detail: format!(
                            "tenants {candidates:?} match by {}; {tenant_id} chosen by {how}",
                            method_text(*method)
                        ),
                    });
                }
                if *method == MatchMethod::Name {
                    tracing::info!(company_id = %company.id, tenant_id, "low-confidence name match");
                    anomalies.push(Anomaly {
                        kind: "low_confidence",
                        company_id: company.id.clone(),
                        name: name.clone(),
                        detail: format!("matched tenant {tenant_id} by name only"),
                    });
                }
                (*tenant_id, *method)
            }
        };
        let counts = inputs.weekly.get(&tenant_id).cloned().unwrap_or_default();
        let Some(metrics) = WeeklyMetrics::from_counts(&counts) else {
            let lacking: Vec<&str> = [
                (Metric::NewPatients, "new patients"),
                (Metric::Appointments, "appointments"),
                (Metric::Tasks, "tasks"),
                (Metric::Calls, "calls"),
            ]
            .into_iter()
            .filter(|(m, _)| !counts.contains_key(m))
            .map(|(_, n)| n)
            .collect();
            missing.push(Anomaly {
                kind: "missing_metrics",
                company_id: company.id.clone(),
                name,
                detail: format!("tenant {tenant_id} has no {}", lacking.join(", ")),
            });
            continue;
        };
        let calls_30d = inputs.calls_30d.get(&tenant_id).copied().unwrap_or(0);
        if calls_30d < config.min_calls_30d {
            inactive.push(LeftOut {
                company_id: company.id.clone(),
                name,
                reason: format!(
                    "{calls_30d} calls over the last 30 days (floor {})",
                    config.min_calls_30d
                ),
            });
            continue;
        }
        candidates.push((company, tenant_id, method, metrics));
    }
    if !missing.is_empty() {
        return Err(PlanError::MissingMetrics(missing));
    }

    // Two companies on one tenant both get its metrics; a lead should know.
    let mut by_tenant: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for (c, t, _, _) in &candidates {
        by_tenant.entry(*t).or_default().push(&c.id);
    }
    for (c, t, _, _) in &candidates {
        let sharing = &by_tenant[t];
        if sharing.len() > 1 {
            anomalies.push(Anomaly {
                kind: "shared_tenant",
                company_id: c.id.clone(),
                name: name_of(c),
                detail: format!(
                    "tenant {t} is also matched by companies {:?}",
                    sharing.iter().filter(|id| **id != c.id).collect::<Vec<_>>()
                ),
            });
        }
    }

    let n = candidates.len();
    if n == 0 {
        return Err(PlanError::NothingToRank(format!(
            "{} compan(ies) read, {} excluded, {} inactive",
            inputs.companies.len(),
            excluded.len(),
            inactive.len()
        )));
    }
    let by_id: BTreeMap<&str, (&CrmObject, u64, MatchMethod)> = candidates
        .iter()
        .map(|(c, t, m, _)| (c.id.as_str(), (*c, *t, *m)))
        .collect();
    let ranked_rows = rank(
        candidates
            .iter()
            .map(|(c, _, _, m)| (c.id.clone(), *m))
            .collect(),
    );
    let mut ranked = Vec::with_capacity(n);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let mut held_back = Vec::new();
    for r in ranked_rows {
        let (company, tenant_id, method) = by_id[r.company_id.as_str()];
        let prior_rank = parse_prior_rank(company.property(&names.rank));
        let text = rank_text(r.rank, n);
        let new_values = [
            (&names.score, r.score.to_string(), 0),
            (&names.rank, text.clone(), 1),
            (&names.tier, r.tier.label().to_owned(), 2),
        ];
        let mut company_changes = Vec::new();
        for (property, new, i) in new_values {
            let old = company.property(property).map(str::to_owned);
            if same_value(i, old.as_deref(), &new) {
                continue;
            }
            if let Some(def) = &inputs.definitions[i] {
                value_fits(def, &new).map_err(|reason| PlanError::UnfitValue {
                    company_id: company.id.clone(),
                    property: property.clone(),
                    reason,
                })?;
            }
            company_changes.push(Change {
                company_id: company.id.clone(),
                property: property.clone(),
                old,
                new,
            });
        }
        if company_changes.is_empty() {
            unchanged += 1;
        } else if allow.is_some_and(|a| !a.contains(&company.id)) {
            held_back.push(company.id.clone());
        } else {
            changes.extend(company_changes);
        }
        ranked.push(RankedCompany {
            company_id: r.company_id,
            name: name_of(company),
            tenant_id,
            method,
            metrics: r.metrics,
            score: r.score,
            rank: r.rank,
            tier: r.tier,
            rank_text: text,
            prior_rank,
            movement: prior_rank.map(|p| p.rank as i64 - r.rank as i64),
        });
    }
    if let Some(allow) = allow {
        for id in allow.iter().filter(|id| !by_id.contains_key(id.as_str())) {
            anomalies.push(Anomaly {
                kind: "not_ranked",
                company_id: id.clone(),
                name: String::new(),
                detail: "listed in companyIds but not ranked this week; nothing written".into(),
            });
        }
    }
    Ok(Plan {
        week,
        n,
        ranked,
        excluded,
        inactive,
        anomalies,
        changes,
        unchanged,
        held_back,
    })
}

/// Whether the stored value already says `new`: the score compares as a number (`"78.0"` is
/// 78), the texts exactly.
fn same_value(index: usize, old: Option<&str>, new: &str) -> bool {
    match old {
        None => false,
        Some(old) if index == 0 => old
            .trim()
            .parse::<f64>()
            .ok()
            .zip(new.parse::<f64>().ok())
            .is_some_and(|(a, b)| a == b),
        Some(old) => old == new,
    }
}

fn method_text(method: MatchMethod) -> &'static str {
    match method {
        MatchMethod::Override => "override",
        MatchMethod::Domain => "domain",
        MatchMethod::EmailDomain => "contact email domain",
        MatchMethod::Name => "name",
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
