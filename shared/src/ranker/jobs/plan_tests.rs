//! The plan over a hand-made book: four customers, one churned, one without a tenant.

use super::*;
use serde_json::json;

fn company(id: &str, props: serde_json::Value) -> CrmObject {
    serde_json::from_value(json!({"id": id, "properties": props})).unwrap()
}

fn tenant(id: u64, name: &str, domain: Option<&str>) -> Tenant {
    Tenant {
        id,
        name: name.into(),
        website: None,
        domain: domain.map(Into::into),
    }
}

fn counts(new_patients: u64, appointments: u64, tasks: u64, calls: u64) -> BTreeMap<Metric, u64> {
    BTreeMap::from([
        (Metric::NewPatients, new_patients),
        (Metric::Appointments, appointments),
        (Metric::Tasks, tasks),
        (Metric::Calls, calls),
    ])
}

fn week() -> Week {
    Week::starting("2026-03-08".parse().unwrap()).unwrap()
}

fn inputs() -> Inputs {
    Inputs {
        companies: vec![
            // By domain; last week 2 out of 3.
            company(
                "101",
                json!({"name": "Bright Smiles Dental", "domain": "www.brightsmiles.com",
                "customer_engagement_rank": "2 out of 3"}),
            ),
            // By contact email; already holds this week's values.
            company(
                "102",
                json!({"name": "Lakeview FD", "customer_engagement_score": "150.0",
                "customer_engagement_rank": "1 out of 3", "customer_engagement_tier": "Top 30%"}),
            ),
            // By name (low confidence), prior rank unparsable.
            company(
                "103",
                json!({"name": "Maria Chen, DDS PLLC", "customer_engagement_rank": "#12"}),
            ),
            // Churned: excluded by flag even though it maps.
            company(
                "104",
                json!({"name": "Old Town Dental", "domain": "oldtown.com", "customer_status": "Churned"}),
            ),
            // No tenant.
            company("105", json!({"name": "Not Onboarded Yet"})),
        ],
        contact_emails: BTreeMap::from([(
            "102".to_string(),
            vec![
                "jane@gmail.com".to_string(),
                "desk@lakeviewfd.com".to_string(),
            ],
        )]),
        tenants: vec![
            tenant(1, "Bright Smiles", Some("brightsmiles.com")),
            tenant(
                2,
                "Lakeview Family Dentistry",
                Some("https://lakeviewfd.com/"),
            ),
            tenant(3, "Maria Chen DMD", None),
            tenant(4, "Old Town Dental", Some("oldtown.com")),
        ],
        weekly: BTreeMap::from([
            // 4·5 + 3·20 + 2·5 + 60 = 150
            (1, counts(5, 20, 5, 60)),
            // 4·2 + 3·30 + 2·1 + 50 = 150: ties on score, loses on new patients
            (2, counts(2, 30, 1, 50)),
            // 4·1 + 3·5 + 2·0 + 10 = 29
            (3, counts(1, 5, 0, 10)),
            (4, counts(9, 90, 9, 90)),
        ]),
        calls_30d: BTreeMap::from([(1, 200), (2, 180), (3, 12), (4, 0)]),
        definitions: Default::default(),
    }
}

#[test]
fn ranks_tiers_changes_and_anomalies() {
    let plan = plan(week(), &inputs(), &Config::default(), None).unwrap();
    assert_eq!(plan.n, 3);
    let ranked: Vec<(&str, u64, usize, Tier, Option<i64>)> = plan
        .ranked
        .iter()
        .map(|r| (r.company_id.as_str(), r.score, r.rank, r.tier, r.movement))
        .collect();
    // N = 3: k = 1, so Top, Middle, Bottom.
    assert_eq!(
        ranked,
        [
            ("101", 150, 1, Tier::Top, Some(1)),
            ("102", 150, 2, Tier::Middle, Some(-1)),
            ("103", 29, 3, Tier::Bottom, None),
        ]
    );
    let methods: Vec<MatchMethod> = plan.ranked.iter().map(|r| r.method).collect();
    assert_eq!(
        methods,
        [
            MatchMethod::Domain,
            MatchMethod::EmailDomain,
            MatchMethod::Name
        ]
    );
    let changes: Vec<(&str, &str, Option<&str>, &str)> = plan
        .changes
        .iter()
        .map(|c| {
            (
                c.company_id.as_str(),
                c.property.as_str(),
                c.old.as_deref(),
                c.new.as_str(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("101", "customer_engagement_score", None, "150"),
            (
                "101",
                "customer_engagement_rank",
                Some("2 out of 3"),
                "1 out of 3"
            ),
            ("101", "customer_engagement_tier", None, "Top 30%"),
            // 102's score is unchanged ("150.0" is 150): only rank and tier.
            (
                "102",
                "customer_engagement_rank",
                Some("1 out of 3"),
                "2 out of 3"
            ),
            (
                "102",
                "customer_engagement_tier",
                Some("Top 30%"),
                "Middle 40%"
            ),
            ("103", "customer_engagement_score", None, "29"),
            ("103", "customer_engagement_rank", Some("#12"), "3 out of 3"),
            ("103", "customer_engagement_tier", None, "Bottom 30%"),
        ]
    );
    let updates = plan.updates();
    assert_eq!(updates.len(), 3);
    assert_eq!(updates[1].properties.len(), 2);
    let kinds: Vec<(&str, &str)> = plan
        .anomalies
        .iter()
        .map(|a| (a.kind, a.company_id.as_str()))
        .collect();
    assert_eq!(kinds, [("low_confidence", "103"), ("unmapped", "105")]);
    let excluded: Vec<(&str, &str)> = plan
        .excluded
        .iter()
        .map(|e| (e.company_id.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(excluded[0], ("104", "customer_status = Churned"));
    assert_eq!(excluded[1].0, "105");
}

#[test]
fn a_company_already_right_is_not_written() {
    let mut inputs = inputs();
    inputs.companies.truncate(2);
    inputs.companies[0] = company(
        "101",
        json!({"name": "B", "domain": "brightsmiles.com", "customer_engagement_score": "150",
            "customer_engagement_rank": "1 out of 2", "customer_engagement_tier": "Top 30%"}),
    );
    inputs.companies[1] = company(
        "102",
        json!({"name": "L", "domain": "lakeviewfd.com", "customer_engagement_score": "150",
            "customer_engagement_rank": "2 out of 2", "customer_engagement_tier": "Bottom 30%"}),
    );
    let plan = plan(week(), &inputs, &Config::default(), None).unwrap();
    assert_eq!(plan.changes, vec![]);
    assert_eq!(plan.unchanged, 2);
    assert_eq!(plan.ranked[1].movement, Some(0));
}

#[test]
fn a_missing_metric_stops_the_plan() {
    let mut inputs = inputs();
    inputs.weekly.get_mut(&3).unwrap().remove(&Metric::Tasks);
    match plan(week(), &inputs, &Config::default(), None) {
        Err(PlanError::MissingMetrics(m)) => {
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].company_id, "103");
            assert_eq!(m[0].detail, "tenant 3 has no tasks");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nobody_to_rank_stops_the_plan() {
    let mut inputs = inputs();
    inputs.companies.retain(|c| c.id == "104" || c.id == "105");
    assert!(matches!(
        plan(week(), &inputs, &Config::default(), None),
        Err(PlanError::NothingToRank(_))
    ));
}

#[test]
fn the_allowlist_limits_writes_not_the_ranking() {
    let allow = BTreeSet::from(["103".to_string(), "999".to_string()]);
    let plan = plan(week(), &inputs(), &Config::default(), Some(&allow)).unwrap();
    assert_eq!(plan.n, 3);
    assert!(plan.changes.iter().all(|c| c.company_id == "103"));
    assert_eq!(plan.held_back, ["101", "102"]);
    assert!(plan
        .anomalies
        .iter()
        .any(|a| a.kind == "not_ranked" && a.company_id == "999"));
}

#[test]
fn the_activity_floor_leaves_quiet_tenants_out() {
    let config = Config {
        min_calls_30d: 100,
        ..Config::default()
    };
    let plan = plan(week(), &inputs(), &config, None).unwrap();
    assert_eq!(plan.n, 2);
    assert_eq!(plan.inactive.len(), 1);
    assert_eq!(plan.inactive[0].company_id, "103");
    assert_eq!(
        plan.inactive[0].reason,
        "12 calls over the last 30 days (floor 100)"
    );
    assert_eq!(plan.ranked[1].rank_text, "2 out of 2");
}

#[test]
fn an_ambiguous_name_is_flagged() {
    let mut inputs = inputs();
    inputs.tenants.push(tenant(5, "MARIA CHEN", None));
    inputs.weekly.insert(5, counts(0, 0, 0, 1));
    let plan = plan(week(), &inputs, &Config::default(), None).unwrap();
    let a = plan
        .anomalies
        .iter()
        .find(|a| a.kind == "ambiguous")
        .unwrap();
    assert_eq!(a.company_id, "103");
    assert_eq!(
        a.detail,
        "tenants [3, 5] match by name; 3 chosen by the most weekly activity"
    );
}
