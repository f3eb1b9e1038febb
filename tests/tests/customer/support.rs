//! What the customer tests share: a hand-built workspace with hand-computed rows, the context on
//! the simulator, a fresh database and the Slack sink, and the table read back.

use std::time::Duration;

use e2e_tests::postgres::TestDatabase;
use e2e_tests::TOKEN;
use intercom_sim::{RunningSim, Workspace};
use serde_json::{json, Value};
use shared::aws::secrets::TokenSource;
use shared::context::IntercomSettings;
use shared::customers::config::Config;
use shared::customers::handlers::CustomerContext;
use shared::notify::{SlackClient, SlackConfig, WebhookSource, WebhookUrl};
use shared::store::query::query_scalar;

/// 2026-11-30T12:00:00Z.
pub const AS_OF: i64 = 1_796_040_000;
pub const AS_OF_TEXT: &str = "2026-11-30T12:00:00Z";
pub const DAY: i64 = 86_400;

/// A contact in Intercom's 2.11 shape.
pub fn contact(
    id: &str,
    email: Option<&str>,
    name: Option<&str>,
    updated_at: i64,
    attrs: Value,
    extra: Value,
) -> Value {
    let mut c = json!({
        "type": "contact", "id": id, "workspace_id": "sim", "external_id": format!("EXT-{id}"),
        "role": "user", "email": email, "phone": null, "name": name, "avatar": null,
        "owner_id": null, "has_hard_bounced": false, "marked_email_as_spam": false,
        "unsubscribed_from_emails": false, "created_at": 1_735_689_600, "updated_at": updated_at,
        "signed_up_at": null, "last_seen_at": null, "last_replied_at": null,
        "last_contacted_at": null, "last_email_opened_at": null, "last_email_clicked_at": null,
        "language_override": null, "browser": null, "browser_version": null,
        "browser_language": null, "os": null,
        "location": {"type": "location", "country": null, "region": null, "city": null},
        "custom_attributes": attrs,
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

pub fn author(kind: &str, id: &str) -> Value {
    json!({"type": kind, "id": id, "name": "Someone", "email": "someone@example.com"})
}

pub fn part(id: &str, at: i64, by: Value, body: &str) -> Value {
    json!({"type": "conversation_part", "id": id, "part_type": "comment", "body": body,
           "created_at": at, "updated_at": at, "notified_at": at, "author": by})
}

/// A conversation of `contact_id` whose source `by` wrote `body`.
#[allow(clippy::too_many_arguments)]
pub fn conversation(
    id: &str,
    contact_id: &str,
    created_at: i64,
    updated_at: i64,
    state: &str,
    by: Value,
    body: &str,
    extra: Value,
) -> Value {
    let mut c = json!({
        "type": "conversation", "id": id, "title": null, "created_at": created_at,
        "updated_at": updated_at, "waiting_since": null, "snoozed_until": null,
        "open": state == "open", "state": state, "read": true, "priority": "not_priority",
        "admin_assignee_id": null, "team_assignee_id": null,
        "tags": {"type": "tag.list", "tags": []}, "conversation_rating": null,
        "source": {"type": "conversation", "id": format!("src-{id}"),
                   "delivered_as": if by["type"] == "admin" { "admin_initiated" } else { "customer_initiated" },
                   "subject": "", "body": body, "author": by, "attachments": [], "url": null, "redacted": false},
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact_id, "external_id": null}]},
        "teammates": {"type": "admin.list", "teammates": []},
        "custom_attributes": {}, "first_contact_reply": null, "sla_applied": null,
        "statistics": {"type": "conversation_statistics", "last_contact_reply_at": created_at},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [], "total_count": 0},
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn rated(r: i64) -> Value {
    json!({"conversation_rating": {"rating": r, "remark": null, "created_at": AS_OF - 5 * DAY,
        "contact": {"type": "contact", "id": "x"}, "teammate": {"type": "admin", "id": "10"}}})
}

/// The workspace of the sync tests (expected rows in [`expected_rows`]):
///
/// - `c-ann` (`Ann@Acme.com`): flat Stripe, 49.99 a month, active; two conversations, one recent,
///   open, rated 4, whose source she wrote mentions "cancel"; the other closed, rated 5.
/// - `c-bob`: the arrays: 3 × 250.00 a month active + 1,200.00 per 2 years past-due = 800.00 MRR;
///   payments 750.00 less 250.00 refunded + 50.00 (a failed one ignored) = 550.00 LTV; delinquent;
///   a conversation whose part by him (3 days ago) says "switching" after an admin's "cancel?",
///   and an open admin-initiated one saying "leaving" (not his).
/// - `c-cat`: a lead in Germany seen 8 days ago; an admin's and a bot's cancel words only.
/// - `c-dana-old` / `c-dana-new`: one email (`dana@delta.com` in two cases); the newer wins and the
///   older's rated-1 conversation is not credited. 1,200.00 a year active: 100.00 MRR.
/// - skipped: no email, an invalid email, a negative plan price.
pub fn workspace() -> Workspace {
    let ann = contact(
        "c-ann",
        Some("Ann@Acme.com"),
        Some("Ann Lee"),
        AS_OF - 3 * DAY,
        json!({"stripe_id": "cus_ann", "stripe_plan": "Pro", "stripe_plan_price": 49.99,
               "stripe_plan_interval": "month", "stripe_subscription_status": "active",
               "stripe_delinquent": false, "stripe_last_charge_amount": 49.99,
               "stripe_last_charge_at": AS_OF - 5 * DAY}),
        json!({"last_seen_at": AS_OF - 2 * DAY,
               "location": {"type": "location", "country": "United States", "region": "Illinois", "city": "Chicago"}}),
    );
    let bob = contact(
        "c-bob",
        Some("bob@beta.io"),
        Some("Bob Stone"),
        AS_OF - 4 * DAY,
        json!({"stripe_id": "cus_bob", "stripe_plan": "Scale", "stripe_subscription_status": "past_due",
               "stripe_delinquent": true,
               "Stripe Subscriptions": [
                   {"id": "sub_1", "status": "active", "quantity": 3, "plan": {"amount": 25000, "interval": "month", "interval_count": 1}},
                   {"id": "sub_2", "status": "past_due", "quantity": 1, "plan": {"amount": 120000, "interval": "year", "interval_count": 2}}],
               "Stripe Payments": json!([
                   {"id": "ch_1", "amount": 75000, "amount_refunded": 25000, "status": "succeeded"},
                   {"id": "ch_2", "amount": 5000, "status": "succeeded"},
                   {"id": "ch_3", "amount": 9999, "status": "failed"}]).to_string()}),
        json!({}),
    );
    let cat = contact(
        "c-cat",
        Some("cat@gamma.org"),
        Some("Cat Berg"),
        AS_OF - 20 * DAY,
        json!({}),
        json!({"role": "lead", "last_seen_at": AS_OF - 8 * DAY - 3600,
               "location": {"type": "location", "country": "Germany", "region": null, "city": null}}),
    );
    let dana_old = contact(
        "c-dana-old",
        Some("DANA@delta.com"),
        Some("Dana (old)"),
        AS_OF - 10 * DAY,
        json!({}),
        json!({}),
    );
    let dana_new = contact(
        "c-dana-new",
        Some("dana@delta.com"),
        None,
        AS_OF - DAY,
        json!({"stripe_id": "cus_dana", "stripe_plan": "Team", "stripe_plan_price": 1200,
               "stripe_plan_interval": "year", "stripe_subscription_status": "active"}),
        json!({}),
    );
    let nomail = contact(
        "c-nomail",
        None,
        Some("No Mail"),
        AS_OF - DAY,
        json!({}),
        json!({}),
    );
    let bademail = contact(
        "c-bademail",
        Some("not-an-email"),
        None,
        AS_OF - DAY,
        json!({}),
        json!({}),
    );
    let badstripe = contact(
        "c-badstripe",
        Some("eve@eps.com"),
        None,
        AS_OF - DAY,
        json!({"stripe_id": "cus_eve", "stripe_plan_price": -10, "stripe_plan_interval": "month",
               "stripe_subscription_status": "active"}),
        json!({}),
    );

    let user = |id: &str| author("user", id);
    let conversations = vec![
        conversation(
            "v-ann-1",
            "c-ann",
            AS_OF - 10 * DAY,
            AS_OF - 9 * DAY,
            "open",
            user("c-ann"),
            "<p>Hello, I want to <b>cancel</b> my plan</p>",
            rated(4),
        ),
        conversation(
            "v-ann-2",
            "c-ann",
            AS_OF - 60 * DAY,
            AS_OF - 59 * DAY,
            "closed",
            user("c-ann"),
            "<p>How do I export?</p>",
            rated(5),
        ),
        {
            let mut c = conversation(
                "v-bob-1",
                "c-bob",
                AS_OF - 40 * DAY,
                AS_OF - 3 * DAY,
                "closed",
                user("c-bob"),
                "<p>Question about invoices</p>",
                json!({}),
            );
            c["statistics"]["last_contact_reply_at"] = json!(AS_OF - 3 * DAY);
            c["conversation_parts"] = json!({"type": "conversation_part.list", "total_count": 2, "conversation_parts": [
                part("p1", AS_OF - 4 * DAY, author("admin", "10"), "<p>Do you want to cancel?</p>"),
                part("p2", AS_OF - 3 * DAY, user("c-bob"), "<p>No &mdash; we&rsquo;re switching vendors</p>"),
            ]});
            c
        },
        {
            let mut c = conversation(
                "v-bob-2",
                "c-bob",
                AS_OF - 5 * DAY,
                AS_OF - 5 * DAY,
                "open",
                author("admin", "10"),
                "<p>Sorry to hear you are leaving</p>",
                json!({}),
            );
            c["statistics"]["last_contact_reply_at"] = Value::Null;
            c
        },
        {
            let mut c = conversation(
                "v-cat-1",
                "c-cat",
                AS_OF - 2 * DAY,
                AS_OF - DAY,
                "open",
                author("admin", "10"),
                "<p>Are you thinking of cancelling?</p>",
                json!({}),
            );
            c["statistics"]["last_contact_reply_at"] = json!(AS_OF - DAY);
            c["conversation_parts"] = json!({"type": "conversation_part.list", "total_count": 2, "conversation_parts": [
                part("p3", AS_OF - 2 * DAY + 60, author("bot", "99"), "<p>Our cancellation policy is here</p>"),
                part("p4", AS_OF - DAY, author("lead", "c-cat"), "<p>No thanks, all good</p>"),
            ]});
            c
        },
        conversation(
            "v-dana-old",
            "c-dana-old",
            AS_OF - 3 * DAY,
            AS_OF - 3 * DAY,
            "open",
            user("c-dana-old"),
            "<p>cancel everything</p>",
            rated(1),
        ),
    ];
    let ws = json!({
        "admins": [
            {"type": "admin", "id": "10", "name": "Agent", "email": "agent@support.example"},
            {"type": "bot", "id": "99", "name": "Fin", "email": "fin@bot.example"}
        ],
        "contacts": [ann, bob, cat, dana_old, dana_new, nomail, bademail, badstripe],
        "conversations": conversations,
        "data_attributes": [],
    });
    serde_json::from_value(ws).expect("a workspace")
}

/// The Intercom-owned columns this test checks, in [`COLUMNS`] order.
pub const COLUMNS: &str =
    "email, intercom_contact_id, external_id, name, location_country, location_city, \
    days_since_seen, stripe_customer_id, plan_name, plan_price::text, subscription_status, \
    is_delinquent, last_payment_amount::text, mrr::text, arr::text, subscription_count, ltv::text, \
    intercom_convos_total, intercom_convos_30d, open_tickets, csat_score::text, mentioned_cancel, \
    quality_score";

/// The rows the first sync of [`workspace`] writes, computed by hand (see each comment).
pub fn expected_rows() -> Vec<Value> {
    vec![
        // ann: 49.99 × 12 = 599.88; CSAT (4 + 5) / 2 = 4.50; "cancel" in her own source 10 days
        // ago. Score 20 + 20 + 15 (last charge, no LTV) + 15 (seen 2 days ago) + 10 + 10 + 10.
        json!({"email": "ann@acme.com", "intercom_contact_id": "c-ann", "external_id": "EXT-c-ann",
               "name": "Ann Lee", "location_country": "United States", "location_city": "Chicago",
               "days_since_seen": 2, "stripe_customer_id": "cus_ann", "plan_name": "Pro",
               "plan_price": "49.99", "subscription_status": "active", "is_delinquent": false,
               "last_payment_amount": "49.99", "mrr": "49.99", "arr": "599.88",
               "subscription_count": 1, "ltv": null, "intercom_convos_total": 2,
               "intercom_convos_30d": 1, "open_tickets": 1, "csat_score": "4.50",
               "mentioned_cancel": true, "quality_score": 100}),
        // bob: 750.00 + 50.00 = 800.00 MRR, 9,600.00 ARR; LTV 500.00 + 50.00; "switching" in his
        // part 3 days ago. Score 20 + 20 (an active array subscription) + 15 (LTV) + 10 (convos).
        json!({"email": "bob@beta.io", "intercom_contact_id": "c-bob", "external_id": "EXT-c-bob",
               "name": "Bob Stone", "location_country": null, "location_city": null,
               "days_since_seen": null, "stripe_customer_id": "cus_bob", "plan_name": "Scale",
               "plan_price": null, "subscription_status": "past_due", "is_delinquent": true,
               "last_payment_amount": null, "mrr": "800.00", "arr": "9600.00",
               "subscription_count": 2, "ltv": "550.00", "intercom_convos_total": 2,
               "intercom_convos_30d": 1, "open_tickets": 1, "csat_score": null,
               "mentioned_cancel": true, "quality_score": 65}),
        // cat: no Stripe data (nulls); seen 8 days 1 hour ago; only an admin and a bot say
        // cancel words. Score 10 (location) + 10 (a conversation).
        json!({"email": "cat@gamma.org", "intercom_contact_id": "c-cat", "external_id": "EXT-c-cat",
               "name": "Cat Berg", "location_country": "Germany", "location_city": null,
               "days_since_seen": 8, "stripe_customer_id": null, "plan_name": null,
               "plan_price": null, "subscription_status": null, "is_delinquent": null,
               "last_payment_amount": null, "mrr": null, "arr": null,
               "subscription_count": null, "ltv": null, "intercom_convos_total": 1,
               "intercom_convos_30d": 1, "open_tickets": 1, "csat_score": null,
               "mentioned_cancel": false, "quality_score": 20}),
        // dana: the newer contact; 1,200.00 a year = 100.00 a month; no name: the local part;
        // the older contact's conversation is not hers. Score 20 + 20.
        json!({"email": "dana@delta.com", "intercom_contact_id": "c-dana-new", "external_id": "EXT-c-dana-new",
               "name": "dana", "location_country": null, "location_city": null,
               "days_since_seen": null, "stripe_customer_id": "cus_dana", "plan_name": "Team",
               "plan_price": "1200.00", "subscription_status": "active", "is_delinquent": null,
               "last_payment_amount": null, "mrr": "100.00", "arr": "1200.00",
               "subscription_count": 1, "ltv": null, "intercom_convos_total": 0,
               "intercom_convos_30d": 0, "open_tickets": 0, "csat_score": null,
               "mentioned_cancel": false, "quality_score": 40}),
    ]
}

/// A Slack client of `sink` that retries quickly.
pub fn slack(sink: &slack_sink::RunningSink) -> SlackClient {
    SlackClient::new(
        WebhookSource::fixed(WebhookUrl::parse(&sink.webhook_url()).unwrap()),
        SlackConfig {
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            max_retries: 2,
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
            max_total_wait: Duration::from_secs(2),
        },
    )
    .unwrap()
}

/// The context `customer-sync` would build, on `sim`, `db` and (optionally) the sink.
pub fn customer_context(
    sim: &RunningSim,
    db: &TestDatabase,
    slack: Option<SlackClient>,
) -> CustomerContext {
    CustomerContext::new(
        Config::default(),
        IntercomSettings {
            base_url: sim.base_url.clone(),
            version: "2.11".into(),
            timeout: shared::intercom::DEFAULT_TIMEOUT,
        },
        TokenSource::fixed(TOKEN.into()),
        db.url.clone(),
        slack,
    )
}

/// Rows of `sql` (one JSON object each) as `SELECT coalesce(jsonb_agg(...))`.
pub async fn rows(db: &TestDatabase, table: &str, columns: &str, order: &str) -> Vec<Value> {
    let sql = format!(
        "SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY {order}), '[]') FROM (SELECT {columns} FROM {table}) t"
    );
    let value: Value = query_scalar(&sql).fetch_one(&db.pool).await.unwrap();
    value.as_array().unwrap().clone()
}

/// `unified_customers` with the checked columns, by email.
pub async fn customers(db: &TestDatabase) -> Vec<Value> {
    // to_jsonb names `plan_price::text` columns `plan_price` etc.
    rows(db, "unified_customers", COLUMNS, "email").await
}

/// `customer_alerts` as (email, kind, previous, new), in insertion order.
pub async fn alerts(db: &TestDatabase) -> Vec<(String, String, Option<String>, Option<String>)> {
    rows(
        db,
        "customer_alerts",
        "id, email, kind, previous_value, new_value",
        "id",
    )
    .await
    .into_iter()
    .map(|r| {
        (
            r["email"].as_str().unwrap().to_string(),
            r["kind"].as_str().unwrap().to_string(),
            r["previous_value"].as_str().map(str::to_string),
            r["new_value"].as_str().map(str::to_string),
        )
    })
    .collect()
}
