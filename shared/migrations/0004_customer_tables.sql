-- Customer sync (CUSTOMER-SYNC.md §2, §3): one row per customer email in unified_customers, and
-- the alerts raised on changes of state. Money is NUMERIC(12,2) dollars, computed in integer cents
-- and rounded half-even once by the job; instants are timestamptz.
--
-- Intercom owns only the columns below (the job's upsert names them and nothing else). Other
-- sources may add and own columns of this table; the job never writes them.

CREATE TABLE IF NOT EXISTS unified_customers (
    -- Lower-case; the key every source matches on.
    email                 text PRIMARY KEY CHECK (email = lower(email)),
    intercom_contact_id   text,
    external_id           text,
    name                  text,
    location_country      text,
    location_city         text,
    signup_date           timestamptz,
    last_seen_at          timestamptz,
    days_since_seen       integer,
    -- contact.updated_at of the contact that wrote the row: decides duplicate emails.
    intercom_updated_at   timestamptz,
    stripe_customer_id    text,
    plan_name             text,
    plan_price            numeric(12,2),
    subscription_status   text,
    is_delinquent         boolean,
    last_payment_amount   numeric(12,2),
    last_payment_date     timestamptz,
    mrr                   numeric(12,2),
    arr                   numeric(12,2),
    subscription_count    integer,
    ltv                   numeric(12,2),
    intercom_convos_total integer,
    intercom_convos_30d   integer,
    open_tickets          integer,
    csat_score            numeric(3,2),
    mentioned_cancel      boolean,
    quality_score         smallint CHECK (quality_score BETWEEN 0 AND 100),
    -- As-of of the run that last wrote the Intercom columns.
    last_intercom_sync    timestamptz
);

CREATE INDEX IF NOT EXISTS unified_customers_intercom_contact_id
    ON unified_customers (intercom_contact_id);

CREATE TABLE IF NOT EXISTS customer_alerts (
    id             bigserial PRIMARY KEY,
    email          text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('high_value', 'cancel_mention', 'delinquent', 'mrr_change')),
    -- Dollars with two decimals, true/false, or null for "none".
    previous_value text,
    new_value      text,
    run_id         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- When the run's Slack message carried it; null until then (a Slack outage loses no row, and
    -- the next run's message carries it).
    notified_at    timestamptz
);

CREATE INDEX IF NOT EXISTS customer_alerts_unnotified
    ON customer_alerts (id) WHERE notified_at IS NULL;
CREATE INDEX IF NOT EXISTS customer_alerts_email ON customer_alerts (email, created_at);
