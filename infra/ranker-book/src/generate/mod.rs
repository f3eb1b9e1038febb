//! The book generator: one `(customers, seed, as_of)` gives byte-identical fixtures. This
//! module makes the companies, contacts and tenants; `assemble` the rest.
//!
//! Every choice comes from one `ChaCha8Rng` in a fixed order, never from the clock or a
//! hash map. The book holds, besides the `customers` paying practices: Yobi's internal test
//! practices, churned customers, prospects (some on a Yobi trial), self-serve tenants with no
//! HubSpot company, and a few customer contacts with no company. Counts and rules are in the
//! crate's README.

mod assemble;
mod names;
mod properties;
mod usage;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::book::{Book, CompanyKind, CompanyTruth, Link};
use crate::normalize::normalize_name;
use crate::yobi::Tenant;
use names::Practice;
pub use properties::company_property_definitions;
use usage::Activity;

/// The Yobi admin login of every generated book.
pub const BOOK_YOBI_EMAIL: &str = "ranker-bot@yib.io";
pub const BOOK_YOBI_PASSWORD: &str = "yobi-sim-password";
/// Yobi staff who work inside practices' accounts (the internal domain is `yib.io`).
const STAFF: &[&str] = &[
    "onboarding.team@yib.io",
    "support.alex@yib.io",
    "success.jordan@yib.io",
];
const INTERNAL_DOMAIN: &str = "yib.io";
const PROSPECT_STAGES: &[&str] = &[
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "subscriber",
];

/// How a paying customer's company and tenant are made to fit (see [`Link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Domain,
    EmailDomain,
    Name,
    AmbiguousName,
    OverrideById,
    OverrideByDomain,
    NoTenant,
}

/// The Sunday that starts the last complete Sunday–Saturday week before a run early on
/// `as_of` (§1). A week that ends on as-of (a Saturday) is not complete yet.
pub fn scored_week_start(as_of: NaiveDate) -> NaiveDate {
    as_of - Duration::days(i64::from(as_of.weekday().num_days_from_sunday()) + 7)
}

/// Generates the book: `customers` paying practices plus the other companies, tenants and
/// contacts a real portal and account hold (see the module docs).
pub fn generate(customers: usize, seed: u64, as_of: NaiveDate) -> Book {
    let mut b = Builder::new(seed, as_of);
    for plan in b.plans(customers) {
        b.customer(plan);
    }
    for i in 0..(1 + customers / 150) {
        b.internal_test(i);
    }
    for _ in 0..((customers as f64 * 0.06).round() as usize).max(1) {
        b.churned();
    }
    for _ in 0..(customers as f64 * 0.2).round() as usize {
        b.prospect();
    }
    for _ in 0..((customers as f64 * 0.06).round() as usize).max(1) {
        b.self_serve_tenant();
    }
    b.orphan_contacts(((customers as f64 * 0.01).round() as usize).max(1));
    b.shared_contacts(customers / 50);
    b.finish(customers)
}

struct CompanyDraft {
    id: u64,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    props: BTreeMap<String, Option<String>>,
}

struct ContactDraft {
    created: DateTime<Utc>,
    props: BTreeMap<String, Option<String>>,
    /// The primary company first.
    companies: Vec<u64>,
}

struct TenantDraft {
    tenant: Tenant,
    activity: Activity,
}

struct Builder {
    rng: ChaCha8Rng,
    as_of: NaiveDate,
    /// Midnight UTC at the start of as-of: nothing is created after it.
    end: DateTime<Utc>,
    names: BTreeSet<String>,
    domains: BTreeSet<String>,
    company_ids: BTreeSet<u64>,
    tenant_ids: BTreeSet<u64>,
    companies: Vec<CompanyDraft>,
    contacts: Vec<ContactDraft>,
    tenants: Vec<TenantDraft>,
    truth: Vec<CompanyTruth>,
    /// Customer companies made with [`Plan::Domain`]: (company id, tenant id).
    domain_customers: Vec<(u64, u64)>,
    overrides: BTreeMap<String, u64>,
    orphans: Vec<usize>,
}

/// Draws of a practice name before a drawn name is made unique.
const NAME_ATTEMPTS: usize = 1_000;

impl Builder {
    fn new(seed: u64, as_of: NaiveDate) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            as_of,
            end: Utc.from_utc_datetime(&as_of.and_hms_opt(0, 0, 0).expect("midnight")),
            names: BTreeSet::new(),
            domains: BTreeSet::new(),
            company_ids: BTreeSet::new(),
            tenant_ids: BTreeSet::new(),
            companies: Vec::new(),
            contacts: Vec::new(),
            tenants: Vec::new(),
            truth: Vec::new(),
            domain_customers: Vec::new(),
            overrides: BTreeMap::new(),
            orphans: Vec::new(),
        }
    }

    /// The paying customers' plans, shuffled: fixed shares (with at least one of each rare
    /// kind once there are ten customers), the rest matched by domain.
    fn plans(&mut self, customers: usize) -> Vec<Plan> {
        let share = |p: f64, min: usize| ((customers as f64 * p).round() as usize).max(min);
        let rare = usize::from(customers >= 10);
        let mut plans = Vec::with_capacity(customers);
        for (plan, n) in [
            (Plan::EmailDomain, share(0.15, rare)),
            (Plan::Name, share(0.13, rare)),
            (Plan::AmbiguousName, share(0.02, rare)),
            (Plan::OverrideById, share(0.02, rare)),
            (Plan::OverrideByDomain, share(0.01, rare)),
            (Plan::NoTenant, share(0.04, rare)),
        ] {
            let room = customers - plans.len();
            plans.extend(std::iter::repeat_n(plan, n.min(room)));
        }
        plans.resize(customers, Plan::Domain);
        plans.shuffle(&mut self.rng);
        plans
    }

    /// A practice whose normalised name and domain root are not used yet. Past about two
    /// thousand practices the name lists run out: after [`NAME_ATTEMPTS`] collisions in a
    /// row the name gets its city, then a number (`Bright Smiles Dental Austin 2`), so any
    /// size of book can be generated (books small enough never to get there are unchanged).
    fn new_practice(&mut self) -> Practice {
        for _ in 0..NAME_ATTEMPTS {
            let p = names::practice(&mut self.rng);
            if self.names.insert(normalize_name(&p.base)) {
                return p;
            }
        }
        let p = names::practice(&mut self.rng);
        for n in 1u32.. {
            let base = match n {
                1 => format!("{} {}", p.base, p.city.0),
                _ => format!("{} {} {n}", p.base, p.city.0),
            };
            if self.names.insert(normalize_name(&base)) {
                let root = format!(
                    "{}{}",
                    p.root,
                    base[p.base.len()..]
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                        .to_lowercase()
                );
                return Practice { base, root, ..p };
            }
        }
        unreachable!("numbered names never run out")
    }

    /// A domain for `p` not used yet (the city is added when the plain one is taken).
    fn new_domain(&mut self, p: &Practice) -> String {
        for attempt in 0.. {
            let d = names::domain(&mut self.rng, p, attempt > 0);
            if self.domains.insert(d.clone()) {
                return d;
            }
        }
        unreachable!("domains run out only after infinitely many attempts")
    }

    fn new_company_id(&mut self) -> u64 {
        loop {
            // Mixed lengths (7 to 11 digits), so ids that sort as text sort wrongly.
            let digits = [7u32, 8, 9, 10, 10, 10, 11][self.rng.random_range(0..7)];
            let id = self
                .rng
                .random_range(10u64.pow(digits - 1)..10u64.pow(digits));
            if self.company_ids.insert(id) {
                return id;
            }
        }
    }

    fn new_tenant_id(&mut self) -> u64 {
        loop {
            let digits = [3u32, 4, 4, 5, 5][self.rng.random_range(0..5)];
            let id = self
                .rng
                .random_range(10u64.pow(digits - 1)..10u64.pow(digits));
            if self.tenant_ids.insert(id) {
                return id;
            }
        }
    }

    /// A moment between `days_back_max` and `days_back_min` days before as-of.
    fn moment(&mut self, days_back_min: i64, days_back_max: i64) -> DateTime<Utc> {
        let secs = self
            .rng
            .random_range(days_back_min * 86_400..days_back_max * 86_400);
        self.end - Duration::seconds(secs) + Duration::milliseconds(self.rng.random_range(0..1000))
    }

    fn add_tenant(
        &mut self,
        name: String,
        website: Option<String>,
        domain: Option<String>,
        activity: Activity,
    ) -> u64 {
        let tenant_id = self.new_tenant_id();
        self.tenants.push(TenantDraft {
            tenant: Tenant {
                tenant_id,
                tenant_name: name,
                website,
                domain,
            },
            activity,
        });
        tenant_id
    }

    /// A tenant reachable through `domain`: its `domain`, its `website`, or both.
    fn tenant_at(&mut self, p: &Practice, domain: &str, activity: Activity) -> u64 {
        let name = names::spell(&mut self.rng, &p.base, 0.4, true);
        let (website, dom) = match self.rng.random_range(0..100) {
            0..=49 => (None, Some(domain.to_owned())),
            50..=84 => (Some(names::website(&mut self.rng, domain)), None),
            _ => (
                Some(names::website(&mut self.rng, domain)),
                Some(domain.to_owned()),
            ),
        };
        self.add_tenant(name, website, dom, activity)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_company(
        &mut self,
        p: &Practice,
        name: String,
        domain: Option<String>,
        stage: &str,
        kind: CompanyKind,
        link: Link,
        tenant_ids: Vec<u64>,
    ) -> u64 {
        let id = self.new_company_id();
        let created = self.moment(20, 4 * 365);
        let mut props = BTreeMap::new();
        let mut set = |k: &str, v: Option<String>| {
            props.insert(k.to_owned(), v);
        };
        set("name", Some(name.clone()));
        set(
            "domain",
            domain
                .as_deref()
                .map(|d| names::company_domain_spelling(&mut self.rng, d)),
        );
        set("city", Some(p.city.0.to_owned()));
        set("state", Some(p.city.1.to_owned()));
        set("lifecyclestage", Some(stage.to_owned()));
        set("hs_object_id", Some(id.to_string()));
        if matches!(kind, CompanyKind::Customer | CompanyKind::Churned) {
            let status = match kind {
                CompanyKind::Churned => Some("churned"),
                _ => match self.rng.random_range(0..100) {
                    0..=87 => Some("active"),
                    88..=91 => Some("onboarding"),
                    _ => None,
                },
            };
            set("customer_status", status.map(str::to_owned));
            let flag = self.rng.random_bool(0.6).then(|| "false".to_owned());
            set("is_internal_test", flag);
        }
        let since_created = (self.end - created).num_seconds().max(1);
        let updated = created + Duration::seconds(self.rng.random_range(0..since_created));
        self.companies.push(CompanyDraft {
            id,
            created,
            updated,
            props,
        });
        self.truth.push(CompanyTruth {
            company_id: id.to_string(),
            name,
            kind,
            link,
            tenant_ids,
            inactive: false,
        });
        id
    }

    /// `n` contacts of a company; `practice_share` of them (and the first when `first_at_practice`)
    /// write from the practice's domain, the others from gmail, yahoo and the like.
    fn add_contacts(
        &mut self,
        company: u64,
        n: usize,
        stage: &str,
        domain: Option<&str>,
        practice_share: f64,
        first_at_practice: bool,
    ) {
        for i in 0..n {
            let (first, last) = names::person(&mut self.rng);
            let at_practice = domain.is_some()
                && ((first_at_practice && i == 0) || self.rng.random_bool(practice_share));
            let email = match domain {
                Some(d) if at_practice => names::practice_email(&mut self.rng, first, last, d),
                _ => names::generic_email(&mut self.rng, first, last),
            };
            self.push_contact(first, last, email, stage, vec![company]);
        }
    }

    fn push_contact(
        &mut self,
        first: &str,
        last: &str,
        email: String,
        stage: &str,
        companies: Vec<u64>,
    ) -> usize {
        let created = self.moment(1, 4 * 365);
        let mut props = BTreeMap::new();
        props.insert("email".to_owned(), Some(email));
        props.insert("firstname".to_owned(), Some(first.to_owned()));
        props.insert("lastname".to_owned(), Some(last.to_owned()));
        props.insert("lifecyclestage".to_owned(), Some(stage.to_owned()));
        self.contacts.push(ContactDraft {
            created,
            props,
            companies,
        });
        self.contacts.len() - 1
    }

    fn contact_count(&mut self) -> usize {
        match self.rng.random_range(0..100) {
            0..=39 => 1,
            40..=74 => 2,
            75..=89 => 3,
            _ => 4,
        }
    }

    fn customer(&mut self, plan: Plan) {
        let p = self.new_practice();
        let company_name = names::spell(&mut self.rng, &p.base, 0.55, false);
        let n = self.contact_count();
        let stage = "customer";
        let kind = CompanyKind::Customer;
        match plan {
            Plan::Domain => {
                let d = self.new_domain(&p);
                let t = self.tenant_at(&p, &d, Activity::Normal);
                let c = self.add_company(
                    &p,
                    company_name,
                    Some(d.clone()),
                    stage,
                    kind,
                    Link::Domain,
                    vec![t],
                );
                self.add_contacts(c, n, stage, Some(&d), 0.55, false);
                self.domain_customers.push((c, t));
            }
            Plan::EmailDomain => {
                let d = self.new_domain(&p);
                let t = self.tenant_at(&p, &d, Activity::Normal);
                let c = self.add_company(
                    &p,
                    company_name,
                    None,
                    stage,
                    kind,
                    Link::EmailDomain,
                    vec![t],
                );
                self.add_contacts(c, n, stage, Some(&d), 0.5, true);
            }
            Plan::Name => {
                // Either the company has a domain the tenant never gave, or neither has one;
                // the contacts' addresses say nothing either way.
                let company_domain = self.rng.random_bool(0.3).then(|| self.new_domain(&p));
                let tenant_name = names::spell(&mut self.rng, &p.base, 0.6, true);
                let t = self.add_tenant(tenant_name, None, None, Activity::Normal);
                let c = self.add_company(
                    &p,
                    company_name,
                    company_domain.clone(),
                    stage,
                    kind,
                    Link::Name,
                    vec![t],
                );
                self.add_contacts(c, n, stage, company_domain.as_deref(), 0.4, false);
            }
            Plan::AmbiguousName => {
                // Two practices of the same name in different cities; one gave Yobi a
                // domain the company never had.
                let first = names::spell(&mut self.rng, &p.base, 0.5, true);
                let a = self.add_tenant(first, None, None, Activity::Normal);
                let elsewhere = Practice {
                    city: names::CITIES[(names::CITIES
                        .iter()
                        .position(|c| *c == p.city)
                        .unwrap_or(0)
                        + 1)
                        % names::CITIES.len()],
                    ..p.clone()
                };
                let d = self.new_domain(&elsewhere);
                let second = names::spell(&mut self.rng, &p.base, 0.5, true);
                let website = Some(names::website(&mut self.rng, &d));
                let b = self.add_tenant(second, website, None, Activity::Normal);
                let mut candidates = vec![a, b];
                candidates.sort_unstable();
                let c = self.add_company(
                    &p,
                    company_name,
                    None,
                    stage,
                    kind,
                    Link::AmbiguousName,
                    candidates,
                );
                self.add_contacts(c, n, stage, None, 0.0, false);
            }
            Plan::OverrideById | Plan::OverrideByDomain => {
                // Yobi knows the practice by another name (and domain) than HubSpot does.
                let other = self.new_practice();
                let d = self.new_domain(&other);
                let t = self.tenant_at(&other, &d, Activity::Normal);
                let company_domain = (plan == Plan::OverrideByDomain).then(|| self.new_domain(&p));
                let c = self.add_company(
                    &p,
                    company_name,
                    company_domain.clone(),
                    stage,
                    kind,
                    Link::Override,
                    vec![t],
                );
                self.add_contacts(c, n, stage, None, 0.0, false);
                let key = company_domain.unwrap_or_else(|| c.to_string());
                self.overrides.insert(key, t);
            }
            Plan::NoTenant => {
                let d = self.rng.random_bool(0.7).then(|| self.new_domain(&p));
                let c =
                    self.add_company(&p, company_name, d.clone(), stage, kind, Link::None, vec![]);
                self.add_contacts(c, n, stage, d.as_deref(), 0.5, false);
            }
        }
    }

    fn internal_test(&mut self, i: usize) {
        let p = Practice {
            base: format!("Yobi Internal Test Practice {}", i + 1),
            root: format!("yobitestpractice{}", i + 1),
            city: names::CITIES[0],
        };
        self.names.insert(normalize_name(&p.base));
        let d = self.new_domain(&p);
        let tenant_name = format!("YOBI TEST PRACTICE {} (do not bill)", i + 1);
        let t = self.add_tenant(tenant_name, None, Some(d.clone()), Activity::InternalTest);
        let c = self.add_company(
            &p,
            p.base.clone(),
            Some(d),
            "customer",
            CompanyKind::InternalTest,
            Link::Domain,
            vec![t],
        );
        let at = self.companies.len() - 1;
        self.companies[at]
            .props
            .insert("is_internal_test".into(), Some("true".into()));
        self.companies[at]
            .props
            .insert("customer_status".into(), Some("active".into()));
        for n in 0..2 {
            let email = format!("qa+practice{}-{}@{INTERNAL_DOMAIN}", i + 1, n + 1);
            self.push_contact("QA", "Yobi", email, "customer", vec![c]);
        }
    }

    fn churned(&mut self) {
        let p = self.new_practice();
        let name = names::spell(&mut self.rng, &p.base, 0.55, false);
        let d = self.new_domain(&p);
        let t = self.tenant_at(&p, &d, Activity::Churned);
        let c = self.add_company(
            &p,
            name,
            Some(d.clone()),
            "customer",
            CompanyKind::Churned,
            Link::Domain,
            vec![t],
        );
        let n = self.contact_count();
        self.add_contacts(c, n, "customer", Some(&d), 0.5, false);
    }

    fn prospect(&mut self) {
        let p = self.new_practice();
        let name = names::spell(&mut self.rng, &p.base, 0.4, false);
        let d = self.new_domain(&p);
        let stage = if self.rng.random_bool(0.6) {
            "lead"
        } else {
            "opportunity"
        };
        // A third are trying Yobi: a tenant that matches, but no customer to rank.
        let trial = self.rng.random_bool(0.35);
        let tenants = if trial {
            vec![self.tenant_at(&p, &d, Activity::Normal)]
        } else {
            vec![]
        };
        let link = if trial { Link::Domain } else { Link::None };
        let c = self.add_company(
            &p,
            name,
            Some(d.clone()),
            stage,
            CompanyKind::Prospect,
            link,
            tenants,
        );
        for _ in 0..self.rng.random_range(1..=2) {
            let stage = names::pick(&mut self.rng, PROSPECT_STAGES);
            self.add_contacts(c, 1, stage, Some(&d), 0.6, false);
        }
    }

    fn self_serve_tenant(&mut self) {
        let p = self.new_practice();
        let name = names::spell(&mut self.rng, &p.base, 0.4, true);
        let activity = if self.rng.random_bool(0.8) {
            Activity::Normal
        } else {
            Activity::Inactive
        };
        if self.rng.random_bool(0.5) {
            let d = self.new_domain(&p);
            self.tenant_at(&p, &d, activity);
        } else {
            self.add_tenant(name, None, None, activity);
        }
    }

    /// Customer contacts that belong to no company (a form fill marked customer by hand).
    fn orphan_contacts(&mut self, n: usize) {
        for _ in 0..n {
            let (first, last) = names::person(&mut self.rng);
            let email = names::generic_email(&mut self.rng, first, last);
            let at = self.push_contact(first, last, email, "customer", vec![]);
            self.orphans.push(at);
        }
    }

    /// Office managers of two practices: a customer contact of one domain-matched customer
    /// also associated with another (so one contact leads to two companies). Only between
    /// domain-matched companies, where a shared address cannot change the mapping.
    fn shared_contacts(&mut self, n: usize) {
        let pairs = self.domain_customers.len() / 2;
        for k in 0..n.min(pairs) {
            let (a, _) = self.domain_customers[2 * k];
            let (b, _) = self.domain_customers[2 * k + 1];
            if let Some(contact) = self.contacts.iter_mut().find(|c| c.companies == [a]) {
                contact.companies.push(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scored_week_is_the_last_complete_one() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        // Sunday as-of: the week that ended the day before.
        assert_eq!(scored_week_start(d(3, 30)), d(3, 23));
        // Saturday as-of: that week is not over yet.
        assert_eq!(scored_week_start(d(3, 29)), d(3, 16));
        assert_eq!(scored_week_start(d(3, 24)), d(3, 16));
        assert_eq!(scored_week_start(d(3, 23)).weekday(), chrono::Weekday::Sun);
    }
}
