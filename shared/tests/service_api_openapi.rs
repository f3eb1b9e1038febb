//! docs/openapi.yaml agrees with the service report API: every route with its methods, GET
//! parameters and POST body properties exactly as the parser allows, and its problem bodies.

use lambda_http::http::Method;
use serde_json::Value;
use shared::api::openapi_check::{conforms, openapi_document};
use shared::api::Problem;
use shared::service::api::{route, Route, ServiceRequest};

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn every_service_route_is_documented_with_exactly_its_parameters() {
    let doc = openapi_document();
    for r in Route::ALL {
        let path = &doc["paths"][r.path()];
        assert!(path.is_object(), "{} missing", r.path());
        let documented: Vec<String> = ["get", "post", "put", "delete", "patch"]
            .iter()
            .filter(|m| path.get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
        let served: Vec<String> = r.methods().iter().map(Method::to_string).collect();
        assert_eq!(documented, served, "{}", r.path());
        for m in r.methods() {
            assert_eq!(route(m, r.path()).unwrap(), r);
        }
        let allowed = sorted(
            ServiceRequest::allowed(r)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        let names = sorted(
            path["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let name = p["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
                    doc["components"]["parameters"][name]["name"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect(),
        );
        assert_eq!(names, allowed, "{} GET", r.path());
        let schema_ref = path["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap();
        let schema = &doc["components"]["schemas"][schema_ref.rsplit('/').next().unwrap()];
        let props = sorted(
            schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect(),
        );
        assert_eq!(props, allowed, "{} POST", r.path());
        assert_eq!(schema["additionalProperties"], false);
        // The 200 answers JSON with the route's own response schema, or CSV.
        let ok = path["get"]["responses"]["200"]["$ref"].as_str().unwrap();
        let ok = &doc["components"]["responses"][ok.rsplit('/').next().unwrap()];
        assert!(ok["content"]["text/csv"].is_object());
        let json_ref = ok["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        let response = &doc["components"]["schemas"][json_ref.rsplit('/').next().unwrap()];
        assert_eq!(
            response["properties"]["meta"]["allOf"][1]["properties"]["report"]["const"],
            Value::from(r.name()),
            "{}",
            r.path()
        );
        assert!(path["get"]["responses"]["503"].is_object());
    }
}

#[test]
fn service_problem_bodies_conform() {
    let get = |uri: &str| {
        lambda_http::http::Request::builder()
            .method("GET")
            .uri(uri)
            .body(lambda_http::Body::Empty)
            .unwrap()
    };
    let now = chrono::Utc::now();
    let tz = chrono_tz::America::New_York;
    let problems = [
        shared::service::api::parse_request(
            Route::Teammates,
            &get("/x?from=2026-03-10&to=2026-03-09&metric=x&limit=0&zzz=1"),
            now,
            tz,
        )
        .unwrap_err(),
        route(&Method::GET, "/API/service/nope").unwrap_err(),
        route(&Method::PUT, "/API/service/summary").unwrap_err(),
        Problem::database_unavailable(),
        Problem::report_timeout(27_000),
    ];
    for p in problems {
        let body: Value = serde_json::from_slice(p.into_response().body().as_ref()).unwrap();
        conforms("#/components/schemas/Problem", &body).unwrap();
    }
}
