//! Identity resolution (ENGAGEMENT-RANKER.md §3): which Yobi tenant a HubSpot company is. In
//! order, the first step that hits wins: an override, the company's domain, its customer
//! contacts' email domains (generic providers left out), its normalised name. Several tenants
//! at one step: the most weekly activity, then the lowest tenant id; either way the company is
//! flagged ambiguous.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::normalize::{email_domain, normalize_domain, normalize_name};
use crate::yobi::Tenant;

/// How a company found its tenant; the confidence breakdown of `mode: spike`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    /// `TENANT_MAPPING_OVERRIDES_JSON`.
    Override,
    /// The company's `domain` equals the tenant's domain or website.
    Domain,
    /// A customer contact's email domain equals the tenant's domain or website.
    EmailDomain,
    /// The normalised names are equal: low confidence, logged.
    Name,
}

/// How several tenants at one step were narrowed to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// One had more weekly activity (the sum of the four counts) than the others.
    MostActivity,
    /// Equal activity: the lowest tenant id.
    LowestTenantId,
}

/// The outcome for one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Resolution {
    Mapped {
        tenant_id: u64,
        method: MatchMethod,
        /// Every tenant the winning step found (one unless ambiguous), ascending.
        candidates: Vec<u64>,
        /// Set when `candidates` has several.
        tie_break: Option<TieBreak>,
    },
    /// No step found a tenant: excluded this week, properties left as they are.
    Unmapped { reason: String },
}

impl Resolution {
    pub fn tenant_id(&self) -> Option<u64> {
        match self {
            Resolution::Mapped { tenant_id, .. } => Some(*tenant_id),
            Resolution::Unmapped { .. } => None,
        }
    }

    pub fn is_ambiguous(&self) -> bool {
        matches!(self, Resolution::Mapped { candidates, .. } if candidates.len() > 1)
    }
}

/// What the rules know of a company: its HubSpot id, `name`, `domain`, and the emails of its
/// customer contacts (`lifecyclestage = customer`, associated with it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyIdentity {
    pub id: String,
    pub name: Option<String>,
    pub domain: Option<String>,
    pub contact_emails: Vec<String>,
}

/// Overrides and the generic email providers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityRules {
    /// Company id → tenant id.
    pub by_company_id: BTreeMap<String, u64>,
    /// Normalised company domain → tenant id.
    pub by_domain: BTreeMap<String, u64>,
    /// Normalised email domains that say nothing about a practice (gmail.com, ...).
    pub generic_email_domains: BTreeSet<String>,
}

/// Yobi's tenants indexed by normalised domain (domain and website) and normalised name.
#[derive(Debug, Default)]
pub struct TenantIndex {
    ids: BTreeSet<u64>,
    by_domain: HashMap<String, BTreeSet<u64>>,
    by_name: HashMap<String, BTreeSet<u64>>,
}

impl TenantIndex {
    pub fn new(tenants: &[Tenant]) -> Self {
        let mut index = TenantIndex::default();
        for t in tenants {
            index.ids.insert(t.id);
            for raw in [&t.domain, &t.website].into_iter().flatten() {
                if let Some(d) = normalize_domain(raw) {
                    index.by_domain.entry(d).or_default().insert(t.id);
                }
            }
            let name = normalize_name(&t.name);
            if !name.is_empty() {
                index.by_name.entry(name).or_default().insert(t.id);
            }
        }
        index
    }
}

/// Resolves one company against `tenants`. `activity` is each tenant's weekly activity (the sum
/// of the four counts; absent → 0), used only to break ties.
pub fn resolve(
    company: &CompanyIdentity,
    rules: &IdentityRules,
    tenants: &TenantIndex,
    activity: &BTreeMap<u64, u64>,
) -> Resolution {
    let domain = company.domain.as_deref().and_then(normalize_domain);
    let over = rules.by_company_id.get(&company.id).or_else(|| {
        domain
            .as_ref()
            .and_then(|d| rules.by_domain.get(d.as_str()))
    });
    if let Some(&tenant_id) = over {
        if !tenants.ids.contains(&tenant_id) {
            return Resolution::Unmapped {
                reason: format!("the override names tenant {tenant_id}, which Yobi does not list"),
            };
        }
        return Resolution::Mapped {
            tenant_id,
            method: MatchMethod::Override,
            candidates: vec![tenant_id],
            tie_break: None,
        };
    }
    if let Some(found) = domain.as_ref().and_then(|d| tenants.by_domain.get(d)) {
        return pick(MatchMethod::Domain, found, activity);
    }
    let mut by_email = BTreeSet::new();
    for email in &company.contact_emails {
        if let Some(d) = email_domain(email) {
            if rules.generic_email_domains.contains(&d) {
                continue;
            }
            if let Some(found) = tenants.by_domain.get(&d) {
                by_email.extend(found.iter().copied());
            }
        }
    }
    if !by_email.is_empty() {
        return pick(MatchMethod::EmailDomain, &by_email, activity);
    }
    let name = company
        .name
        .as_deref()
        .map(normalize_name)
        .unwrap_or_default();
    if let Some(found) = (!name.is_empty())
        .then(|| tenants.by_name.get(&name))
        .flatten()
    {
        return pick(MatchMethod::Name, found, activity);
    }
    Resolution::Unmapped {
        reason: "no tenant matches its domain, its customer contacts' email domains or its name"
            .into(),
    }
}

fn pick(method: MatchMethod, found: &BTreeSet<u64>, activity: &BTreeMap<u64, u64>) -> Resolution {
    let candidates: Vec<u64> = found.iter().copied().collect();
    let act = |id: &u64| activity.get(id).copied().unwrap_or(0);
    let best = candidates.iter().map(act).max().unwrap_or(0);
    let top: Vec<u64> = candidates
        .iter()
        .copied()
        .filter(|id| act(id) == best)
        .collect();
    let tenant_id = top[0]; // ascending: the lowest id among the most active
    let tie_break = match (candidates.len(), top.len()) {
        (1, _) => None,
        (_, 1) => Some(TieBreak::MostActivity),
        _ => Some(TieBreak::LowestTenantId),
    };
    Resolution::Mapped {
        tenant_id,
        method,
        candidates,
        tie_break,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: u64, name: &str, domain: Option<&str>, website: Option<&str>) -> Tenant {
        Tenant {
            id,
            name: name.into(),
            domain: domain.map(Into::into),
            website: website.map(Into::into),
        }
    }

    fn tenants() -> Vec<Tenant> {
        vec![
            tenant(10, "Bright Smiles Dental", Some("brightsmiles.com"), None),
            tenant(
                11,
                "Lakeview Family Dentistry",
                None,
                Some("https://www.lakeviewfd.com/book-online"),
            ),
            tenant(12, "Maria Chen DMD", None, None),
            tenant(20, "Oak Dental", None, None),
            tenant(21, "OAK DENTAL, PLLC", None, None),
            tenant(30, "Shared Host A", Some("dentalgroup.com"), None),
            tenant(31, "Shared Host B", None, Some("http://dentalgroup.com/")),
            tenant(40, "Renamed Practice", Some("renamed.com"), None),
        ]
    }

    fn rules() -> IdentityRules {
        IdentityRules {
            by_company_id: BTreeMap::from([("900".to_string(), 40)]),
            by_domain: BTreeMap::from([
                ("oldname.com".to_string(), 40),
                ("ghost.com".to_string(), 99),
            ]),
            generic_email_domains: [
                "gmail.com",
                "yahoo.com",
                "outlook.com",
                "hotmail.com",
                "aol.com",
                "icloud.com",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        }
    }

    fn company(id: &str, name: &str, domain: Option<&str>, emails: &[&str]) -> CompanyIdentity {
        CompanyIdentity {
            id: id.into(),
            name: Some(name.into()),
            domain: domain.map(Into::into),
            contact_emails: emails.iter().map(|e| e.to_string()).collect(),
        }
    }

    fn mapped(tenant_id: u64, method: MatchMethod) -> Resolution {
        Resolution::Mapped {
            tenant_id,
            method,
            candidates: vec![tenant_id],
            tie_break: None,
        }
    }

    #[test]
    fn each_step_in_order() {
        let index = TenantIndex::new(&tenants());
        let none = BTreeMap::new();
        for (company, want) in [
            // Override by company id wins over a matching domain.
            (company("900", "Bright Smiles Dental", Some("brightsmiles.com"), &[]), mapped(40, MatchMethod::Override)),
            // Override by domain, spelled with scheme and www.
            (company("901", "Anything", Some("https://www.OldName.com/about"), &[]), mapped(40, MatchMethod::Override)),
            // Domains with scheme, www, path and capitals.
            (company("1", "X", Some("HTTPS://WWW.BrightSmiles.com/contact-us"), &[]), mapped(10, MatchMethod::Domain)),
            (company("2", "X", Some("lakeviewfd.com"), &[]), mapped(11, MatchMethod::Domain)),
            // No company domain: the contacts' email domains, generic ones skipped.
            (company("3", "X", None, &["jane@gmail.com", "desk@LakeviewFD.com"]), mapped(11, MatchMethod::EmailDomain)),
            // A company domain that matches nothing falls through to the emails.
            (company("4", "X", Some("unknown.com"), &["a@brightsmiles.com"]), mapped(10, MatchMethod::EmailDomain)),
            // Generic domains only: the name (suffix and punctuation stripped on both sides).
            (company("5", "Maria Chen, DDS, PLLC", None, &["m@gmail.com", "x@yahoo.com"]), mapped(12, MatchMethod::Name)),
            // A generic domain is never matched, even when a tenant lists it.
            (company("6", "Nothing Alike", None, &["a@icloud.com"]), Resolution::Unmapped {
                reason: "no tenant matches its domain, its customer contacts' email domains or its name".into(),
            }),
        ] {
            assert_eq!(resolve(&company, &rules(), &index, &none), want, "{}", company.id);
        }
    }

    #[test]
    fn an_override_to_an_unknown_tenant_maps_nothing() {
        let index = TenantIndex::new(&tenants());
        let r = resolve(
            &company("7", "Bright Smiles Dental", Some("ghost.com"), &[]),
            &rules(),
            &index,
            &BTreeMap::new(),
        );
        assert_eq!(
            r,
            Resolution::Unmapped {
                reason: "the override names tenant 99, which Yobi does not list".into()
            }
        );
    }

    #[test]
    fn ambiguity_goes_to_activity_then_lowest_id() {
        let index = TenantIndex::new(&tenants());
        let oak = company("8", "Oak Dental Inc.", None, &[]);
        let r = resolve(&oak, &rules(), &index, &BTreeMap::from([(20, 5), (21, 9)]));
        assert_eq!(
            r,
            Resolution::Mapped {
                tenant_id: 21,
                method: MatchMethod::Name,
                candidates: vec![20, 21],
                tie_break: Some(TieBreak::MostActivity)
            }
        );
        assert!(r.is_ambiguous());
        let r = resolve(&oak, &rules(), &index, &BTreeMap::from([(20, 9), (21, 9)]));
        assert_eq!(r.tenant_id(), Some(20));
        assert!(matches!(
            r,
            Resolution::Mapped {
                tie_break: Some(TieBreak::LowestTenantId),
                ..
            }
        ));
        // Two tenants on one domain (one by domain, one by website).
        let shared = company("9", "Whatever", Some("www.dentalgroup.com"), &[]);
        let r = resolve(&shared, &rules(), &index, &BTreeMap::new());
        assert_eq!(
            r,
            Resolution::Mapped {
                tenant_id: 30,
                method: MatchMethod::Domain,
                candidates: vec![30, 31],
                tie_break: Some(TieBreak::LowestTenantId)
            }
        );
    }

    #[test]
    fn a_domain_hit_beats_a_name_hit() {
        // The name matches tenant 12, the domain tenant 10: the domain step comes first.
        let index = TenantIndex::new(&tenants());
        let c = company("10", "Maria Chen DMD", Some("brightsmiles.com"), &[]);
        assert_eq!(
            resolve(&c, &rules(), &index, &BTreeMap::new()),
            mapped(10, MatchMethod::Domain)
        );
    }
}
