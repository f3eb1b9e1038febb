//! The HubSpot client against hubspot-sim (paging, the 10,000 ceiling, batches, 207s,
//! validation errors, rate limits) and wiremock (the cases a simulator cannot stage).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hubspot_sim::{CrmObject as SimObject, HubSpotFixture, RunningSim, SimConfig};
use secrecy::SecretString;
use serde_json::json;
use shared::hubspot::{
    CompanyUpdate, HubSpotClient, HubSpotConfig, HubSpotError, HubSpotToken, SearchRequest,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SIM_TOKEN: &str = "sim-token";
/// Distinctive, so that finding it anywhere is certainly a leak.
const SECRET: &str = "pat-na1-ZZ-secret-7e3a-do-not-print";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
}

fn unlimited() -> SimConfig {
    SimConfig {
        ten_second_limit: 100_000,
        search_per_second: 1_000,
        ..SimConfig::default()
    }
}

fn client_for(base: &str, token: &str) -> HubSpotClient {
    let mut config = HubSpotConfig::new(base, HubSpotToken::fixed(SecretString::from(token)));
    config.base_delay = Duration::from_millis(1);
    config.max_delay = Duration::from_millis(5);
    config.rolling_window = Duration::from_millis(300);
    config.secondly_window = Duration::from_millis(300);
    HubSpotClient::new(config).unwrap()
}

fn fast_search(base: &str) -> HubSpotClient {
    let mut config = HubSpotConfig::new(base, HubSpotToken::fixed(SecretString::from(SIM_TOKEN)));
    config.search_interval = Duration::from_millis(1);
    HubSpotClient::new(config).unwrap()
}

async fn book_sim(config: SimConfig) -> (RunningSim, HubSpotFixture) {
    let book = ranker_book::generate(150, 7, as_of());
    let fixture = book.hubspot.clone();
    (
        hubspot_sim::start(book.hubspot, config, 0).await.unwrap(),
        fixture,
    )
}

fn customers() -> SearchRequest {
    SearchRequest {
        filter_groups: vec![json!({"filters": [
            {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}
        ]})],
        properties: vec!["email".into()],
    }
}

#[tokio::test]
async fn search_pages_through_every_customer_contact() {
    let (sim, fixture) = book_sim(unlimited()).await;
    let client = fast_search(&sim.base_url);
    let found = client.search_all("contacts", &customers()).await.unwrap();
    let expected: BTreeSet<String> = fixture
        .contacts
        .iter()
        .filter(|c| c.property("lifecyclestage") == Some("customer"))
        .map(|c| c.id.clone())
        .collect();
    let got: BTreeSet<String> = found.iter().map(|c| c.id.clone()).collect();
    assert!(expected.len() > 200, "the book needs more than one page");
    assert_eq!(got, expected);
    assert_eq!(found.len(), expected.len(), "no duplicates");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_ten_thousand_ceiling_is_split_on_createdate() {
    let start = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").unwrap();
    let contacts: Vec<SimObject> = (0..10_450u32)
        .map(|i| {
            // Pairs share a date, so the split must drop the duplicates it sees again.
            let created = (start + chrono::Duration::minutes(i64::from(i / 2)))
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            SimObject {
                id: (1_000 + i).to_string(),
                properties: BTreeMap::from([
                    ("lifecyclestage".into(), Some("customer".into())),
                    ("createdate".into(), Some(created.clone())),
                ]),
                created_at: Some(created),
                updated_at: None,
                archived: false,
            }
        })
        .collect();
    let fixture = HubSpotFixture {
        contacts,
        ..HubSpotFixture::default()
    };
    let sim = hubspot_sim::start(fixture, unlimited(), 0).await.unwrap();
    let found = fast_search(&sim.base_url)
        .search_all("contacts", &customers())
        .await
        .unwrap();
    let ids: BTreeSet<&str> = found.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(found.len(), 10_450);
    assert_eq!(ids.len(), 10_450);
    sim.shutdown().await;
}

#[tokio::test]
async fn search_is_paced_to_four_a_second() {
    // The simulator allows 5 searches a second: pacing must never meet its 429.
    let (sim, _) = book_sim(SimConfig::default()).await;
    let client = client_for(&sim.base_url, SIM_TOKEN);
    let started = Instant::now();
    for _ in 0..9 {
        client
            .search_all("companies", &SearchRequest::default())
            .await
            .unwrap();
    }
    let stats = sim.stats();
    let searches = stats.requests["POST /crm/v3/objects/companies/search"];
    assert!(
        started.elapsed() >= Duration::from_millis(250 * (searches - 1)),
        "{searches} searches in {:?}",
        started.elapsed()
    );
    assert_eq!(stats.events.get("rate_limited.SECONDLY"), None);
    sim.shutdown().await;
}

#[tokio::test]
async fn associations_and_batch_reads_chunk_and_read_numeric_ids() {
    let config = SimConfig {
        numeric_association_ids: true,
        ..unlimited()
    };
    let (sim, fixture) = book_sim(config).await;
    let client = client_for(&sim.base_url, SIM_TOKEN);
    let contacts: Vec<String> = fixture.contacts.iter().map(|c| c.id.clone()).collect();
    let links = client
        .associations("contacts", "companies", &contacts)
        .await
        .unwrap();
    assert_eq!(links.len(), contacts.iter().collect::<BTreeSet<_>>().len());
    for a in fixture.associations.iter().take(50) {
        assert!(links[&a.from].contains(&a.to), "{} -> {}", a.from, a.to);
    }
    let companies: Vec<String> = fixture.companies.iter().map(|c| c.id.clone()).collect();
    assert!(companies.len() > 100);
    let read = client
        .batch_read("companies", &companies, &["name".into(), "domain".into()])
        .await
        .unwrap();
    assert_eq!(read.len(), companies.len());
    let stats = sim.stats();
    assert!(stats.requests["POST /crm/v3/objects/companies/batch/read"] >= 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn property_definitions_are_read() {
    let (sim, _) = book_sim(unlimited()).await;
    let client = client_for(&sim.base_url, SIM_TOKEN);
    let all = client.company_properties().await.unwrap();
    assert!(all.iter().any(|p| p.name == "customer_engagement_score"));
    let tier = client
        .company_property("customer_engagement_tier")
        .await
        .unwrap()
        .unwrap();
    assert!(!tier.kind.is_empty());
    assert_eq!(
        client.company_property("no_such_thing").await.unwrap(),
        None
    );
    sim.shutdown().await;
}

fn updates(ids: &[String], tier: &str) -> Vec<CompanyUpdate> {
    ids.iter()
        .map(|id| CompanyUpdate {
            id: id.clone(),
            properties: BTreeMap::from([("customer_engagement_tier".into(), tier.into())]),
        })
        .collect()
}

#[tokio::test]
async fn a_207_lists_written_and_unwritten_ids() {
    let book = ranker_book::generate(150, 7, as_of());
    let ids: Vec<String> = book
        .hubspot
        .companies
        .iter()
        .map(|c| c.id.clone())
        .collect();
    assert!(ids.len() > 100);
    let failing = BTreeSet::from([ids[3].clone(), ids[120].clone()]);
    let config = SimConfig {
        failing_company_updates: failing.clone(),
        ..unlimited()
    };
    let sim = hubspot_sim::start(book.hubspot, config, 0).await.unwrap();
    let client = client_for(&sim.base_url, SIM_TOKEN);
    let outcome = client
        .update_companies(&updates(&ids, "Top 30%"))
        .await
        .unwrap();
    let unwritten: BTreeSet<String> = outcome.unwritten.iter().map(|u| u.id.clone()).collect();
    assert_eq!(unwritten, failing);
    assert_eq!(outcome.written.len(), ids.len() - 2);
    assert!(outcome.stopped_by.is_none());
    assert!(outcome.unwritten.iter().all(|u| u.category == "CONFLICT"));
    assert_eq!(
        sim.company(&ids[0])
            .unwrap()
            .property("customer_engagement_tier"),
        Some("Top 30%")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn refused_values_keep_category_correlation_id_and_code() {
    let (sim, fixture) = book_sim(unlimited()).await;
    let client = client_for(&sim.base_url, SIM_TOKEN);
    let ids: Vec<String> = fixture.companies.iter().map(|c| c.id.clone()).collect();
    let outcome = client
        .update_companies(&updates(&ids, "Top 31%"))
        .await
        .unwrap();
    assert!(outcome.written.is_empty());
    assert_eq!(
        outcome.unwritten.len(),
        ids.len(),
        "later batches are not sent"
    );
    assert_eq!(outcome.unwritten[120].category, "NOT_ATTEMPTED");
    let error = outcome.stopped_by.unwrap();
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.category(), Some("VALIDATION_ERROR"));
    assert!(error.correlation_id().is_some_and(|c| !c.is_empty()));
    assert_eq!(error.errors()[0].code.as_deref(), Some("INVALID_OPTION"));
    assert_eq!(
        sim.stats().requests["POST /crm/v3/objects/companies/batch/update"],
        1
    );

    let unknown = vec![CompanyUpdate {
        id: ids[0].clone(),
        properties: BTreeMap::from([("no_such_property".into(), "1".into())]),
    }];
    let error = client
        .update_companies(&unknown)
        .await
        .unwrap()
        .stopped_by
        .unwrap();
    assert_eq!(error.category(), Some("VALIDATION_ERROR"));
    assert_eq!(
        error.errors()[0].code.as_deref(),
        Some("PROPERTY_DOESNT_EXIST")
    );
    assert!(error.correlation_id().is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_daily_limit_stops_without_retrying() {
    let config = SimConfig {
        daily_limit: 1,
        ..unlimited()
    };
    let (sim, _) = book_sim(config).await;
    let client = client_for(&sim.base_url, SIM_TOKEN);
    client.company_properties().await.unwrap();
    let error = client.company_properties().await.unwrap_err();
    assert!(error.is_daily_limit(), "{error}");
    assert_eq!(error.category(), Some("RATE_LIMITS"));
    assert_eq!(sim.stats().requests["GET /crm/v3/properties/companies"], 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_ten_secondly_limit_waits_and_retries() {
    let (sim, _) = book_sim(SimConfig {
        ten_second_limit: 3,
        ..unlimited()
    })
    .await;
    let mut config = HubSpotConfig::new(
        &sim.base_url,
        HubSpotToken::fixed(SecretString::from(SIM_TOKEN)),
    );
    config.base_delay = Duration::from_millis(1);
    let client = HubSpotClient::new(config).unwrap();
    // The budget runs out inside the rolling window: the 429 holds every request for the
    // window, then the retry gets through.
    for _ in 0..4 {
        client.company_properties().await.unwrap();
    }
    let stats = sim.stats();
    assert!(stats
        .events
        .get("rate_limited.TEN_SECONDLY_ROLLING")
        .is_some_and(|&n| n >= 1));
    sim.shutdown().await;

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/properties/companies"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "status": "error", "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT", "correlationId": "c-429",
            "policyName": "TEN_SECONDLY_ROLLING", "category": "RATE_LIMITS"
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/properties/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), SIM_TOKEN);
    let started = Instant::now();
    assert!(client.company_properties().await.unwrap().is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited for the window"
    );
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream busy"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), SIM_TOKEN);
    assert!(client.company_properties().await.unwrap().is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn no_error_carries_the_token() {
    let (sim, _) = book_sim(unlimited()).await;
    let error = client_for(&sim.base_url, SECRET)
        .company_properties()
        .await
        .unwrap_err();
    assert_eq!(error.category(), Some("INVALID_AUTHENTICATION"));
    assert!(!format!("{error} {error:?}").contains(SECRET));
    sim.shutdown().await;

    // An upstream that echoes the Authorization header.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "error", "category": "VALIDATION_ERROR", "correlationId": SECRET,
            "message": format!("bad header Bearer {SECRET}"),
            "errors": [{"message": SECRET, "code": "X"}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), SECRET);
    let error = client.company_properties().await.unwrap_err();
    assert!(!format!("{error} {error:?}").contains(SECRET), "{error:?}");
    assert!(!format!("{client:?}").contains(SECRET));
    assert!(matches!(error, HubSpotError::Api { .. }));
}

#[tokio::test]
async fn a_secondly_429_on_search_waits_and_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/companies/search"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "status": "error", "message": "You have reached your secondly limit.",
            "errorType": "RATE_LIMIT", "correlationId": "c-s", "policyName": "SECONDLY",
            "category": "RATE_LIMITS"
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/companies/search"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total": 1, "results": [{"id": 5}]})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), SIM_TOKEN);
    let started = Instant::now();
    let found = client
        .search_all("companies", &SearchRequest::default())
        .await
        .unwrap();
    assert_eq!(found[0].id, "5");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
