-- Service performance (SERVICE-PERFORMANCE.md §3, §4): one row per Intercom conversation and the
-- daily aggregates recomputed from those rows. Durations are whole seconds; dates are local start
-- dates in the reporting time zone (the zone the job ran with); instants are timestamptz.

CREATE TABLE IF NOT EXISTS service_conversations (
    conversation_id          text PRIMARY KEY,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    state                    text NOT NULL,
    started_at               timestamptz NOT NULL,
    -- Local date, hour and weekday of started_at in the reporting zone: what every aggregate
    -- groups by.
    start_date               date NOT NULL,
    start_hour               smallint NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
    -- 0 = Sunday
    start_day_of_week        smallint NOT NULL CHECK (start_day_of_week BETWEEN 0 AND 6),
    channel                  text,
    contact_id               text,
    contact_country          text,
    assignee_id              text,
    assignee_name            text,
    team_id                  text,
    frt_seconds              integer,
    frt_office_hours_seconds integer,
    art_seconds              integer,
    median_reply_seconds     integer,
    -- Null when the parts were not read.
    response_count           integer,
    aht_seconds              integer,
    wait_time_seconds        integer,
    time_to_close_seconds    integer,
    csat_rating              smallint CHECK (csat_rating BETWEEN 1 AND 5),
    csat_remark              text,
    sentiment                text CHECK (sentiment IN ('Positive', 'Neutral', 'Negative')),
    sentiment_source         text CHECK (sentiment_source IN ('cx_score', 'tag')),
    -- Null when statistics.count_reopens is absent.
    reopened_count           integer,
    is_reopened              boolean NOT NULL DEFAULT false,
    -- Null when the parts were not read.
    parts_truncated          boolean,
    -- Off by default: message bodies are PII and are never stored.
    raw_data                 jsonb,
    synced_at                timestamptz NOT NULL DEFAULT now(),
    CHECK ((sentiment IS NULL) = (sentiment_source IS NULL))
);

CREATE INDEX IF NOT EXISTS service_conversations_start_date_idx
    ON service_conversations (start_date);
CREATE INDEX IF NOT EXISTS service_conversations_updated_at_idx
    ON service_conversations (updated_at);

-- One row per local start date.
CREATE TABLE IF NOT EXISTS service_daily_metrics (
    date                      date PRIMARY KEY,
    total_conversations       integer NOT NULL,
    new_conversations         integer NOT NULL,
    reopened_conversations    integer NOT NULL,
    avg_frt_seconds           integer,
    median_frt_seconds        integer,
    p90_frt_seconds           integer,
    avg_art_seconds           integer,
    median_art_seconds        integer,
    avg_aht_seconds           integer,
    median_aht_seconds        integer,
    avg_wait_time_seconds     integer,
    median_wait_time_seconds  integer,
    -- Conversations with a value, and those at or under the target: ranges add these exactly.
    frt_count                 integer NOT NULL,
    frt_hit_count             integer NOT NULL,
    art_count                 integer NOT NULL,
    art_hit_count             integer NOT NULL,
    frt_target_seconds        integer NOT NULL,
    art_target_seconds        integer NOT NULL,
    -- 0-100, over conversations that have the value; null when none has it.
    frt_hit_rate              numeric,
    art_hit_rate              numeric,
    avg_csat                  numeric,
    -- % of ratings that are 4 or 5, 0-100.
    csat_score                numeric,
    rated_count               integer NOT NULL,
    -- {"Positive": n, "Neutral": n, "Negative": n, "Unknown": n}
    sentiment_distribution    jsonb NOT NULL,
    -- {"<channel>": n, ...}
    channel_distribution      jsonb NOT NULL,
    -- {"0": n, ..., "23": n}: local hour of start
    hourly_distribution       jsonb NOT NULL,
    computed_at               timestamptz NOT NULL DEFAULT now()
);

-- One row per assignee per local date (period_start = period_end), with counts and sums so that
-- a range aggregates exactly.
CREATE TABLE IF NOT EXISTS service_teammate_metrics (
    assignee_id          text NOT NULL,
    period_start         date NOT NULL,
    period_end           date NOT NULL,
    assignee_name        text,
    conversation_count   integer NOT NULL,
    reopened_count       integer NOT NULL,
    frt_count            integer NOT NULL,
    frt_sum_seconds      bigint NOT NULL,
    art_count            integer NOT NULL,
    art_sum_seconds      bigint NOT NULL,
    aht_count            integer NOT NULL,
    aht_sum_seconds      bigint NOT NULL,
    wait_count           integer NOT NULL,
    wait_sum_seconds     bigint NOT NULL,
    rated_count          integer NOT NULL,
    csat_sum             integer NOT NULL,
    csat_positive_count  integer NOT NULL,
    computed_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assignee_id, period_start),
    CHECK (period_start = period_end)
);

-- One row per local date and hour.
CREATE TABLE IF NOT EXISTS service_hourly_volume (
    date                date NOT NULL,
    hour                smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    -- 0 = Sunday
    day_of_week         smallint NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    conversation_count  integer NOT NULL,
    -- No admin assignee at sync time, even if a team has it.
    unassigned_count    integer NOT NULL,
    PRIMARY KEY (date, hour)
);

-- One row per local date and country ('Unknown' when the contact has none).
CREATE TABLE IF NOT EXISTS service_country_metrics (
    date                date NOT NULL,
    country             text NOT NULL,
    conversation_count  integer NOT NULL,
    frt_count           integer NOT NULL,
    frt_sum_seconds     bigint NOT NULL,
    rated_count         integer NOT NULL,
    csat_sum            integer NOT NULL,
    PRIMARY KEY (date, country)
);
