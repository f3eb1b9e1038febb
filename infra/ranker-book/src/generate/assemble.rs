//! The last steps of a book: roles among the tenants (ties, paused practices), their usage,
//! last week's engagement values, and the fixtures and truth put together.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use rand::seq::SliceRandom;
use rand::Rng;

use super::properties::{company_property_definitions, RANK, SCORE, TIER, TIERS};
use super::usage::{self, Activity};
use super::{
    scored_week_start, Builder, BOOK_YOBI_EMAIL, BOOK_YOBI_PASSWORD, INTERNAL_DOMAIN, STAFF,
};
use crate::book::{Book, BookTruth, CompanyKind};
use crate::hubspot::{
    Association, CrmObject, HubSpotFixture, CONTACT_TO_COMPANY, CONTACT_TO_COMPANY_PRIMARY,
};
use crate::yobi::{DailyUsage, Tenant, YobiFixture, YobiUser};

impl Builder {
    /// Roles, usage and last week's values, then the fixtures and the truth.
    pub(super) fn finish(mut self, customers: usize) -> Book {
        let week = scored_week_start(self.as_of);
        // Roles among domain-matched customers: two full ties, two score ties, a few paused.
        let mut roles: Vec<(u64, u64)> = self.domain_customers.clone();
        roles.shuffle(&mut self.rng);
        let full_tie = (roles.len() >= 2).then(|| (roles[0], roles[1]));
        let score_tie = (roles.len() >= 4).then(|| (roles[2], roles[3]));
        let paused_from = 4.min(roles.len());
        let paused = ((customers as f64 * 0.03).round() as usize).max(usize::from(roles.len() > 4));
        let paused: BTreeSet<u64> = roles[paused_from..(paused_from + paused).min(roles.len())]
            .iter()
            .map(|&(_, t)| t)
            .collect();
        for t in &mut self.tenants {
            if paused.contains(&t.tenant.tenant_id) {
                t.activity = Activity::Inactive;
            }
        }
        let tied: BTreeSet<u64> = full_tie
            .into_iter()
            .chain(score_tie)
            .flat_map(|(a, b)| [a.1, b.1])
            .collect();

        // Usage, tenant by tenant in creation order; Yobi staff help out in some practices.
        let mut daily: BTreeMap<u64, Vec<DailyUsage>> = BTreeMap::new();
        for i in 0..self.tenants.len() {
            let (id, activity) = (self.tenants[i].tenant.tenant_id, self.tenants[i].activity);
            let mut rows = usage::daily_rows(&mut self.rng, id, activity, self.as_of, STAFF);
            if matches!(activity, Activity::Normal)
                && !tied.contains(&id)
                && self.rng.random_bool(0.12)
            {
                usage::add_staff_work(&mut self.rng, &mut rows, id, self.as_of, STAFF);
            }
            daily.insert(id, rows);
        }
        if let Some(((_, a), (_, b))) = full_tie {
            let rows: Vec<DailyUsage> = daily[&a]
                .iter()
                .map(|r| DailyUsage {
                    by_user: Vec::new(),
                    ..r.clone()
                })
                .collect();
            daily.insert(
                b,
                rows.iter()
                    .map(|r| DailyUsage {
                        tenant_id: b,
                        ..r.clone()
                    })
                    .collect(),
            );
            daily.insert(a, rows);
        }
        if let Some(((_, c), (_, d))) = score_tie {
            // Same score (78), different counts: c has 2 new patients, d has 1.
            set_week(&mut daily, c, week, [(1, 5, 3, 14), (1, 5, 2, 16)]);
            set_week(&mut daily, d, week, [(1, 6, 2, 15), (0, 6, 2, 15)]);
        }

        let idle: BTreeSet<u64> = self
            .tenants
            .iter()
            .filter(|t| matches!(t.activity, Activity::Inactive | Activity::Churned))
            .map(|t| t.tenant.tenant_id)
            .collect();
        for t in &mut self.truth {
            t.inactive = t.tenant_ids.first().is_some_and(|id| idle.contains(id));
        }
        let prior_n = customers.max(1);
        for i in 0..self.companies.len() {
            let kind = self.truth[i].kind;
            self.prior_engagement(i, kind, prior_n);
        }
        let unmatched: Vec<u64> = {
            let linked: BTreeSet<u64> = self
                .truth
                .iter()
                .flat_map(|t| t.tenant_ids.iter().copied())
                .collect();
            let mut v: Vec<u64> = self
                .tenants
                .iter()
                .map(|t| t.tenant.tenant_id)
                .filter(|id| !linked.contains(id))
                .collect();
            v.sort_unstable();
            v
        };
        self.assemble(week, daily, unmatched, full_tie, score_tie)
    }

    /// Last week's score, rank and tier as an earlier run left them: most customers have
    /// them, some have a rank no one can parse, new ones have none.
    fn prior_engagement(&mut self, i: usize, kind: CompanyKind, n: usize) {
        let share = match kind {
            CompanyKind::Customer => 0.75,
            CompanyKind::Churned => 0.5,
            _ => return,
        };
        let roll: f64 = self.rng.random();
        let last_week = self.end - Duration::days(7) + Duration::hours(11);
        let company = &mut self.companies[i];
        if roll < share {
            let of = (n as i64 + self.rng.random_range(-6..=6)).max(1) as usize;
            let rank = self.rng.random_range(1..=of);
            let k = (0.3 * of as f64).ceil() as usize;
            let tier = if rank <= k {
                TIERS[0]
            } else if rank > of - k {
                TIERS[2]
            } else {
                TIERS[1]
            };
            let score = self.rng.random_range(20..2500u32);
            company.props.insert(SCORE.into(), Some(score.to_string()));
            company
                .props
                .insert(RANK.into(), Some(format!("{rank} out of {of}")));
            company.props.insert(TIER.into(), Some(tier.to_owned()));
            company.updated = company.updated.max(last_week);
        } else if roll < share + 0.05 {
            let junk = ["n/a", "", "Top 30%", "26/150", "#12", "unranked"];
            let junk = junk[self.rng.random_range(0..junk.len())];
            company.props.insert(RANK.into(), Some(junk.to_owned()));
        }
    }

    fn assemble(
        mut self,
        week: NaiveDate,
        daily: BTreeMap<u64, Vec<DailyUsage>>,
        tenants_without_company: Vec<u64>,
        full_tie: Option<((u64, u64), (u64, u64))>,
        score_tie: Option<((u64, u64), (u64, u64))>,
    ) -> Book {
        // Contact ids grow with creation time, as HubSpot's do.
        let mut order: Vec<usize> = (0..self.contacts.len()).collect();
        order.sort_by_key(|&i| (self.contacts[i].created, i));
        let mut contact_ids = vec![0u64; self.contacts.len()];
        let mut next = 101u64;
        for &i in &order {
            next += self.rng.random_range(1..=300);
            contact_ids[i] = next;
        }
        let mut contacts = Vec::with_capacity(self.contacts.len());
        let mut associations = Vec::new();
        for &i in &order {
            let draft = &mut self.contacts[i];
            let id = contact_ids[i].to_string();
            let since = (self.end - draft.created).num_seconds().max(1);
            let updated = draft.created + Duration::seconds(self.rng.random_range(0..since));
            draft.props.insert("hs_object_id".into(), Some(id.clone()));
            draft
                .props
                .insert("createdate".into(), Some(iso(draft.created)));
            draft
                .props
                .insert("lastmodifieddate".into(), Some(iso(updated)));
            for (k, company) in draft.companies.iter().enumerate() {
                if k == 0 {
                    associations.push(Association {
                        from: id.clone(),
                        to: company.to_string(),
                        type_id: CONTACT_TO_COMPANY_PRIMARY,
                    });
                }
                associations.push(Association {
                    from: id.clone(),
                    to: company.to_string(),
                    type_id: CONTACT_TO_COMPANY,
                });
            }
            contacts.push(CrmObject {
                id,
                properties: std::mem::take(&mut draft.props),
                created_at: Some(iso(draft.created)),
                updated_at: Some(iso(updated)),
                archived: false,
            });
        }
        let companies = self
            .companies
            .iter_mut()
            .map(|c| {
                c.props.insert("createdate".into(), Some(iso(c.created)));
                c.props
                    .insert("hs_lastmodifieddate".into(), Some(iso(c.updated)));
                CrmObject {
                    id: c.id.to_string(),
                    properties: std::mem::take(&mut c.props),
                    created_at: Some(iso(c.created)),
                    updated_at: Some(iso(c.updated)),
                    archived: false,
                }
            })
            .collect();
        let mut tenants: Vec<Tenant> = self.tenants.into_iter().map(|t| t.tenant).collect();
        tenants.sort_by_key(|t| t.tenant_id);
        let orphan_customer_contacts = self
            .orphans
            .iter()
            .map(|&i| contact_ids[i].to_string())
            .collect();
        let pair = |p: Option<((u64, u64), (u64, u64))>| {
            p.map(|(a, b)| (a.0.to_string(), b.0.to_string()))
        };
        Book {
            as_of: self.as_of,
            hubspot: HubSpotFixture {
                contacts,
                companies,
                associations,
                properties: company_property_definitions(),
            },
            yobi: YobiFixture {
                users: vec![YobiUser {
                    email: BOOK_YOBI_EMAIL.to_owned(),
                    password: BOOK_YOBI_PASSWORD.to_owned(),
                }],
                tenants,
                daily: daily.into_values().flatten().collect(),
            },
            truth: BookTruth {
                scored_week_start: week,
                companies: self.truth,
                tenants_without_company,
                suggested_overrides: self.overrides,
                internal_user_domains: vec![INTERNAL_DOMAIN.to_owned()],
                orphan_customer_contacts,
                full_tie: pair(full_tie),
                score_tie: pair(score_tie),
            },
        }
    }
}

/// Replaces a tenant's rows in the week starting `week` by two days' counts, (new patient
/// appointments, appointments, tasks, calls) on the Tuesday and the Thursday.
fn set_week(
    daily: &mut BTreeMap<u64, Vec<DailyUsage>>,
    tenant_id: u64,
    week: NaiveDate,
    days: [(u32, u32, u32, u32); 2],
) {
    let rows = daily.entry(tenant_id).or_default();
    let end = week + Duration::days(7);
    rows.retain(|r| r.date < week || r.date >= end);
    for (offset, (new, appts, tasks, calls)) in [2i64, 4].into_iter().zip(days) {
        rows.push(DailyUsage {
            tenant_id,
            date: week + Duration::days(offset),
            calls,
            tasks_created: tasks,
            appointments: appts,
            new_patient_appointments: new,
            by_user: Vec::new(),
        });
    }
    rows.sort_by_key(|r| r.date);
}

/// HubSpot's timestamp form: `2024-05-01T14:03:11.123Z`.
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
