//! The Yobi client against yobi-sim: login and renewal, tenants, usage under every field-name
//! variant, missing fields named, secrets kept out of errors.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use secrecy::SecretString;
use shared::yobi::{
    Metric, Period, UsageEndpoint, YobiClient, YobiConfig, YobiCredentials, YobiError,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use yobi_sim::{FieldNames, RunningSim, SimConfig, YobiFixture};

/// Distinctive, so that finding it anywhere is certainly a leak.
const WRONG_PASSWORD: &str = "pw-ZZ-secret-91b2-do-not-print";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
}

async fn sim(config: SimConfig) -> (RunningSim, YobiFixture) {
    let book = ranker_book::generate(60, 11, as_of());
    let fixture = book.yobi.clone();
    let config = SimConfig {
        today: Some(as_of()),
        ..config
    };
    (
        yobi_sim::start(book.yobi, config, 0).await.unwrap(),
        fixture,
    )
}

fn client(base: &str, password: &str) -> YobiClient {
    let creds = YobiCredentials::fixed(
        SecretString::from(ranker_book::BOOK_YOBI_EMAIL),
        SecretString::from(password),
    );
    let mut config = YobiConfig::new(base, creds);
    config.base_delay = Duration::from_millis(1);
    config.max_delay = Duration::from_millis(5);
    YobiClient::new(config).unwrap()
}

fn book_client(base: &str) -> YobiClient {
    client(base, ranker_book::BOOK_YOBI_PASSWORD)
}

/// Per tenant and metric, the sum of the daily buckets in the last 30 days.
async fn month(client: &YobiClient) -> BTreeMap<(u64, Metric), u64> {
    let mut out = BTreeMap::new();
    for endpoint in UsageEndpoint::ALL {
        let report = client
            .usage(endpoint, Period::ThirtyDays, None)
            .await
            .unwrap();
        assert_eq!(report.end_date, Some(as_of()));
        for t in report.tenants {
            for b in &t.daily {
                for (m, n) in &b.counts {
                    *out.entry((t.tenant_id, *m)).or_default() += n;
                }
            }
            for (m, n) in &t.totals {
                assert_eq!(out.get(&(t.tenant_id, *m)).copied().unwrap_or(0), *n);
            }
        }
    }
    out
}

#[tokio::test]
async fn tenants_and_usage_match_the_book() {
    let (sim, fixture) = sim(SimConfig::default()).await;
    let client = book_client(&sim.base_url);
    let tenants = client.tenants().await.unwrap();
    assert_eq!(tenants.len(), fixture.tenants.len());
    assert_eq!(tenants[0].id, fixture.tenants[0].tenant_id);
    assert_eq!(tenants[0].name, fixture.tenants[0].tenant_name);
    let sums = month(&client).await;
    let first = as_of() - chrono::Duration::days(29);
    let mut expected: BTreeMap<(u64, Metric), u64> = BTreeMap::new();
    for d in fixture
        .daily
        .iter()
        .filter(|d| d.date >= first && d.date <= as_of())
    {
        for (m, n) in [
            (Metric::Calls, d.calls),
            (Metric::Tasks, d.tasks_created),
            (Metric::Appointments, d.appointments),
            (Metric::NewPatients, d.new_patient_appointments),
        ] {
            *expected.entry((d.tenant_id, m)).or_default() += u64::from(n);
        }
    }
    expected.retain(|_, n| *n > 0);
    let mut got = sums;
    got.retain(|_, n| *n > 0);
    assert_eq!(got, expected);
    assert_eq!(client.logins(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_field_name_variant_reads_the_same() {
    let (primary, _) = sim(SimConfig::default()).await;
    let expected_tenants = book_client(&primary.base_url).tenants().await.unwrap();
    let expected = month(&book_client(&primary.base_url)).await;
    primary.shutdown().await;
    let one = |f: fn(&mut FieldNames)| {
        let mut names = FieldNames::primary();
        f(&mut names);
        names
    };
    let variants = [
        FieldNames::alternate(),
        one(|n| n.tenant_id = "id".into()),
        one(|n| n.tenant_name = "name".into()),
        one(|n| n.list = "tenants".into()),
        one(|n| n.appointments = "total_appointments".into()),
        one(|n| n.new_patients = "new_patient_appointments".into()),
    ];
    for fields in variants {
        let (sim, _) = sim(SimConfig {
            fields: fields.clone(),
            ..SimConfig::default()
        })
        .await;
        let client = book_client(&sim.base_url);
        assert_eq!(
            client.tenants().await.unwrap(),
            expected_tenants,
            "{fields:?}"
        );
        assert_eq!(month(&client).await, expected, "{fields:?}");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once() {
    let (sim, _) = sim(SimConfig::default()).await;
    let client = book_client(&sim.base_url);
    client.tenants().await.unwrap();
    sim.expire_tokens();
    client.tenants().await.unwrap();
    assert_eq!(client.logins(), 2);
    assert_eq!(sim.stats().events.get("token_expired"), Some(&1));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_ends() {
    let (sim, _) = sim(SimConfig {
        token_lifetime: Duration::from_millis(1500),
        ..SimConfig::default()
    })
    .await;
    let client = book_client(&sim.base_url);
    for _ in 0..5 {
        client.tenants().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert!(client.logins() >= 2);
    assert_eq!(sim.stats().events.get("token_expired"), None);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_missing_count_is_named_with_its_endpoint() {
    let (sim, _) = sim(SimConfig {
        omit: [yobi_sim::Metric::NewPatients].into(),
        ..SimConfig::default()
    })
    .await;
    let error = book_client(&sim.base_url)
        .usage(UsageEndpoint::Appointments, Period::ThirtyDays, None)
        .await
        .unwrap_err();
    match &error {
        YobiError::MissingField { endpoint, field } => {
            assert_eq!(endpoint, "/admin/analytics/appointments");
            assert!(field.contains("new_patients"), "{field}");
        }
        other => panic!("{other}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn rolling_totals_only_is_a_missing_daily() {
    let (sim, fixture) = sim(SimConfig {
        rolling_only: [yobi_sim::Endpoint::Calls].into(),
        ..SimConfig::default()
    })
    .await;
    let ids: Vec<u64> = fixture
        .tenants
        .iter()
        .take(2)
        .map(|t| t.tenant_id)
        .collect();
    let client = book_client(&sim.base_url);
    let appointments = client
        .usage(UsageEndpoint::Appointments, Period::ThirtyDays, Some(&ids))
        .await
        .unwrap();
    let got: Vec<u64> = appointments.tenants.iter().map(|t| t.tenant_id).collect();
    assert_eq!(got, ids, "only the tenants asked for");
    let error = client
        .usage(UsageEndpoint::Calls, Period::ThirtyDays, Some(&ids))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, YobiError::MissingField { endpoint, field }
            if endpoint == "/admin/analytics/calls" && field.ends_with("daily")),
        "{error}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_disabled_endpoint_is_a_404() {
    let (sim, _) = sim(SimConfig {
        disabled: [yobi_sim::Endpoint::Tasks].into(),
        ..SimConfig::default()
    })
    .await;
    let error = book_client(&sim.base_url)
        .usage(UsageEndpoint::Tasks, Period::SevenDays, None)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_never_show_the_password() {
    let (sim, _) = sim(SimConfig::default()).await;
    let client = client(&sim.base_url, WRONG_PASSWORD);
    let error = client.tenants().await.unwrap_err();
    assert_eq!(error.code(), Some("invalid_credentials"));
    assert!(!format!("{error} {error:?} {client:?}").contains(WRONG_PASSWORD));
    sim.shutdown().await;

    // An upstream that echoes the password back.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/login"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "detail": format!("bad password {WRONG_PASSWORD}"), "code": WRONG_PASSWORD
        })))
        .mount(&server)
        .await;
    let error = client_for_mock(&server).tenants().await.unwrap_err();
    assert!(
        !format!("{error} {error:?}").contains(WRONG_PASSWORD),
        "{error:?}"
    );
}

fn client_for_mock(server: &MockServer) -> YobiClient {
    client(&server.uri(), WRONG_PASSWORD)
}

#[tokio::test]
async fn server_errors_and_throttling_are_retried() {
    let (sim, _) = sim(SimConfig {
        error_rate: 0.3,
        seed: 5,
        ..SimConfig::default()
    })
    .await;
    let client = book_client(&sim.base_url);
    for _ in 0..5 {
        client.tenants().await.unwrap();
    }
    assert!(sim
        .stats()
        .events
        .get("error_injected")
        .is_some_and(|&n| n > 0));
    sim.shutdown().await;
}
