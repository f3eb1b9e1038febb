//! The Intercom client against a wiremock Intercom: paging, limits, retries, rate limits, errors
//! and keeping the token secret.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{json, Value};
use shared::intercom::{ClientConfig, IntercomClient, IntercomError, SearchQuery};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Distinctive, so that finding it anywhere is certainly a leak.
const TOKEN: &str = "tok_ZZ-secret-4c1f9e-do-not-print";

fn config(server: &MockServer) -> ClientConfig {
    let mut config = ClientConfig::from_lookup(SecretString::from(TOKEN), |k| {
        (k == "INTERCOM_API_BASE").then(|| server.uri())
    })
    .unwrap();
    config.backoff_base = Duration::from_millis(1);
    config.backoff_max = Duration::from_millis(5);
    config.timeout = Duration::from_secs(5);
    config
}

/// Handlers share one client across tasks.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<IntercomClient>();
};

fn client(server: &MockServer) -> IntercomClient {
    IntercomClient::new(config(server)).unwrap()
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn contact(id: &str) -> Value {
    json!({"type": "contact", "id": id, "role": "user", "custom_attributes": {}})
}

fn contact_page(ids: &[&str], next: Option<&str>) -> Value {
    let mut page = json!({
        "type": "list",
        "data": ids.iter().map(|id| contact(id)).collect::<Vec<_>>(),
        "total_count": 3,
        "pages": {"type": "pages", "page": 1, "per_page": 150, "total_pages": 2}
    });
    if let Some(cursor) = next {
        page["pages"]["next"] = json!({"page": 2, "starting_after": cursor});
    }
    page
}

/// A search request whose body carries no cursor (the first page).
fn first_page(request: &Request) -> bool {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    body["pagination"].get("starting_after").is_none()
}

fn bodies(requests: &[Request]) -> Vec<Value> {
    requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn ids<T>(pages: &[Vec<T>], id: impl Fn(&T) -> &str) -> Vec<Vec<String>> {
    pages
        .iter()
        .map(|p| p.iter().map(|x| id(x).to_owned()).collect())
        .collect()
}

#[tokio::test]
async fn contact_search_follows_cursors_and_dedupes_across_pages() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts/search"))
        .and(first_page)
        .respond_with(
            ResponseTemplate::new(200).set_body_json(contact_page(&["a", "b"], Some("c1"))),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/contacts/search"))
        .and(wiremock::matchers::body_partial_json(
            json!({"pagination": {"starting_after": "c1"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_page(&["b", "c"], None)))
        .mount(&server)
        .await;

    let client = client(&server);
    let query = SearchQuery::field("role").eq("user");
    let pages: Vec<_> = client
        .search_contacts(query.clone())
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids(&pages, |c| &c.id), vec![vec!["a", "b"], vec!["c"]]);
    let sent = bodies(&server.received_requests().await.unwrap());
    let query_json = serde_json::to_value(&query).unwrap();
    assert_eq!(
        sent,
        vec![
            json!({"query": query_json, "pagination": {"per_page": 150}}),
            json!({"query": query_json, "pagination": {"per_page": 150, "starting_after": "c1"}}),
        ]
    );
    assert_eq!(client.stats().api_calls, 2);
}

#[tokio::test]
async fn conversation_search_reads_the_conversations_key() {
    let server = MockServer::start().await;
    let conversation = |id: &str| {
        json!({"type": "conversation", "id": id, "created_at": 1, "updated_at": 2, "state": "closed",
               "admin_assignee_id": 0, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "m1"}]}})
    };
    Mock::given(method("POST"))
        .and(path("/conversations/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "conversation.list",
            "conversations": [conversation("1"), conversation("2"), conversation("1")],
            "total_count": 2,
            "pages": {"type": "pages", "page": 1, "per_page": 150, "total_pages": 1, "next": null}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let query = SearchQuery::and([
        SearchQuery::field("state").eq("closed"),
        SearchQuery::custom_attribute("Channel").is_in(["Phone", "Video Conference"]),
    ]);
    let pages: Vec<_> = client
        .search_conversations(query)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&pages, |c| &c.id), vec![vec!["1", "2"]]);
    assert_eq!(pages[0][0].contact_ids().collect::<Vec<_>>(), vec!["m1"]);
}

#[tokio::test]
async fn sorted_conversation_search_sends_the_sort_and_plain_search_does_not() {
    let server = MockServer::start().await;
    let empty = json!({"type": "conversation.list", "conversations": [], "total_count": 0,
                       "pages": {"type": "pages", "page": 1, "per_page": 150, "total_pages": 0}});
    Mock::given(method("POST"))
        .and(path("/conversations/search"))
        .and(wiremock::matchers::body_partial_json(
            json!({"sort": {"field": "updated_at", "order": "ascending"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let query = || SearchQuery::field("updated_at").gt(1_700_000_000i64);
    let pages: Vec<_> = client
        .search_conversations_sorted(
            query(),
            shared::intercom::SearchSort::updated_at_ascending(),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(pages.is_empty());
    server.verify().await;
    server.reset().await;

    // Without a sort the body has no "sort" key at all.
    Mock::given(method("POST"))
        .and(path("/conversations/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .expect(1)
        .mount(&server)
        .await;
    let _: Vec<_> = client
        .search_conversations(query())
        .try_collect()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert!(body.get("sort").is_none(), "{body}");
}

#[tokio::test]
async fn invalid_queries_fail_without_an_http_call() {
    let server = MockServer::start().await;
    let client = client(&server);
    let f = |n: usize| SearchQuery::field(format!("f{n}")).eq("x");
    let three_levels = SearchQuery::and([SearchQuery::or([SearchQuery::and([f(1)])])]);
    let sixteen = SearchQuery::and((0..16).map(f));

    for query in [three_levels, sixteen] {
        let result: Result<Vec<_>, _> = client.search_contacts(query).try_collect().await;
        assert!(
            matches!(result, Err(IntercomError::InvalidQuery { .. })),
            "{result:?}"
        );
    }
    let result: Result<Vec<_>, _> = client
        .search_contacts_with_page_size(f(1), 151)
        .try_collect()
        .await;
    assert!(
        matches!(result, Err(IntercomError::InvalidQuery { .. })),
        "{result:?}"
    );

    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(client.stats().api_calls, 0);
}

#[tokio::test]
async fn sends_auth_version_and_accept_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("Intercom-Version", "2.11"))
        .and(header("Accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "admin.list", "admins": [{"type": "admin", "id": 7, "name": "Coach A", "email": "a@x"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let admins = client(&server).list_admins().await.unwrap();
    assert_eq!(admins[0].id, "7");
    assert_eq!(admins[0].name.as_deref(), Some("Coach A"));
}

#[tokio::test]
async fn update_contact_puts_only_custom_attributes_to_an_encoded_path() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/contacts/a%2Fb"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"custom_attributes": {"Last Call": 1_700_000_000}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact("a/b")))
        .expect(1)
        .mount(&server)
        .await;
    let mut attrs = serde_json::Map::new();
    attrs.insert("Last Call".into(), json!(1_700_000_000));
    let updated = client(&server).update_contact("a/b", &attrs).await.unwrap();
    assert_eq!(updated.id, "a/b");
    let empty = client(&server).update_contact(" ", &attrs).await;
    assert!(matches!(empty, Err(IntercomError::InvalidRequest { .. })));
}

#[tokio::test]
async fn data_attributes_and_single_objects() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/data_attributes"))
        .and(query_param("model", "contact"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": [
            {"type": "data_attribute", "name": "Last Call", "full_name": "custom_attributes.Last Call",
             "model": "contact", "data_type": "date", "api_writable": true, "custom": true}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "conversation", "id": "42", "created_at": 1, "updated_at": 2, "state": "open",
            "conversation_parts": {"conversation_parts": []}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/m1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact("m1")))
        .mount(&server)
        .await;
    let client = client(&server);
    let attributes = client.contact_data_attributes().await.unwrap();
    assert_eq!(
        (
            attributes[0].name.as_str(),
            attributes[0].data_type.as_str()
        ),
        ("Last Call", "date")
    );
    assert_eq!(client.get_conversation("42").await.unwrap().id, "42");
    assert_eq!(client.get_contact("m1").await.unwrap().id, "m1");
}

#[tokio::test]
async fn a_429_waits_for_the_reset_then_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Limit", "83")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", (now_s() + 1).to_string().as_str())
                .set_body_json(json!({"type": "error.list", "request_id": "r429",
                                      "errors": [{"code": "rate_limit_exceeded", "message": "Too many requests"}]})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"admins": []})))
        .mount(&server)
        .await;

    let client = client(&server);
    client.list_admins().await.unwrap();
    let stats = client.stats();
    assert_eq!(
        (stats.api_calls, stats.retries, stats.rate_limit_waits),
        (2, 1, 1)
    );
    assert!(stats.rate_limit_wait_ms > 0);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/m1"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/m1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact("m1")))
        .mount(&server)
        .await;

    let client = client(&server);
    assert_eq!(client.get_contact("m1").await.unwrap().id, "m1");
    let stats = client.stats();
    assert_eq!(
        (stats.api_calls, stats.retries, stats.rate_limit_waits),
        (3, 2, 0)
    );
}

#[tokio::test]
async fn timeouts_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"admins": []}))
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"admins": []})))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    let client = IntercomClient::new(config).unwrap();
    client.list_admins().await.unwrap();
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.max_retries = 2;
    let client = IntercomClient::new(config).unwrap();
    let err = client.list_admins().await.unwrap_err();
    assert!(
        matches!(&err, IntercomError::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(500));
    assert_eq!(client.stats().api_calls, 3);
}

#[tokio::test]
async fn other_4xx_are_not_retried_and_keep_code_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts/search"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "type": "error.list", "request_id": "req-400-xyz",
            "errors": [{"code": "invalid_field", "message": "custom_attributes.Nope is not a valid field"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let result: Result<Vec<_>, _> = client
        .search_contacts(SearchQuery::custom_attribute("Nope").eq("x"))
        .try_collect()
        .await;
    match result.unwrap_err() {
        IntercomError::Api {
            status,
            code,
            message,
            request_id,
        } => {
            assert_eq!((status, code.as_str()), (400, "invalid_field"));
            assert!(message.contains("custom_attributes.Nope"));
            assert_eq!(request_id.as_deref(), Some("req-400-xyz"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.stats().retries, 0);
}

/// Every response reports `remaining` of a 100-request window that resets within two seconds
/// of mounting (two, so the reset is still ahead when the first request lands).
async fn server_with_remaining(remaining: u32) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-RateLimit-Limit", "100")
                .insert_header("X-RateLimit-Remaining", remaining.to_string().as_str())
                .insert_header("X-RateLimit-Reset", (now_s() + 2).to_string().as_str())
                .set_body_json(json!({"admins": []})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_low_remaining_budget_holds_the_next_requests_once() {
    let server = server_with_remaining(3).await;
    let client = client(&server);
    client.list_admins().await.unwrap();
    assert_eq!(client.stats().rate_limit_waits, 0);

    // Three concurrent requests through clones share one gate: one wait, not three.
    let calls = (0..3).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_admins().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    let stats = client.stats();
    assert_eq!((stats.api_calls, stats.rate_limit_waits), (4, 1));
}

#[tokio::test]
async fn an_ample_budget_never_waits() {
    let server = server_with_remaining(50).await;
    let client = client(&server);
    for _ in 0..3 {
        client.list_admins().await.unwrap();
    }
    assert_eq!(client.stats().rate_limit_waits, 0);
}

#[tokio::test]
async fn regional_base_urls_are_accepted_and_prefixes_kept() {
    for base in ["https://api.eu.intercom.io", "https://api.au.intercom.io/"] {
        let config = ClientConfig::from_lookup(TOKEN.into(), |k| {
            (k == "INTERCOM_API_BASE").then(|| base.to_owned())
        })
        .unwrap();
        assert!(config
            .base_url
            .as_str()
            .starts_with(base.trim_end_matches('/')));
        IntercomClient::new(config).unwrap();
    }
    // A base with a path prefix (a proxy) keeps it.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/eu/admins"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"admins": []})))
        .expect(1)
        .mount(&server)
        .await;
    let config = ClientConfig::from_lookup(TOKEN.into(), |k| {
        (k == "INTERCOM_API_BASE").then(|| format!("{}/eu/", server.uri()))
    })
    .unwrap();
    IntercomClient::new(config)
        .unwrap()
        .list_admins()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_token_never_shows_in_debug_or_errors() {
    let server = MockServer::start().await;
    // A misbehaving proxy that echoes the Authorization header back.
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(format!("bad credentials: Bearer {TOKEN}")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/m1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("{{\"id\": {TOKEN}}}")))
        .mount(&server)
        .await;
    let config = config(&server);
    let client = IntercomClient::new(config.clone()).unwrap();

    let mut errors = vec![
        client.list_admins().await.unwrap_err(),
        client.get_contact("m1").await.unwrap_err(),
    ];
    // Nothing listens on a just-closed port: a connection error, retried then exhausted.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut unreachable = config.clone();
    unreachable.base_url = format!("http://{closed}/").parse().unwrap();
    unreachable.max_retries = 1;
    errors.push(
        IntercomClient::new(unreachable)
            .unwrap()
            .list_admins()
            .await
            .unwrap_err(),
    );
    let mut bad_base = config.clone();
    bad_base.base_url = "mailto:x@y".parse().unwrap();
    errors.push(IntercomClient::new(bad_base).unwrap_err());
    assert!(matches!(errors[0], IntercomError::Api { status: 401, .. }));
    assert!(matches!(errors[1], IntercomError::Decode { .. }));
    assert!(matches!(errors[2], IntercomError::RetriesExhausted { .. }));

    let mut texts = vec![format!("{config:?}"), format!("{client:?}")];
    for error in &errors {
        texts.push(error.to_string());
        texts.push(format!("{error:?}"));
    }
    for text in texts {
        assert!(!text.contains(TOKEN), "token leaked in: {text}");
    }
}

#[tokio::test]
async fn a_token_echoed_into_the_request_id_or_code_is_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", format!("req-Bearer {TOKEN}").as_str())
                .set_body_json(
                    json!({"type": "error.list", "request_id": format!("Bearer {TOKEN}"),
                    "errors": [{"code": format!("bad_{TOKEN}"), "message": "no"}]}),
                ),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.max_retries = 0;
    let client = IntercomClient::new(config).unwrap();
    let error = client.list_admins().await.unwrap_err();
    let IntercomError::Api {
        code, request_id, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(code, "bad_[REDACTED]");
    assert_eq!(request_id.as_deref(), Some("Bearer [REDACTED]"));
    let texts = [error.to_string(), format!("{error:?}")];
    for text in texts {
        assert!(!text.contains(TOKEN), "token leaked in: {text}");
    }
}

#[tokio::test]
async fn an_unusable_token_is_refused_without_echoing_it() {
    for token in ["", "line\nbreak-secret-value"] {
        let err = IntercomClient::new(ClientConfig::new(token.into())).unwrap_err();
        assert!(matches!(err, IntercomError::Config { .. }));
        if !token.is_empty() {
            assert!(!err.to_string().contains(token) && !format!("{err:?}").contains(token));
        }
    }
}
