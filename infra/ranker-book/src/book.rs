//! A generated book: what each simulator serves, and how the generator meant it to fit.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hubspot::HubSpotFixture;
use crate::yobi::YobiFixture;

/// One seed's consistent book of customers across HubSpot and Yobi.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// The day the generated history ends (America/New_York); usage runs up to it, the last
    /// day partly.
    pub as_of: NaiveDate,
    pub hubspot: HubSpotFixture,
    pub yobi: YobiFixture,
    pub truth: BookTruth,
}

/// How the generator built the book: for tests and benchmarks, never served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookTruth {
    /// The Sunday starting the last complete week before a run early on as-of (§1).
    pub scored_week_start: NaiveDate,
    /// Every HubSpot company, in fixture order.
    pub companies: Vec<CompanyTruth>,
    /// Tenants no HubSpot company was made for (self-serve practices).
    pub tenants_without_company: Vec<u64>,
    /// What `TENANT_MAPPING_OVERRIDES_JSON` would hold for the companies that only an
    /// override maps (keys: company id or domain).
    pub suggested_overrides: BTreeMap<String, u64>,
    /// Email domains of Yobi's own staff; their calls and tasks appear in `by_user`.
    pub internal_user_domains: Vec<String>,
    /// Customer contacts with no company.
    pub orphan_customer_contacts: Vec<String>,
    /// Two customer companies whose tenants have identical daily counts (every metric ties;
    /// the company id decides).
    pub full_tie: Option<(String, String)>,
    /// Two customer companies whose tenants have the same score in the scored week from
    /// different counts (the first has more new-patient appointments).
    pub score_tie: Option<(String, String)>,
}

/// One HubSpot company and the tenant(s) the generator tied it to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyTruth {
    pub company_id: String,
    pub name: String,
    pub kind: CompanyKind,
    pub link: Link,
    /// The tenant (or, for [`Link::AmbiguousName`], the candidates, lowest id first).
    pub tenant_ids: Vec<u64>,
    /// Its tenant has no calls in the 30 days before as-of.
    pub inactive: bool,
}

/// What a company is in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    /// A paying practice (`lifecyclestage = customer` contacts).
    Customer,
    /// `customer_status = churned`, still with customer contacts.
    Churned,
    /// `is_internal_test = true`: Yobi's own test practices.
    InternalTest,
    /// Not a customer (lead or opportunity contacts only).
    Prospect,
}

/// How a company's tenant can be found under §3's rules (the first step that hits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The company's domain equals the tenant's domain or website.
    Domain,
    /// No company domain; a customer contact's email domain equals the tenant's.
    EmailDomain,
    /// Only the normalised names are equal.
    Name,
    /// The normalised name equals several tenants' names.
    AmbiguousName,
    /// Nothing matches; only [`BookTruth::suggested_overrides`] maps it.
    Override,
    /// No tenant.
    None,
}
