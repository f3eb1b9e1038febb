//! The report API's Lambda authorizer: HTTP API, payload format 2.0, simple responses.
//!
//! Input: the authorizer request API Gateway sends (`headers`, `routeKey`, `requestContext`...).
//! Output: `{"isAuthorized": true, "context": {"keyName": "powerbi-prod"}}`, or
//! `{"isAuthorized": false, "context": {}}` (API Gateway answers 403). The key name reaches the
//! access log as `$context.authorizer.keyName` and the report functions as
//! `requestContext.authorizer.lambda.keyName`.
//!
//! Each route needs a scope ([`required_scope`]): the on-demand export `export:write`, every
//! other route `reports:read`. A key without the route's scope is denied (403).
//!
//! One log line per decision: `decision` (allow | deny), `key_name` when a stored key matched,
//! `reason` when denied (missing | unknown | disabled | scope), `scope` (the route's), `route`,
//! `request_id`. Never the key or its hash.

use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use aws_lambda_events::http::header::AUTHORIZATION;
use serde::Serialize;
use serde_json::Value;

use super::bearer::bearer;
use super::keys::{ApiKeys, KeyMatch, Scope};
use super::source::{ApiKeySource, ApiKeysError};

/// The simple response of an HTTP API Lambda authorizer (payload format 2.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerResponse {
    pub is_authorized: bool,
    pub context: AuthorizerContext,
}

/// Passed on to the access log and the function behind the route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerContext {
    /// Name of the matching key (from the key list), only when authorised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

/// The authorizer's verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow { key_name: String },
    Deny(DenyReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyReason {
    /// No `Authorization: Bearer <key>` header (or another scheme).
    Missing,
    /// A key that matches no stored hash.
    Unknown,
    /// A key marked disabled in the list; its name, for the audit line.
    Disabled { key_name: String },
    /// An active key without the route's scope.
    Scope { key_name: String },
}

impl DenyReason {
    /// The `reason` logged.
    pub fn as_str(&self) -> &'static str {
        match self {
            DenyReason::Missing => "missing",
            DenyReason::Unknown => "unknown",
            DenyReason::Disabled { .. } => "disabled",
            DenyReason::Scope { .. } => "scope",
        }
    }
}

/// Why the authorizer could not decide (API Gateway answers 500). Never holds the key.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizerError {
    #[error(
        "the event is not an API Gateway HTTP API authorizer request (payload format 2.0): {0}"
    )]
    Event(String),
    #[error(transparent)]
    Keys(#[from] ApiKeysError),
}

/// The on-demand export's path: the one route that writes.
pub const EXPORT_PATH: &str = "/API/intercom/report/engagement";

/// The scope a route needs, from its route key (`POST /API/intercom/report/engagement`) or path:
/// `export:write` for the on-demand export, `reports:read` for everything else.
pub fn required_scope(route_key: &str) -> Scope {
    let path = route_key
        .split_once(' ')
        .map_or(route_key, |(_, path)| path);
    if path.trim_end_matches('/') == EXPORT_PATH {
        Scope::ExportWrite
    } else {
        Scope::ReportsRead
    }
}

/// Pure: the decision for the `Authorization` header value `authorization` against `keys`, on a
/// route that needs `scope`.
pub fn decide(keys: &ApiKeys, authorization: Option<&str>, scope: Scope) -> Decision {
    let Some(presented) = bearer(authorization) else {
        return Decision::Deny(DenyReason::Missing);
    };
    match keys.check(presented) {
        KeyMatch::Active(name, scopes) if scopes.contains(&scope) => Decision::Allow {
            key_name: name.to_owned(),
        },
        KeyMatch::Active(name, _) => Decision::Deny(DenyReason::Scope {
            key_name: name.to_owned(),
        }),
        KeyMatch::Disabled(name) => Decision::Deny(DenyReason::Disabled {
            key_name: name.to_owned(),
        }),
        KeyMatch::Unknown => Decision::Deny(DenyReason::Unknown),
    }
}

impl From<Decision> for AuthorizerResponse {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Allow { key_name } => Self {
                is_authorized: true,
                context: AuthorizerContext {
                    key_name: Some(key_name),
                },
            },
            Decision::Deny(_) => Self {
                is_authorized: false,
                context: AuthorizerContext::default(),
            },
        }
    }
}

/// The authorizer's handler: parses the event, reads the key list from `source` (cached),
/// decides, logs the decision and answers.
pub async fn handle(
    source: &ApiKeySource,
    event: Value,
) -> Result<AuthorizerResponse, AuthorizerError> {
    let request: ApiGatewayV2CustomAuthorizerV2Request =
        serde_json::from_value(event).map_err(|e| AuthorizerError::Event(event_error(&e)))?;
    let keys = source.keys().await?;

    let route = request
        .route_key
        .as_deref()
        .or(request.request_context.route_key.as_deref())
        .unwrap_or("");
    let scope = required_scope(if route.is_empty() {
        request.raw_path.as_deref().unwrap_or("")
    } else {
        route
    });
    // A header that is not valid text cannot be a key we issued: treat it as unknown.
    let header = request.headers.get(AUTHORIZATION).map(|v| v.to_str());
    let decision = match header {
        Some(Ok(value)) => decide(&keys, Some(value), scope),
        Some(Err(_)) => Decision::Deny(DenyReason::Unknown),
        None => {
            // The identity source carries the same header first; used when headers were not
            // passed.
            let from_identity = request
                .identity_source
                .as_ref()
                .and_then(|s| s.first())
                .map(String::as_str);
            decide(&keys, from_identity, scope)
        }
    };

    let request_id = request.request_context.request_id.as_deref().unwrap_or("");
    let scope = scope.as_str();
    match &decision {
        Decision::Allow { key_name } => {
            tracing::info!(decision = "allow", key_name = %key_name, scope, route, request_id, "report API authorization");
        }
        Decision::Deny(
            reason @ (DenyReason::Disabled { key_name } | DenyReason::Scope { key_name }),
        ) => {
            tracing::warn!(decision = "deny", reason = reason.as_str(), key_name = %key_name, scope, route, request_id, "report API authorization");
        }
        Decision::Deny(reason) => {
            tracing::info!(
                decision = "deny",
                reason = reason.as_str(),
                scope,
                route,
                request_id,
                "report API authorization"
            );
        }
    }
    Ok(decision.into())
}

/// A description of why the event did not parse that cannot quote a header value: serde's
/// "missing field" messages name fields only; anything else is reported by its category.
fn event_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("missing field") {
        text
    } else {
        format!("{:?} error", error.classify()).to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::hash_key;
    use crate::aws::secrets::{SecretStore, TokenError};
    use async_trait::async_trait;
    use secrecy::SecretString;
    use serde_json::json;
    use std::sync::Arc;

    const KEY: &str = "pbi-2Vq9Xk3mL0sT8wYz4RbNc7Hd";
    const RETIRED: &str = "old-Jf6Tn1Qp5Ws0Lx3Vb8Mz2Kc";
    const EXPORTER: &str = "exp-8Gh2Lm5Qw9Rt3Yu7Io1Pa4Sd";
    const BOTH: &str = "all-3Zx6Cv9Bn2Mq5Wl8Ek1Rj7Th";

    struct Fixed(String);

    #[async_trait]
    impl SecretStore for Fixed {
        async fn secret_string(&self, _: &str) -> Result<SecretString, TokenError> {
            Ok(SecretString::from(self.0.as_str()))
        }
    }

    fn keys_json() -> String {
        json!({"keys": [
            {"name": "powerbi-prod", "sha256": hash_key(KEY)},
            {"name": "excel-2024", "sha256": hash_key(RETIRED), "disabled": true},
            {"name": "ops-export", "sha256": hash_key(EXPORTER), "scopes": ["export:write"]},
            {"name": "ops-both", "sha256": hash_key(BOTH), "scopes": ["reports:read", "export:write"]},
        ]})
        .to_string()
    }

    fn source() -> ApiKeySource {
        ApiKeySource::new(
            Arc::new(Fixed(keys_json())),
            "keys",
            std::time::Duration::from_secs(300),
        )
    }

    fn event(authorization: Option<&str>) -> Value {
        let mut headers = json!({"accept": "application/json"});
        if let Some(a) = authorization {
            headers["authorization"] = json!(a);
        }
        json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/API/intercom/caseload",
            "identitySource": authorization.map(|a| vec![a]),
            "routeKey": "GET /API/intercom/caseload",
            "rawPath": "/API/intercom/caseload",
            "rawQueryString": "lookbackDays=30",
            "headers": headers,
            "requestContext": {
                "http": {"method": "GET", "path": "/API/intercom/caseload"},
                "requestId": "req-1",
                "routeKey": "GET /API/intercom/caseload"
            }
        })
    }

    #[test]
    fn decisions() {
        let keys = ApiKeys::parse(&keys_json()).unwrap();
        let bearer = format!("Bearer {KEY}");
        let retired = format!("bearer {RETIRED}");
        let cases = [
            (
                Some(bearer.as_str()),
                Decision::Allow {
                    key_name: "powerbi-prod".into(),
                },
            ),
            (None, Decision::Deny(DenyReason::Missing)),
            (Some(KEY), Decision::Deny(DenyReason::Missing)),
            (Some("Bearer nope"), Decision::Deny(DenyReason::Unknown)),
            (
                Some(retired.as_str()),
                Decision::Deny(DenyReason::Disabled {
                    key_name: "excel-2024".into(),
                }),
            ),
        ];
        for (header, expected) in cases {
            assert_eq!(
                decide(&keys, header, Scope::ReportsRead),
                expected,
                "{header:?}"
            );
        }
    }

    #[test]
    fn each_route_needs_its_scope() {
        let keys = ApiKeys::parse(&keys_json()).unwrap();
        let export = required_scope("POST /API/intercom/report/engagement");
        assert_eq!(export, Scope::ExportWrite);
        assert_eq!(
            required_scope("ANY /API/intercom/report/engagement"),
            export
        );
        assert_eq!(required_scope("/API/intercom/report/engagement/"), export);
        for read in [
            "GET /API/intercom/caseload",
            "ANY /API/service/{report+}",
            "POST /API/intercom/billing",
            "",
        ] {
            assert_eq!(required_scope(read), Scope::ReportsRead, "{read}");
        }
        let allow = |name: &str| Decision::Allow {
            key_name: name.into(),
        };
        let no_scope = |name: &str| {
            Decision::Deny(DenyReason::Scope {
                key_name: name.into(),
            })
        };
        for (key, name, reads, exports) in [
            (KEY, "powerbi-prod", true, false),
            (EXPORTER, "ops-export", false, true),
            (BOTH, "ops-both", true, true),
        ] {
            let header = format!("Bearer {key}");
            for (scope, ok) in [(Scope::ReportsRead, reads), (Scope::ExportWrite, exports)] {
                let expected = if ok { allow(name) } else { no_scope(name) };
                assert_eq!(
                    decide(&keys, Some(&header), scope),
                    expected,
                    "{name} {scope:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn handler_answers_simple_responses() {
        let source = source();
        let allowed = handle(&source, event(Some(&format!("Bearer {KEY}"))))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&allowed).unwrap(),
            json!({"isAuthorized": true, "context": {"keyName": "powerbi-prod"}})
        );
        for header in [
            None,
            Some("Bearer wrong"),
            Some(&*format!("Bearer {RETIRED}")),
        ] {
            let denied = handle(&source, event(header)).await.unwrap();
            assert_eq!(
                serde_json::to_value(&denied).unwrap(),
                json!({"isAuthorized": false, "context": {}}),
                "{header:?}"
            );
        }
    }

    #[tokio::test]
    async fn identity_source_is_used_when_headers_are_absent() {
        let mut e = event(Some(&format!("Bearer {KEY}")));
        e["headers"] = json!({});
        let response = handle(&source(), e).await.unwrap();
        assert_eq!(response.context.key_name.as_deref(), Some("powerbi-prod"));
    }

    #[tokio::test]
    async fn a_malformed_event_is_an_error_that_does_not_quote_the_header() {
        let mut e = event(Some(&format!("Bearer {KEY}")));
        e["headers"] = json!(format!("Bearer {KEY}"));
        let err = handle(&source(), e).await.unwrap_err();
        assert!(matches!(err, AuthorizerError::Event(_)));
        assert!(!err.to_string().contains(KEY), "{err}");

        let mut e = event(None);
        e["requestContext"] = json!({});
        let err = handle(&source(), e).await.unwrap_err().to_string();
        assert!(err.contains("missing field `http`"), "{err}");
    }
}
