//! Faults (ENGAGEMENT-RANKER.md §6, §8): each fail-fast condition exits in error with one alert
//! and no write; a 207 on the second batch names written and unwritten companies and a re-run
//! completes them; 429s of both policies, 5xx and an expired Yobi token.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use shared::ranker::handlers::{run, Output, RankerError};

use crate::support::*;

/// Runs for real and expects a failure with one alert, no update and unchanged companies.
async fn fails_with_one_alert_and_no_write(h: &Harness) -> String {
    let before = snapshot(h);
    let error = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .expect_err("the run must fail");
    let text = error.to_string();
    assert_eq!(h.update_calls(), 0, "{text}");
    assert_eq!(snapshot(h), before);
    let messages = h.messages();
    assert_eq!(messages.len(), 1, "one alert: {messages:?}");
    let alert = message_text(&messages[0]);
    assert!(
        alert.contains("Engagement ranking failed (week 2026-03-08)"),
        "{alert}"
    );
    assert!(!alert.contains(HUBSPOT_TOKEN) && !alert.contains(YOBI_PASSWORD));
    assert!(!text.contains(HUBSPOT_TOKEN) && !text.contains(YOBI_PASSWORD));
    text
}

fn without_property(name: &str) -> (hubspot_sim::HubSpotFixture, yobi_sim::YobiFixture) {
    let (mut hs, yobi) = fixtures();
    hs.properties.retain(|p| p["name"] != name);
    (hs, yobi)
}

#[tokio::test]
async fn a_missing_property_stops_the_run() {
    let h = harness_with(
        without_property("customer_engagement_rank"),
        Knobs::default(),
    )
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(
        text.contains("customer_engagement_rank: does not exist on companies"),
        "{text}"
    );
}

#[tokio::test]
async fn a_mistyped_property_stops_the_run() {
    let (mut hs, yobi) = fixtures();
    for p in hs.properties.iter_mut() {
        if p["name"] == "customer_engagement_score" {
            p["type"] = json!("string");
            p["fieldType"] = json!("text");
        }
        if p["name"] == "customer_engagement_tier" {
            p["options"][0]["value"] = json!("Top 31%");
        }
    }
    let h = harness_with((hs, yobi), Knobs::default()).await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(
        text.contains("customer_engagement_score: must be a number property, is string/text"),
        "{text}"
    );
    assert!(
        text.contains("customer_engagement_tier: an enumeration's option values"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_yobi_field_stops_the_run() {
    let h = harness(Knobs {
        yobi: Some(yobi_sim::SimConfig {
            omit: BTreeSet::from([yobi_sim::Metric::NewPatients]),
            ..yobi_config()
        }),
        ..Knobs::default()
    })
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("/admin/analytics/appointments"), "{text}");
    assert!(text.contains("new_patients"), "{text}");
}

#[tokio::test]
async fn rolling_totals_only_stop_the_run() {
    let h = harness(Knobs {
        yobi: Some(yobi_sim::SimConfig {
            rolling_only: BTreeSet::from([yobi_sim::Endpoint::Calls]),
            ..yobi_config()
        }),
        ..Knobs::default()
    })
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("/admin/analytics/calls"), "{text}");
    assert!(text.contains("results[].daily"), "{text}");
}

#[tokio::test]
async fn a_refused_yobi_login_stops_the_run() {
    let h = harness(Knobs {
        yobi_password: Some("wrong-password-123"),
        ..Knobs::default()
    })
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("Yobi login or token refused"), "{text}");
    assert!(text.contains("invalid_credentials"), "{text}");
    assert!(!text.contains("wrong-password-123"));
}

#[tokio::test]
async fn a_refused_hubspot_token_stops_the_run() {
    let h = harness(Knobs {
        hubspot: Some(hubspot_sim::SimConfig {
            token: "another-token".into(),
            ..hubspot_config()
        }),
        ..Knobs::default()
    })
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("HubSpot refused the token"), "{text}");
}

#[tokio::test]
async fn nobody_to_rank_stops_the_run() {
    let mut config = config();
    config.exclude.push(shared::ranker::config::ExcludeFilter {
        property: "customer_status".into(),
        values: vec!["active".into()],
    });
    let (mut hs, yobi) = fixtures();
    // Foxtrot (unmapped) is the only company without a status: make it active too.
    for c in hs.companies.iter_mut() {
        c.properties
            .insert("customer_status".into(), Some("active".into()));
    }
    let h = harness_with(
        (hs, yobi),
        Knobs {
            config: Some(config),
            ..Knobs::default()
        },
    )
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("N = 0"), "{text}");
}

/// The generated book of 150 customers: more than 100 companies to write, two batches.
fn book() -> (hubspot_sim::HubSpotFixture, yobi_sim::YobiFixture) {
    let book = ranker_book::generate(150, 7, today());
    let mut yobi = book.yobi;
    yobi.users = vec![yobi_sim::YobiUser {
        email: YOBI_EMAIL.into(),
        password: YOBI_PASSWORD.into(),
    }];
    (book.hubspot, yobi)
}

fn book_config() -> shared::ranker::config::Config {
    let overrides = ranker_book::generate(150, 7, today())
        .truth
        .suggested_overrides;
    let mut c = config();
    c.identity.by_company_id.clear();
    for (key, tenant) in overrides {
        if key.bytes().all(|b| b.is_ascii_digit()) {
            c.identity.by_company_id.insert(key, tenant);
        } else {
            c.identity.by_domain.insert(key, tenant);
        }
    }
    c
}

#[tokio::test]
async fn a_207_on_the_second_batch_names_both_sides_and_a_rerun_completes() {
    // Plan once (dry run) to learn which companies the second batch holds.
    let probe = harness_with(
        book(),
        Knobs {
            config: Some(book_config()),
            ..Knobs::default()
        },
    )
    .await;
    let Output::Summary(dry) = run(&probe.ctx, json!({}), as_of()).await.unwrap() else {
        panic!("summary expected")
    };
    assert!(
        dry.writes.planned > 100,
        "two batches: {}",
        dry.writes.planned
    );
    // Updates go out in numeric id order, 100 a batch: the 101st is the second batch's first.
    let planned = planned_ids(&probe).await;
    assert_eq!(planned.len(), dry.writes.planned);
    let failing: Vec<String> = vec![planned[100].clone(), planned[planned.len() - 1].clone()];

    let h = harness_with(
        book(),
        Knobs {
            config: Some(book_config()),
            hubspot: Some(hubspot_sim::SimConfig {
                failing_company_updates: failing.iter().cloned().collect(),
                // The first attempt and the run's own retry fail; the re-run's write succeeds.
                failing_update_attempts: Some(2),
                ..hubspot_config()
            }),
            ..Knobs::default()
        },
    )
    .await;
    let error = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .expect_err("a partial write ends in error");
    let RankerError::WriteIncomplete {
        written, unwritten, ..
    } = &error
    else {
        panic!("{error}")
    };
    let unwritten_ids: Vec<&str> = unwritten.iter().map(|u| u.company_id.as_str()).collect();
    assert_eq!(
        unwritten_ids,
        failing.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(written.len(), planned.len() - 2);
    assert!(unwritten.iter().all(|u| u.category == "CONFLICT"));
    let text = error.to_string();
    assert!(
        text.contains(&format!("{} ({})", failing[0], "CONFLICT")),
        "{text}"
    );
    // Written companies hold their new values; the failing ones do not.
    assert!(h.values(&written[0])[1]
        .as_deref()
        .unwrap()
        .ends_with(&format!("out of {}", dry.n)));
    assert_ne!(
        h.values(&failing[0])[1].as_deref(),
        Some(format!("out of {}", dry.n).as_str())
    );
    let alert = message_text(&h.messages()[0]);
    assert!(alert.contains("write incomplete"), "{alert}");
    assert!(alert.contains(&failing[1]), "{alert}");
    // 2 batches, then the retry of the two in one batch.
    assert_eq!(h.update_calls(), 3);

    let Output::Summary(rerun) = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .unwrap()
    else {
        panic!("summary expected")
    };
    let mut rewritten = rerun.writes.written.clone();
    rewritten.sort();
    let mut want = failing.clone();
    want.sort();
    assert_eq!(rewritten, want, "the re-run writes exactly the rest");
    assert_eq!(rerun.writes.unchanged, dry.n - 2);
    let again = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .unwrap();
    let Output::Summary(again) = again else {
        panic!()
    };
    assert_eq!(again.writes.planned, 0);
}

/// The companies a dry run would write, in update order.
async fn planned_ids(h: &Harness) -> Vec<String> {
    use shared::ranker::handlers::read;
    use shared::ranker::jobs::plan::{plan, Inputs};
    let week =
        shared::ranker::rules::week::last_complete_week(as_of(), shared::ranker::config::ZONE);
    let (definitions, _) = read::properties(&h.ctx).await.unwrap();
    let (tenants, _) = read::tenants(&h.ctx).await.unwrap();
    let universe = read::universe(&h.ctx).await.unwrap();
    let (weekly, calls_30d, _) = read::usage(&h.ctx, week).await.unwrap();
    let inputs = Inputs {
        companies: universe.companies,
        contact_emails: universe.contact_emails,
        tenants,
        weekly,
        calls_30d,
        definitions,
    };
    plan(week, &inputs, &h.ctx.config, None)
        .unwrap()
        .updates()
        .into_iter()
        .map(|u| u.id)
        .collect()
}

#[tokio::test]
async fn ten_secondly_429s_wait_for_the_window() {
    // 2 requests per 10 s outside search: properties, associations, batch read and the
    // update need four, so the run meets 429 TEN_SECONDLY_ROLLING and waits it out.
    let h = harness(Knobs {
        hubspot: Some(hubspot_sim::SimConfig {
            ten_second_limit: 2,
            ..hubspot_config()
        }),
        ..Knobs::default()
    })
    .await;
    let out = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .unwrap();
    let Output::Summary(s) = out else { panic!() };
    assert_eq!(s.writes.written.len(), 19);
    assert_eq!(h.values("5001")[1].as_deref(), Some("1 out of 20"));
    assert!(
        h.hubspot_event("rate_limited.TEN_SECONDLY_ROLLING") >= 1,
        "{:?}",
        h.hubspot.stats().events
    );
}

#[tokio::test]
async fn a_daily_429_stops_the_run() {
    // Three requests a day: properties, the search, the associations; the batch read is refused.
    let h = harness(Knobs {
        hubspot: Some(hubspot_sim::SimConfig {
            daily_limit: 3,
            ..hubspot_config()
        }),
        ..Knobs::default()
    })
    .await;
    let text = fails_with_one_alert_and_no_write(&h).await;
    assert!(text.contains("DAILY"), "{text}");
    assert_eq!(h.hubspot_event("rate_limited.DAILY"), 1, "not retried");
}

#[tokio::test]
async fn server_errors_are_retried() {
    let h = harness(Knobs {
        hubspot: Some(hubspot_sim::SimConfig {
            error_rate: 0.3,
            seed: 11,
            ..hubspot_config()
        }),
        yobi: Some(yobi_sim::SimConfig {
            error_rate: 0.3,
            seed: 5,
            ..yobi_config()
        }),
        ..Knobs::default()
    })
    .await;
    let Output::Summary(s) = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(s.writes.written.len(), 19);
    assert!(h.hubspot_event("error_injected") > 0);
    assert!(
        h.yobi
            .stats()
            .events
            .get("error_injected")
            .copied()
            .unwrap_or(0)
            > 0
    );
    for (id, score, _, _) in expected_ranking() {
        assert_eq!(h.values(id)[0], Some(score.to_string()), "{id}");
    }
}

#[tokio::test]
async fn an_expired_yobi_token_is_renewed_mid_run() {
    let h = harness(Knobs::default()).await;
    run(&h.ctx, json!({}), as_of()).await.unwrap();
    assert_eq!(h.ctx.yobi.logins(), 1);
    // Every token issued so far expires: the next requests meet 401 token_expired.
    h.yobi.expire_tokens();
    let Output::Summary(s) = run(&h.ctx, json!({"dryRun": false}), as_of())
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(s.writes.written.len(), 19);
    assert_eq!(h.ctx.yobi.logins(), 2);
    assert!(
        h.yobi
            .stats()
            .events
            .get("token_expired")
            .copied()
            .unwrap_or(0)
            >= 1
    );
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_they_expire() {
    // Tokens live 400 ms; the client logs in again a tenth of that before the end, so the
    // second run (after the first token's life) logs in anew and never meets a 401.
    let h = harness(Knobs {
        yobi: Some(yobi_sim::SimConfig {
            token_lifetime: Duration::from_millis(400),
            ..yobi_config()
        }),
        ..Knobs::default()
    })
    .await;
    run(&h.ctx, json!({}), as_of()).await.unwrap();
    assert_eq!(h.ctx.yobi.logins(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let Output::Summary(s) = run(&h.ctx, json!({}), as_of()).await.unwrap() else {
        panic!()
    };
    assert_eq!(s.n, 20);
    assert_eq!(h.ctx.yobi.logins(), 2);
    let events = h.yobi.stats().events;
    assert_eq!(events.get("token_expired"), None, "{events:?}");
}
