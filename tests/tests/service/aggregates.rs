//! The aggregates and the dashboard's functions against a plain computation over the rows: for
//! random conversations and a random range, the SQL answers equal the means, true medians,
//! percentiles, hit rates and counts computed here from the rows of that range (so ranges are
//! never averages of daily averages, and recomputing a date never drifts from its rows).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use e2e_tests::postgres::{fresh_database, TestDatabase};
use proptest::prelude::*;
use serde_json::Value;
use shared::service::db;
use shared::service::rules::row::ServiceConversation;
use shared::service::rules::sentiment::{Sentiment, SentimentSource};
use shared::store::query::query_scalar;

const FRT_TARGET: i64 = 60;
const ART_TARGET: i64 = 120;

#[derive(Debug, Clone)]
struct Conv {
    day: u32,
    assignee: Option<u8>,
    frt: Option<i64>,
    art: Option<i64>,
    csat: Option<i64>,
    reopened: bool,
    sentiment: Option<u8>,
    country: Option<u8>,
}

fn conv() -> impl Strategy<Value = Conv> {
    (
        0u32..10,
        proptest::option::of(0u8..4),
        proptest::option::of(0i64..400),
        proptest::option::of(0i64..400),
        proptest::option::of(1i64..=5),
        any::<bool>(),
        proptest::option::of(0u8..3),
        proptest::option::of(0u8..3),
    )
        .prop_map(
            |(day, assignee, frt, art, csat, reopened, sentiment, country)| Conv {
                day,
                assignee,
                frt,
                art,
                csat,
                reopened,
                sentiment,
                country,
            },
        )
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(u64::from(day))
}

fn row(i: usize, c: &Conv) -> ServiceConversation {
    let at: DateTime<Utc> = DateTime::from_timestamp(1_772_400_000 + i as i64, 0).unwrap();
    let sentiment = c
        .sentiment
        .map(|s| [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative][s as usize]);
    ServiceConversation {
        conversation_id: format!("conv-{i}"),
        created_at: at,
        updated_at: at,
        state: "closed".into(),
        started_at: at,
        start_date: date(c.day),
        start_hour: (i % 24) as i32,
        start_day_of_week: date(c.day).weekday().num_days_from_sunday() as i32,
        channel: Some(["Chat", "Email"][i % 2].into()),
        contact_id: Some(format!("contact-{i}")),
        contact_country: c
            .country
            .map(|k| ["US", "DE", "FR"][k as usize].to_string()),
        assignee_id: c.assignee.map(|a| format!("{}", 10 + a)),
        assignee_name: c.assignee.map(|a| format!("Agent {a}")),
        team_id: None,
        frt_seconds: c.frt,
        frt_office_hours_seconds: c.frt,
        art_seconds: c.art,
        median_reply_seconds: None,
        response_count: Some(1),
        aht_seconds: c.frt.map(|f| f * 3),
        wait_time_seconds: None,
        time_to_close_seconds: None,
        csat_rating: c.csat,
        csat_remark: None,
        sentiment,
        sentiment_source: sentiment.map(|_| SentimentSource::Tag),
        reopened_count: Some(i64::from(c.reopened)),
        is_reopened: c.reopened,
        parts_truncated: Some(false),
        synced_at: at,
    }
}

/// Half away from zero, as Postgres rounds a numeric.
fn round(x: f64) -> i64 {
    x.round() as i64
}

fn mean(xs: &[i64]) -> Option<i64> {
    (!xs.is_empty()).then(|| round(xs.iter().sum::<i64>() as f64 / xs.len() as f64))
}

/// `percentile_cont(p)`: linear interpolation between the closest ranks.
fn percentile(xs: &[i64], p: f64) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort();
    let pos = p * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(round(
        v[lo] as f64 + (v[hi] - v[lo]) as f64 * (pos - lo as f64),
    ))
}

fn rate(hits: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| 100.0 * hits as f64 / n as f64)
}

async fn json(db: &TestDatabase, sql: &str) -> Value {
    let mut tx = db.pool.begin().await.unwrap();
    let v: Value = query_scalar(&format!(
        "SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM ({sql}) x"
    ))
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    v
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

async fn check(db: &TestDatabase, convs: &[Conv], from: u32, to: u32) {
    {
        let mut tx = db.pool.begin().await.unwrap();
        shared::store::query::execute_script(
            &mut tx,
            "TRUNCATE service_conversations, service_daily_metrics, service_teammate_metrics, \
             service_hourly_volume, service_country_metrics",
        )
        .await
        .unwrap();
        let rows: Vec<ServiceConversation> =
            convs.iter().enumerate().map(|(i, c)| row(i, c)).collect();
        db::upsert(&mut tx, &rows).await.unwrap();
        let dates: Vec<NaiveDate> = (0..10).map(date).collect();
        db::recompute_aggregates(&mut tx, &dates, FRT_TARGET, ART_TARGET)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let range: Vec<&Conv> = convs
        .iter()
        .filter(|c| (from..=to).contains(&c.day))
        .collect();
    let (f, t) = (date(from), date(to));
    let frts: Vec<i64> = range.iter().filter_map(|c| c.frt).collect();
    let arts: Vec<i64> = range.iter().filter_map(|c| c.art).collect();
    let csats: Vec<i64> = range.iter().filter_map(|c| c.csat).collect();

    let s = json(
        db,
        &format!("SELECT * FROM get_service_performance_summary('{f}', '{t}')"),
    )
    .await;
    let s = &s[0];
    assert_eq!(s["total_conversations"], range.len() as i64);
    assert_eq!(
        s["reopened_conversations"],
        range.iter().filter(|c| c.reopened).count() as i64
    );
    assert_eq!(s["avg_frt_seconds"].as_i64(), mean(&frts), "mean FRT");
    assert_eq!(
        s["median_frt_seconds"].as_i64(),
        percentile(&frts, 0.5),
        "median FRT"
    );
    assert_eq!(
        s["p90_frt_seconds"].as_i64(),
        percentile(&frts, 0.9),
        "p90 FRT"
    );
    assert_eq!(
        s["median_art_seconds"].as_i64(),
        percentile(&arts, 0.5),
        "median ART"
    );
    assert!(close(
        num(&s["frt_hit_rate"]),
        rate(
            frts.iter().filter(|x| **x <= FRT_TARGET).count(),
            frts.len()
        )
    ));
    assert!(close(
        num(&s["art_hit_rate"]),
        rate(
            arts.iter().filter(|x| **x <= ART_TARGET).count(),
            arts.len()
        )
    ));
    let avg_csat =
        (!csats.is_empty()).then(|| csats.iter().sum::<i64>() as f64 / csats.len() as f64);
    assert!(close(num(&s["avg_csat"]), avg_csat), "avg CSAT {s}");
    assert!(close(
        num(&s["csat_score"]),
        rate(csats.iter().filter(|x| **x >= 4).count(), csats.len())
    ));

    // Leaderboard by FRT: exact weighted means per assignee.
    let board = json(
        db,
        &format!("SELECT * FROM get_service_teammate_leaderboard('{f}', '{t}', 'frt', 100)"),
    )
    .await;
    for entry in board.as_array().unwrap() {
        let id: u8 = entry["assignee_id"]
            .as_str()
            .unwrap()
            .parse::<u8>()
            .unwrap()
            - 10;
        let theirs: Vec<&&Conv> = range.iter().filter(|c| c.assignee == Some(id)).collect();
        assert_eq!(entry["conversation_count"], theirs.len() as i64);
        let their_frts: Vec<i64> = theirs.iter().filter_map(|c| c.frt).collect();
        assert_eq!(entry["avg_frt_seconds"].as_i64(), mean(&their_frts));
        let their_csats: Vec<i64> = theirs.iter().filter_map(|c| c.csat).collect();
        let want = (!their_csats.is_empty())
            .then(|| their_csats.iter().sum::<i64>() as f64 / their_csats.len() as f64);
        assert!(close(num(&entry["avg_csat"]), want));
    }
    let assignees: std::collections::BTreeSet<u8> =
        range.iter().filter_map(|c| c.assignee).collect();
    assert_eq!(board.as_array().unwrap().len(), assignees.len());
    // Ranked: known FRT means ascending, unknown last.
    let values: Vec<Option<f64>> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|e| num(&e["metric_value"]))
        .collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
    assert!(
        values
            .iter()
            .skip_while(|v| v.is_some())
            .all(Option::is_none),
        "{values:?}"
    );

    let sentiments = json(
        db,
        &format!("SELECT * FROM get_service_sentiment_distribution('{f}', '{t}')"),
    )
    .await;
    for (k, name) in ["Positive", "Neutral", "Negative"].iter().enumerate() {
        let n = range
            .iter()
            .filter(|c| c.sentiment == Some(k as u8))
            .count() as i64;
        let got = sentiments
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["sentiment"] == *name)
            .unwrap();
        assert_eq!(got["conversation_count"], n, "{name}");
    }
    let countries = json(
        db,
        &format!("SELECT * FROM get_service_country_distribution('{f}', '{t}', 10)"),
    )
    .await;
    let total: i64 = countries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["conversation_count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, range.len() as i64);
    let heat = json(
        db,
        &format!(
            "SELECT sum(conversation_count) AS n FROM get_service_volume_heatmap('{f}', '{t}')"
        ),
    )
    .await;
    assert_eq!(heat[0]["n"].as_i64().unwrap_or(0), range.len() as i64);
}

#[test]
fn range_figures_equal_a_plain_computation_over_the_rows() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(async {
        let db = fresh_database().await;
        shared::store::migrate(&db.pool, shared::store::MIGRATIONS)
            .await
            .unwrap();
        db
    });
    let config = ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    };
    proptest!(config, |(convs in proptest::collection::vec(conv(), 0..60), a in 0u32..10, b in 0u32..10)| {
        let (from, to) = (a.min(b), a.max(b));
        runtime.block_on(check(&db, &convs, from, to));
    });
    runtime.block_on(db.drop_database());
}
