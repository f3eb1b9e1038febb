//! The generated book: deterministic per seed, and it has the traits the ranker must cope
//! with (ENGAGEMENT-RANKER.md §2–§5), tied together the way its truth says.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use ranker_book::{
    email_domain, generate, normalize_domain, normalize_name, Book, CompanyKind, Link,
    GENERIC_EMAIL_DOMAINS,
};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
}

#[test]
fn one_seed_gives_one_book_and_another_seed_another() {
    let a = generate(200, 11, as_of());
    let b = generate(200, 11, as_of());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_vec(&a.hubspot).unwrap(),
        serde_json::to_vec(&b.hubspot).unwrap()
    );
    assert_eq!(
        serde_json::to_vec(&a.yobi).unwrap(),
        serde_json::to_vec(&b.yobi).unwrap()
    );
    let c = generate(200, 12, as_of());
    assert_ne!(a.hubspot.companies, c.hubspot.companies);
    assert_ne!(a.yobi.daily, c.yobi.daily);
}

#[test]
fn fixtures_survive_a_file_round_trip() {
    let book = generate(150, 3, as_of());
    let dir = std::env::temp_dir();
    let hs = dir.join(format!("ranker-book-hs-{}.json", std::process::id()));
    let yb = dir.join(format!("ranker-book-yobi-{}.json", std::process::id()));
    book.hubspot.to_file(&hs).unwrap();
    book.yobi.to_file(&yb).unwrap();
    assert_eq!(
        ranker_book::HubSpotFixture::from_file(&hs).unwrap(),
        book.hubspot
    );
    assert_eq!(ranker_book::YobiFixture::from_file(&yb).unwrap(), book.yobi);
    std::fs::remove_file(hs).unwrap();
    std::fs::remove_file(yb).unwrap();
}

#[test]
fn the_book_has_the_promised_population() {
    for (n, seed) in [(150, 1), (200, 2), (250, 3)] {
        let book = generate(n, seed, as_of());
        let kinds = count_by(&book, |t| t.kind);
        assert_eq!(kinds[&CompanyKind::Customer], n);
        assert!(kinds[&CompanyKind::InternalTest] >= 1);
        assert!(kinds[&CompanyKind::Churned] >= 1);
        assert!(kinds[&CompanyKind::Prospect] >= n / 10);
        let links = count_by(&book, |t| t.link);
        for link in [
            Link::Domain,
            Link::EmailDomain,
            Link::Name,
            Link::AmbiguousName,
            Link::Override,
            Link::None,
        ] {
            assert!(
                links.get(&link).copied().unwrap_or(0) > 0,
                "{n}/{seed}: no {link:?}"
            );
        }
        assert!(book.yobi.tenants.len() > n * 9 / 10);
        assert!(!book.truth.tenants_without_company.is_empty());
        assert!(!book.truth.orphan_customer_contacts.is_empty());
        assert!(book.truth.suggested_overrides.len() >= 2);
        assert!(book.truth.full_tie.is_some() && book.truth.score_tie.is_some());
        assert_eq!(book.hubspot.companies.len(), book.truth.companies.len());
    }
}

#[test]
fn names_domains_and_addresses_are_realistically_messy() {
    let book = generate(200, 5, as_of());
    let customers: Vec<_> = customer_companies(&book).collect();
    let missing_domain = customers
        .iter()
        .filter(|c| c.property("domain").is_none())
        .count();
    assert!(
        missing_domain >= 20,
        "{missing_domain} customers without a domain"
    );
    let names: Vec<&str> = book
        .hubspot
        .companies
        .iter()
        .filter_map(|c| c.property("name"))
        .chain(book.yobi.tenants.iter().map(|t| t.tenant_name.as_str()))
        .collect();
    for suffix in ["DDS", "PLLC", "Inc.", "LLC", "DMD"] {
        assert!(
            names.iter().any(|n| n.contains(suffix)),
            "no name with {suffix}"
        );
    }
    assert!(names
        .iter()
        .any(|n| *n == n.to_uppercase() && n.chars().any(char::is_alphabetic)));
    let customer_emails: Vec<String> = customer_contacts(&book)
        .filter_map(|c| c.property("email").map(str::to_owned))
        .collect();
    let generic = customer_emails.iter().filter(|e| is_generic(e)).count();
    assert!(
        generic > customer_emails.len() / 5,
        "{generic} of {}",
        customer_emails.len()
    );
    assert!(customer_emails.iter().any(|e| e.contains("gmail.com")));
    assert!(customer_emails.iter().any(|e| e.contains("yahoo.com")));
    assert!(customer_emails.len() - generic > customer_emails.len() / 4);
    let domains: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.property("domain"))
        .collect();
    assert!(domains.iter().any(|d| d.starts_with("www.")));
    assert!(domains
        .iter()
        .any(|d| d.starts_with("https://") || d.contains('/')));
    let websites: Vec<&str> = book
        .yobi
        .tenants
        .iter()
        .filter_map(|t| t.website.as_deref())
        .collect();
    assert!(websites.iter().any(|w| w.contains("://")));
    assert!(book
        .yobi
        .tenants
        .iter()
        .any(|t| t.website.is_none() && t.domain.is_none()));
}

#[test]
fn each_company_resolves_as_its_truth_says() {
    for seed in [1, 2, 3, 4] {
        let book = generate(220, seed, as_of());
        let contacts = contacts_by_company(&book);
        for truth in &book.truth.companies {
            if truth.kind == CompanyKind::Prospect {
                continue;
            }
            let company = book.hubspot.company(&truth.company_id).unwrap();
            let emails = contacts
                .get(truth.company_id.as_str())
                .cloned()
                .unwrap_or_default();
            let (link, found) = resolve(&book, company, &emails);
            let expected_link = if truth.link == Link::Override {
                Link::None
            } else {
                truth.link
            };
            assert_eq!(link, expected_link, "seed {seed}: {truth:?}");
            if truth.link != Link::Override {
                assert_eq!(found, truth.tenant_ids, "seed {seed}: {truth:?}");
            }
        }
    }
}

#[test]
fn overrides_point_from_a_company_id_or_domain_to_a_tenant() {
    let book = generate(200, 8, as_of());
    let by_domain = book
        .truth
        .suggested_overrides
        .keys()
        .filter(|k| k.contains('.'))
        .count();
    assert!(by_domain >= 1);
    for (key, tenant) in &book.truth.suggested_overrides {
        assert!(book.yobi.tenant(*tenant).is_some());
        let company = book
            .hubspot
            .companies
            .iter()
            .find(|c| {
                &c.id == key
                    || c.property("domain").and_then(normalize_domain).as_ref() == Some(key)
            })
            .expect("an override names an existing company");
        let truth = book
            .truth
            .companies
            .iter()
            .find(|t| t.company_id == company.id)
            .unwrap();
        assert_eq!(
            (truth.link, truth.tenant_ids.as_slice()),
            (Link::Override, &[*tenant][..])
        );
    }
}

#[test]
fn excluded_companies_carry_their_flags() {
    let book = generate(200, 9, as_of());
    for truth in &book.truth.companies {
        let c = book.hubspot.company(&truth.company_id).unwrap();
        match truth.kind {
            CompanyKind::InternalTest => assert_eq!(c.property("is_internal_test"), Some("true")),
            CompanyKind::Churned => assert_eq!(c.property("customer_status"), Some("churned")),
            CompanyKind::Customer => {
                assert_ne!(c.property("is_internal_test"), Some("true"));
                assert_ne!(c.property("customer_status"), Some("churned"));
                assert_eq!(c.property("lifecyclestage"), Some("customer"));
            }
            CompanyKind::Prospect => assert_ne!(c.property("lifecyclestage"), Some("customer")),
        }
    }
    let internal = book
        .truth
        .companies
        .iter()
        .find(|t| t.kind == CompanyKind::InternalTest)
        .unwrap();
    let busiest = week_totals(&book)
        .into_iter()
        .max_by_key(|(_, m)| score(m))
        .map(|(t, _)| t);
    assert_eq!(
        busiest,
        internal.tenant_ids.first().copied(),
        "the test practice would top the ranking"
    );
}

#[test]
fn customer_contacts_lead_to_every_customer_company() {
    let book = generate(200, 10, as_of());
    let contacts = contacts_by_company(&book);
    for c in customer_companies(&book) {
        assert!(
            contacts.contains_key(c.id.as_str()),
            "{} has no customer contact",
            c.id
        );
    }
    let ids: BTreeSet<&str> = book
        .hubspot
        .contacts
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let companies: BTreeSet<&str> = book
        .hubspot
        .companies
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for a in &book.hubspot.associations {
        assert!(ids.contains(a.from.as_str()) && companies.contains(a.to.as_str()));
        assert!([1, 279].contains(&a.type_id));
    }
    let several = book
        .hubspot
        .contacts
        .iter()
        .filter(|c| {
            book.hubspot
                .associations
                .iter()
                .filter(|a| a.from == c.id && a.type_id == 279)
                .count()
                > 1
        })
        .count();
    assert!(several >= 1, "some contacts belong to two practices");
    // Contact ids grow with creation, company ids have mixed lengths.
    let created: Vec<(u64, &str)> = book
        .hubspot
        .contacts
        .iter()
        .map(|c| (c.id.parse().unwrap(), c.created_at.as_deref().unwrap()))
        .collect();
    assert!(created
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
    let lengths: BTreeSet<usize> = book.hubspot.companies.iter().map(|c| c.id.len()).collect();
    assert!(lengths.len() >= 3, "{lengths:?}");
}

#[test]
fn last_weeks_values_are_present_unparsable_or_missing() {
    let book = generate(200, 6, as_of());
    let ranks: Vec<Option<&str>> = customer_companies(&book)
        .map(|c| c.property("customer_engagement_rank"))
        .collect();
    let parsed = ranks
        .iter()
        .flatten()
        .filter(|r| parse_rank(r).is_some())
        .count();
    let junk = ranks
        .iter()
        .flatten()
        .filter(|r| parse_rank(r).is_none())
        .count();
    let missing = ranks.iter().filter(|r| r.is_none()).count();
    assert!(
        parsed > 100 && junk >= 2 && missing >= 20,
        "{parsed} {junk} {missing}"
    );
    for c in customer_companies(&book) {
        if let Some(tier) = c.property("customer_engagement_tier") {
            assert!(["Top 30%", "Middle 40%", "Bottom 30%"].contains(&tier));
        }
    }
}

#[test]
fn usage_has_daily_buckets_staff_work_idle_tenants_and_ties() {
    let book = generate(200, 4, as_of());
    let first = as_of() - Duration::days(59);
    for r in &book.yobi.daily {
        assert!(r.date >= first && r.date <= as_of(), "{r:?}");
        assert!(
            r.calls + r.tasks_created + r.appointments > 0,
            "empty days have no bucket"
        );
        assert!(r.new_patient_appointments <= r.appointments);
        let staff_calls: u32 = r.by_user.iter().map(|u| u.calls).sum();
        let staff_tasks: u32 = r.by_user.iter().map(|u| u.tasks_created).sum();
        assert!(staff_calls <= r.calls && staff_tasks <= r.tasks_created);
        assert!(r.by_user.iter().all(|u| u.email.ends_with("@yib.io")));
        assert!(book.yobi.tenant(r.tenant_id).is_some());
    }
    let staffed: BTreeSet<u64> = book
        .yobi
        .daily
        .iter()
        .filter(|r| !r.by_user.is_empty())
        .map(|r| r.tenant_id)
        .collect();
    assert!(staffed.len() >= 5, "{staffed:?}");
    // Some days without a bucket inside the generated range (quiet Sundays, idle tenants).
    let mut keys = BTreeSet::new();
    for r in &book.yobi.daily {
        assert!(
            keys.insert((r.tenant_id, r.date)),
            "one bucket per tenant and day"
        );
    }
    let idle: Vec<_> = book
        .truth
        .companies
        .iter()
        .filter(|t| t.inactive && t.kind == CompanyKind::Customer)
        .collect();
    assert!(!idle.is_empty());
    for t in idle {
        let calls: u32 = book
            .yobi
            .daily
            .iter()
            .filter(|r| r.tenant_id == t.tenant_ids[0] && (as_of() - r.date).num_days() <= 30)
            .map(|r| r.calls)
            .sum();
        assert_eq!(calls, 0);
    }
    let totals = week_totals(&book);
    let tenant_of = |company: &str| {
        book.truth
            .companies
            .iter()
            .find(|t| t.company_id == company)
            .unwrap()
            .tenant_ids[0]
    };
    let (a, b) = book.truth.full_tie.clone().unwrap();
    assert_eq!(totals[&tenant_of(&a)], totals[&tenant_of(&b)]);
    let (c, d) = book.truth.score_tie.clone().unwrap();
    let (mc, md) = (totals[&tenant_of(&c)], totals[&tenant_of(&d)]);
    assert_eq!(score(&mc), score(&md));
    assert!(mc[0] > md[0], "{mc:?} {md:?}");
    assert_eq!(book.truth.scored_week_start.weekday(), chrono::Weekday::Sun);
}

// --- helpers ---------------------------------------------------------------------------

fn count_by<K: Ord>(
    book: &Book,
    key: impl Fn(&ranker_book::CompanyTruth) -> K,
) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for t in &book.truth.companies {
        *m.entry(key(t)).or_default() += 1;
    }
    m
}

fn customer_companies(book: &Book) -> impl Iterator<Item = &ranker_book::CrmObject> {
    book.truth
        .companies
        .iter()
        .filter(|t| t.kind == CompanyKind::Customer)
        .map(|t| book.hubspot.company(&t.company_id).unwrap())
}

fn customer_contacts(book: &Book) -> impl Iterator<Item = &ranker_book::CrmObject> {
    book.hubspot
        .contacts
        .iter()
        .filter(|c| c.property("lifecyclestage") == Some("customer"))
}

/// Company id → its customer contacts' emails.
fn contacts_by_company(book: &Book) -> BTreeMap<&str, Vec<&str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in book
        .hubspot
        .associations
        .iter()
        .filter(|a| a.type_id == 279)
    {
        let contact = book.hubspot.contact(&a.from).unwrap();
        if contact.property("lifecyclestage") == Some("customer") {
            m.entry(a.to.as_str())
                .or_default()
                .push(contact.property("email").unwrap());
        }
    }
    m
}

fn is_generic(email: &str) -> bool {
    email_domain(email).is_some_and(|d| GENERIC_EMAIL_DOMAINS.contains(&d.as_str()))
}

/// §3's steps without overrides: the first step with a hit, and its tenants (sorted).
fn resolve(book: &Book, company: &ranker_book::CrmObject, emails: &[&str]) -> (Link, Vec<u64>) {
    let tenant_domains = |t: &ranker_book::Tenant| -> BTreeSet<String> {
        [t.domain.as_deref(), t.website.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(normalize_domain)
            .collect()
    };
    let by_domain = |d: &str| -> Vec<u64> {
        book.yobi
            .tenants
            .iter()
            .filter(|t| tenant_domains(t).contains(d))
            .map(|t| t.tenant_id)
            .collect()
    };
    if let Some(d) = company.property("domain").and_then(normalize_domain) {
        let hits = by_domain(&d);
        if !hits.is_empty() {
            return (Link::Domain, hits);
        }
    }
    let mut hits: Vec<u64> = emails
        .iter()
        .filter(|e| !is_generic(e))
        .filter_map(|e| email_domain(e))
        .flat_map(|d| by_domain(&d))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !hits.is_empty() {
        return (Link::EmailDomain, hits);
    }
    let name = normalize_name(company.property("name").unwrap());
    hits = book
        .yobi
        .tenants
        .iter()
        .filter(|t| normalize_name(&t.tenant_name) == name)
        .map(|t| t.tenant_id)
        .collect();
    hits.sort_unstable();
    match hits.len() {
        0 => (Link::None, hits),
        1 => (Link::Name, hits),
        _ => (Link::AmbiguousName, hits),
    }
}

/// Tenant → [new patient appointments, appointments, tasks, calls] in the scored week.
fn week_totals(book: &Book) -> BTreeMap<u64, [u32; 4]> {
    let start = book.truth.scored_week_start;
    let mut m: BTreeMap<u64, [u32; 4]> = BTreeMap::new();
    for t in &book.yobi.tenants {
        m.insert(t.tenant_id, [0; 4]);
    }
    for r in book
        .yobi
        .daily
        .iter()
        .filter(|r| r.date >= start && r.date < start + Duration::days(7))
    {
        let e = m.get_mut(&r.tenant_id).unwrap();
        e[0] += r.new_patient_appointments;
        e[1] += r.appointments;
        e[2] += r.tasks_created;
        e[3] += r.calls;
    }
    m
}

fn score(m: &[u32; 4]) -> u32 {
    4 * m[0] + 3 * m[1] + 2 * m[2] + m[3]
}

fn parse_rank(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once(" out of ")?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// Ten times the realistic size (the ranker's design target) outgrows the name lists: the
/// generator must still finish, with every practice name distinct once normalised.
#[test]
fn a_book_of_2500_customers_has_distinct_names() {
    let book = generate(2500, 42, as_of());
    let customers = book
        .truth
        .companies
        .iter()
        .filter(|c| c.kind == CompanyKind::Customer)
        .count();
    assert_eq!(customers, 2500);
    let names: BTreeSet<String> = book
        .yobi
        .tenants
        .iter()
        .map(|t| normalize_name(&t.tenant_name))
        .collect();
    // Ambiguous names are two tenants on purpose; every other tenant name is its own.
    let ambiguous = book
        .truth
        .companies
        .iter()
        .filter(|c| c.link == Link::AmbiguousName)
        .count();
    assert_eq!(names.len() + ambiguous, book.yobi.tenants.len());
}
