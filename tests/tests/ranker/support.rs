//! What the ranker tests share: a hand-made book of 20 customers (plus a churned, an internal
//! test, an unmapped company, a prospect and an orphan contact) whose ranks are computed by hand
//! below, the three simulators over HTTP, and the context the function would build on them.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use hubspot_sim::{Association, CrmObject, HubSpotFixture};
use secrecy::SecretString;
use serde_json::{json, Value};
use shared::hubspot::{HubSpotClient, HubSpotConfig, HubSpotToken};
use shared::notify::{SlackClient, SlackConfig, WebhookSource, WebhookUrl};
use shared::ranker::config::Config;
use shared::ranker::handlers::RankerContext;
use shared::yobi::{YobiClient, YobiConfig, YobiCredentials};
use yobi_sim::{DailyUsage, Tenant, UserActivity, YobiFixture, YobiUser};

/// Distinctive secrets, so that finding one anywhere is certainly a leak.
pub const HUBSPOT_TOKEN: &str = "pat-na1-e2e-ranker-5b1d";
pub const YOBI_EMAIL: &str = "ranker-bot@yib.io";
pub const YOBI_PASSWORD: &str = "yobi-e2e-pass-77c2";

/// Sunday 2026-03-15 06:00 EDT: the scored week is Sunday 2026-03-08 to Saturday 2026-03-14.
pub fn as_of() -> DateTime<Utc> {
    "2026-03-15T10:00:00Z".parse().unwrap()
}
pub fn today() -> NaiveDate {
    "2026-03-15".parse().unwrap()
}
fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// One customer of the book: company id, name, how it maps, tenant id, the week's
/// (new patients, appointments, tasks, calls), prior (score, rank, tier).
pub struct Customer {
    pub id: &'static str,
    pub name: &'static str,
    pub domain: Option<&'static str>,
    pub tenant: u64,
    pub tenant_name: &'static str,
    pub tenant_domain: Option<&'static str>,
    pub tenant_website: Option<&'static str>,
    pub week: (u32, u32, u32, u32),
    pub prior: [Option<&'static str>; 3],
}

const fn c(
    id: &'static str,
    name: &'static str,
    domain: Option<&'static str>,
    tenant: u64,
    tenant_name: &'static str,
    tenant_domain: Option<&'static str>,
    week: (u32, u32, u32, u32),
) -> Customer {
    Customer {
        id,
        name,
        domain,
        tenant,
        tenant_name,
        tenant_domain,
        tenant_website: None,
        week,
        prior: [None, None, None],
    }
}

/// The 20 customers. Scores `4·np + 3·appt + 2·tasks + calls`, by hand:
///
/// | rank | id | score | tier | note |
/// |---|---|---|---|---|
/// | 1 | 5001 | 280 | Top | last week 3 out of 19 (▲2) |
/// | 2 | 5002 | 272 | Top | by contact email domain |
/// | 3 | 5003 | 200 | Top | ties 5004 on score, new patients, appointments; more tasks |
/// | 4 | 5004 | 200 | Top | |
/// | 5 | 5005 | 194 | Top | already holds this week's values: not written |
/// | 6 | 999 | 146 | Top | all four counts equal to 12345's: the lower id as a number |
/// | 7 | 12345 | 146 | Middle | |
/// | 8 | 5016 | 123 | Middle | |
/// | 9 | 5009 | 118 | Middle | |
/// | 10 | 5008 | 117 | Middle | |
/// | 11 | 5015 | 87 | Middle | |
/// | 12 | 5010 | 82 | Middle | by name only (low confidence) |
/// | 13 | 5011 | 70 | Middle | 7 staff calls (yib.io) left out |
/// | 14 | 5014 | 57 | Middle | by override |
/// | 15 | 5012 | 37 | Bottom | |
/// | 16 | 5019 | 36 | Bottom | |
/// | 17 | 5017 | 30 | Bottom | ambiguous name: two tenants, the busier one |
/// | 18 | 5018 | 22 | Bottom | |
/// | 19 | 5020 | 11 | Bottom | last week "26/150": new |
/// | 20 | 5013 | 0 | Bottom | no bucket in the week; last week 1 out of 19 (▼19) |
///
/// N = 20, k = ceil(6) = 6: Top 1–6, Middle 7–14, Bottom 15–20.
pub fn customers() -> Vec<Customer> {
    let mut list = vec![
        c(
            "5001",
            "Alpha Dental",
            Some("https://www.Alpha-Dental.com/contact"),
            701,
            "Alpha Dental Group",
            Some("alpha-dental.com"),
            (10, 40, 10, 100),
        ),
        c(
            "5002",
            "Bravo Smiles",
            None,
            702,
            "Bravo Smiles",
            None,
            (8, 40, 10, 100),
        ),
        c(
            "5003",
            "Cedar Dental",
            Some("cedardental.com"),
            703,
            "Cedar",
            Some("cedardental.com"),
            (5, 30, 5, 80),
        ),
        c(
            "5004",
            "Dune Dental",
            Some("dunedental.com"),
            704,
            "Dune",
            Some("www.dunedental.com"),
            (5, 30, 4, 82),
        ),
        c(
            "5005",
            "Elm Street Dental",
            Some("elmdental.com"),
            705,
            "Elm",
            Some("elmdental.com"),
            (6, 20, 10, 90),
        ),
        c(
            "999",
            "Fir Dental",
            Some("firdental.com"),
            706,
            "Fir",
            Some("firdental.com"),
            (4, 20, 5, 60),
        ),
        c(
            "12345",
            "Grove Dental",
            Some("grovedental.com"),
            707,
            "Grove",
            Some("grovedental.com"),
            (4, 20, 5, 60),
        ),
        c(
            "5008",
            "Hazel Dental",
            Some("hazeldental.com"),
            708,
            "Hazel",
            Some("hazeldental.com"),
            (3, 15, 5, 50),
        ),
        c(
            "5009",
            "Iris Dental",
            Some("irisdental.com"),
            709,
            "Iris",
            Some("irisdental.com"),
            (2, 15, 5, 55),
        ),
        c(
            "5010",
            "Juniper Family Dentistry, PLLC",
            None,
            710,
            "JUNIPER FAMILY DENTISTRY",
            None,
            (2, 10, 2, 40),
        ),
        c(
            "5011",
            "Kale Dental",
            Some("kaledental.com"),
            711,
            "Kale",
            Some("kaledental.com"),
            (1, 10, 3, 30),
        ),
        c(
            "5012",
            "Laurel Dental",
            Some("laureldental.com"),
            712,
            "Laurel",
            Some("laureldental.com"),
            (0, 5, 1, 20),
        ),
        c(
            "5013",
            "Maple Dental",
            Some("mapledental.com"),
            713,
            "Maple",
            Some("mapledental.com"),
            (0, 0, 0, 0),
        ),
        c(
            "5014",
            "Nutmeg Dental Care",
            None,
            714,
            "Completely Different Name",
            None,
            (1, 8, 2, 25),
        ),
        c(
            "5015",
            "Oak Dental",
            Some("oakdental.com"),
            715,
            "Oak",
            Some("oakdental.com"),
            (2, 12, 4, 35),
        ),
        c(
            "5016",
            "Pine Dental",
            Some("pinedental.com"),
            716,
            "Pine",
            Some("pinedental.com"),
            (3, 18, 6, 45),
        ),
        c(
            "5017",
            "Echo Dental",
            None,
            717,
            "Echo Dental Inc.",
            None,
            (1, 4, 1, 12),
        ),
        c(
            "5018",
            "Quince Dental",
            Some("quincedental.com"),
            718,
            "Quince",
            Some("quincedental.com"),
            (0, 3, 2, 9),
        ),
        c(
            "5019",
            "Rowan Dental",
            Some("rowandental.com"),
            719,
            "Rowan",
            Some("rowandental.com"),
            (1, 6, 0, 14),
        ),
        c(
            "5020",
            "Sage Dental",
            Some("sagedental.com"),
            720,
            "Sage",
            Some("sagedental.com"),
            (0, 2, 0, 5),
        ),
    ];
    list[1].tenant_website = Some("https://bravosmiles.com/book-online");
    list[0].prior = [Some("250"), Some("3 out of 19"), Some("Top 30%")];
    list[4].prior = [Some("194"), Some("5 out of 20"), Some("Top 30%")];
    list[12].prior = [Some("300"), Some("1 out of 19"), Some("Top 30%")];
    list[19].prior = [Some("40"), Some("26/150"), Some("Middle 40%")];
    list
}

/// The expected ranking: (company id, score, rank, tier).
pub fn expected_ranking() -> Vec<(&'static str, u64, usize, &'static str)> {
    let t = |r: usize| match r {
        1..=6 => "Top 30%",
        7..=14 => "Middle 40%",
        _ => "Bottom 30%",
    };
    [
        ("5001", 280),
        ("5002", 272),
        ("5003", 200),
        ("5004", 200),
        ("5005", 194),
        ("999", 146),
        ("12345", 146),
        ("5016", 123),
        ("5009", 118),
        ("5008", 117),
        ("5015", 87),
        ("5010", 82),
        ("5011", 70),
        ("5014", 57),
        ("5012", 37),
        ("5019", 36),
        ("5017", 30),
        ("5018", 22),
        ("5020", 11),
        ("5013", 0),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (id, score))| (id, score, i + 1, t(i + 1)))
    .collect()
}

/// `TENANT_MAPPING_OVERRIDES_JSON` of the book: Nutmeg is tenant 714.
pub fn overrides() -> &'static str {
    r#"{"5014": "714"}"#
}

fn object(id: &str, props: Value) -> CrmObject {
    serde_json::from_value(json!({
        "id": id, "properties": props,
        "createdAt": "2024-01-02T03:04:05.000Z", "updatedAt": "2024-01-02T03:04:05.000Z",
        "archived": false
    }))
    .unwrap()
}

/// The book as the two simulators' fixtures.
pub fn fixtures() -> (HubSpotFixture, YobiFixture) {
    let mut hs = HubSpotFixture {
        properties: ranker_book::company_property_definitions(),
        ..HubSpotFixture::default()
    };
    let mut yobi = YobiFixture {
        users: vec![YobiUser {
            email: YOBI_EMAIL.into(),
            password: YOBI_PASSWORD.into(),
        }],
        ..YobiFixture::default()
    };
    let mut next_contact = 90_000u64;
    let mut contact = |hs: &mut HubSpotFixture, company: Option<&str>, email: &str, stage: &str| {
        next_contact += 1;
        let id = next_contact.to_string();
        hs.contacts.push(object(
            &id,
            json!({"email": email, "lifecyclestage": stage,
                "createdate": format!("2024-01-{:02}T00:00:00.000Z", 1 + next_contact % 28)}),
        ));
        if let Some(company) = company {
            hs.associations.push(Association {
                from: id,
                to: company.into(),
                type_id: 279,
            });
        }
    };
    let week_day = d("2026-03-10"); // a Tuesday in the week
    for cu in customers() {
        let mut props = json!({"name": cu.name, "domain": cu.domain, "customer_status": "active"});
        for (name, v) in [
            "customer_engagement_score",
            "customer_engagement_rank",
            "customer_engagement_tier",
        ]
        .iter()
        .zip(cu.prior)
        {
            if let Some(v) = v {
                props[name] = json!(v);
            }
        }
        hs.companies.push(object(cu.id, props));
        let practice_domain = cu.domain.map(|_| "practice.example");
        contact(
            &mut hs,
            Some(cu.id),
            &format!("owner{}@gmail.com", cu.id),
            "customer",
        );
        if cu.id == "5002" {
            contact(&mut hs, Some(cu.id), "desk@BravoSmiles.com", "customer");
        }
        let _ = practice_domain;
        yobi.tenants.push(Tenant {
            tenant_id: cu.tenant,
            tenant_name: cu.tenant_name.into(),
            website: cu.tenant_website.map(Into::into),
            domain: cu.tenant_domain.map(Into::into),
        });
        let (np, appt, tasks, calls) = cu.week;
        if (np, appt, tasks, calls) != (0, 0, 0, 0) {
            let staff = if cu.id == "5011" { 7 } else { 0 };
            yobi.daily.push(DailyUsage {
                tenant_id: cu.tenant,
                date: week_day,
                calls: calls + staff,
                tasks_created: tasks,
                appointments: appt,
                new_patient_appointments: np,
                by_user: if staff > 0 {
                    vec![UserActivity {
                        email: "support@yib.io".into(),
                        calls: staff,
                        tasks_created: 0,
                    }]
                } else {
                    vec![]
                },
            });
        }
        // Outside the week: the Saturday before and the Sunday after never count.
        for date in [d("2026-03-07"), d("2026-03-15")] {
            yobi.daily.push(DailyUsage {
                tenant_id: cu.tenant,
                date,
                calls: 50,
                tasks_created: 5,
                appointments: 9,
                new_patient_appointments: 3,
                by_user: vec![],
            });
        }
    }
    // The ambiguous name's other tenant, quieter.
    yobi.tenants.push(Tenant {
        tenant_id: 7170,
        tenant_name: "ECHO DENTAL".into(),
        website: None,
        domain: None,
    });
    yobi.daily.push(DailyUsage {
        tenant_id: 7170,
        date: week_day,
        calls: 3,
        tasks_created: 0,
        appointments: 1,
        new_patient_appointments: 0,
        by_user: vec![],
    });
    // Churned (maps by domain, very busy), internal test, unmapped, prospect, orphan contact.
    hs.companies.push(object(
        "6001",
        json!({"name": "Churned Dental", "domain": "churned.com", "customer_status": "churned"}),
    ));
    yobi.tenants.push(Tenant {
        tenant_id: 801,
        tenant_name: "Churned".into(),
        website: None,
        domain: Some("churned.com".into()),
    });
    yobi.daily.push(DailyUsage {
        tenant_id: 801,
        date: week_day,
        calls: 900,
        tasks_created: 90,
        appointments: 90,
        new_patient_appointments: 9,
        by_user: vec![],
    });
    hs.companies.push(object(
        "6002",
        json!({"name": "Yobi QA Practice", "domain": "qa.yib.io", "is_internal_test": "true"}),
    ));
    hs.companies.push(object(
        "6003",
        json!({"name": "Foxtrot Orthodontics", "domain": "foxtrot-ortho.com"}),
    ));
    hs.companies.push(object(
        "6004",
        json!({"name": "Prospect Dental", "domain": "alpha-dental.com"}),
    ));
    contact(&mut hs, Some("6001"), "a@churned.com", "customer");
    contact(&mut hs, Some("6002"), "qa+1@yib.io", "customer");
    contact(&mut hs, Some("6003"), "dr@foxtrot-ortho.com", "customer");
    contact(&mut hs, Some("6004"), "lead@alpha-dental.com", "lead");
    contact(&mut hs, None, "orphan@somewhere.com", "customer");
    (hs, yobi)
}

/// The three simulators and the context on them.
pub struct Harness {
    pub hubspot: hubspot_sim::RunningSim,
    pub yobi: yobi_sim::RunningSim,
    pub slack: slack_sink::RunningSink,
    pub ctx: RankerContext,
}

/// Knobs of one harness.
#[derive(Default)]
pub struct Knobs {
    pub hubspot: Option<hubspot_sim::SimConfig>,
    pub yobi: Option<yobi_sim::SimConfig>,
    pub config: Option<Config>,
    pub yobi_password: Option<&'static str>,
}

pub fn hubspot_config() -> hubspot_sim::SimConfig {
    hubspot_sim::SimConfig {
        token: HUBSPOT_TOKEN.into(),
        ..hubspot_sim::SimConfig::default()
    }
}

pub fn yobi_config() -> yobi_sim::SimConfig {
    yobi_sim::SimConfig {
        today: Some(today()),
        ..yobi_sim::SimConfig::default()
    }
}

/// The ranker's configuration for the book (its override).
pub fn config() -> Config {
    Config::from_lookup(|k| {
        (k == shared::ranker::config::OVERRIDES_VARIABLE).then(|| overrides().to_string())
    })
    .unwrap()
}

/// Starts the simulators on `fixtures` and builds the context.
pub async fn harness_with(fixtures: (HubSpotFixture, YobiFixture), knobs: Knobs) -> Harness {
    let hubspot = hubspot_sim::start(fixtures.0, knobs.hubspot.unwrap_or_else(hubspot_config), 0)
        .await
        .unwrap();
    let yobi = yobi_sim::start(fixtures.1, knobs.yobi.unwrap_or_else(yobi_config), 0)
        .await
        .unwrap();
    let slack = slack_sink::start(slack_sink::SinkConfig::default(), 0)
        .await
        .unwrap();
    let mut hs = HubSpotConfig::new(
        hubspot.base_url.clone(),
        HubSpotToken::fixed(SecretString::from(HUBSPOT_TOKEN)),
    );
    hs.base_delay = Duration::from_millis(20);
    hs.max_delay = Duration::from_millis(200);
    let mut yc = YobiConfig::new(
        yobi.base_url.clone(),
        YobiCredentials::fixed(
            SecretString::from(YOBI_EMAIL),
            SecretString::from(knobs.yobi_password.unwrap_or(YOBI_PASSWORD)),
        ),
    );
    yc.base_delay = Duration::from_millis(20);
    yc.max_delay = Duration::from_millis(200);
    let slack_client = SlackClient::new(
        WebhookSource::fixed(WebhookUrl::parse(&slack.webhook_url()).unwrap()),
        SlackConfig {
            backoff_base: Duration::from_millis(10),
            ..SlackConfig::default()
        },
    )
    .unwrap();
    let ctx = RankerContext {
        config: knobs.config.unwrap_or_else(config),
        hubspot: HubSpotClient::new(hs).unwrap(),
        yobi: YobiClient::new(yc).unwrap(),
        slack: slack_client,
    };
    Harness {
        hubspot,
        yobi,
        slack,
        ctx,
    }
}

pub async fn harness(knobs: Knobs) -> Harness {
    harness_with(fixtures(), knobs).await
}

impl Harness {
    /// Company properties as the simulator holds them now.
    pub fn values(&self, id: &str) -> [Option<String>; 3] {
        let c = self.hubspot.company(id).expect("company exists");
        [
            "customer_engagement_score",
            "customer_engagement_rank",
            "customer_engagement_tier",
        ]
        .map(|p| c.property(p).map(str::to_owned))
    }

    /// Batch-update requests HubSpot received.
    pub fn update_calls(&self) -> u64 {
        self.hubspot
            .stats()
            .requests
            .get("POST /crm/v3/objects/companies/batch/update")
            .copied()
            .unwrap_or(0)
    }

    pub fn hubspot_event(&self, name: &str) -> u64 {
        self.hubspot.stats().events.get(name).copied().unwrap_or(0)
    }

    pub fn messages(&self) -> Vec<Value> {
        self.slack.messages()
    }
}

/// Every company id → its fixture values, for before/after comparisons.
pub fn snapshot(h: &Harness) -> BTreeMap<String, [Option<String>; 3]> {
    h.hubspot
        .fixture()
        .companies
        .iter()
        .map(|c| (c.id.clone(), h.values(&c.id)))
        .collect()
}

/// The text of a Slack message (header and sections).
pub fn message_text(message: &Value) -> String {
    message["blocks"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .map(|b| b["text"]["text"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}
