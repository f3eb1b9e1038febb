-- Service performance: the aggregate recompute the job calls inside its transaction
-- (SERVICE-PERFORMANCE.md §4), and the dashboard's functions (§5) with the earlier names and
-- parameters. Ranges are local start dates, both ends inclusive; range figures are computed
-- exactly over the conversations in the range (weighted means, true medians), never as an
-- average of daily averages. Durations are whole seconds, rates are 0-100.

-- Rebuilds every aggregate row of the local dates p_dates from service_conversations: dates
-- that no longer have a conversation lose their rows. Returns the number of dates given.
CREATE OR REPLACE FUNCTION service_recompute_aggregates(
    p_dates date[],
    p_frt_target_seconds integer,
    p_art_target_seconds integer
) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF p_frt_target_seconds IS NULL OR p_frt_target_seconds < 0
       OR p_art_target_seconds IS NULL OR p_art_target_seconds < 0 THEN
        RAISE EXCEPTION 'service_recompute_aggregates: targets must be non-negative seconds'
            USING ERRCODE = '22023';
    END IF;

    DELETE FROM service_daily_metrics WHERE date = ANY (p_dates);
    DELETE FROM service_teammate_metrics WHERE period_start = ANY (p_dates);
    DELETE FROM service_hourly_volume WHERE date = ANY (p_dates);
    DELETE FROM service_country_metrics WHERE date = ANY (p_dates);

    INSERT INTO service_daily_metrics (
        date, total_conversations, new_conversations, reopened_conversations,
        avg_frt_seconds, median_frt_seconds, p90_frt_seconds,
        avg_art_seconds, median_art_seconds, avg_aht_seconds, median_aht_seconds,
        avg_wait_time_seconds, median_wait_time_seconds,
        frt_count, frt_hit_count, art_count, art_hit_count,
        frt_target_seconds, art_target_seconds, frt_hit_rate, art_hit_rate,
        avg_csat, csat_score, rated_count,
        sentiment_distribution, channel_distribution, hourly_distribution)
    SELECT
        c.start_date,
        count(*),
        count(*) FILTER (WHERE NOT c.is_reopened),
        count(*) FILTER (WHERE c.is_reopened),
        round(avg(c.frt_seconds)),
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.frt_seconds))::numeric),
        round((percentile_cont(0.9) WITHIN GROUP (ORDER BY c.frt_seconds))::numeric),
        round(avg(c.art_seconds)),
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.art_seconds))::numeric),
        round(avg(c.aht_seconds)),
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.aht_seconds))::numeric),
        round(avg(c.wait_time_seconds)),
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.wait_time_seconds))::numeric),
        count(c.frt_seconds),
        count(*) FILTER (WHERE c.frt_seconds <= p_frt_target_seconds),
        count(c.art_seconds),
        count(*) FILTER (WHERE c.art_seconds <= p_art_target_seconds),
        p_frt_target_seconds,
        p_art_target_seconds,
        100.0 * count(*) FILTER (WHERE c.frt_seconds <= p_frt_target_seconds)
            / NULLIF(count(c.frt_seconds), 0),
        100.0 * count(*) FILTER (WHERE c.art_seconds <= p_art_target_seconds)
            / NULLIF(count(c.art_seconds), 0),
        avg(c.csat_rating),
        100.0 * count(*) FILTER (WHERE c.csat_rating >= 4) / NULLIF(count(c.csat_rating), 0),
        count(c.csat_rating),
        jsonb_build_object(
            'Positive', count(*) FILTER (WHERE c.sentiment = 'Positive'),
            'Neutral', count(*) FILTER (WHERE c.sentiment = 'Neutral'),
            'Negative', count(*) FILTER (WHERE c.sentiment = 'Negative'),
            'Unknown', count(*) FILTER (WHERE c.sentiment IS NULL)),
        (SELECT jsonb_object_agg(ch.channel, ch.n)
           FROM (SELECT coalesce(x.channel, 'Unknown') AS channel, count(*) AS n
                   FROM service_conversations x
                  WHERE x.start_date = c.start_date
                  GROUP BY 1) ch),
        (SELECT jsonb_object_agg(h.hour::text, h.n ORDER BY h.hour)
           FROM (SELECT g.hour, count(x.conversation_id) AS n
                   FROM generate_series(0, 23) AS g(hour)
                   LEFT JOIN service_conversations x
                     ON x.start_date = c.start_date AND x.start_hour = g.hour
                  GROUP BY g.hour) h)
    FROM service_conversations c
    WHERE c.start_date = ANY (p_dates)
    GROUP BY c.start_date;

    INSERT INTO service_teammate_metrics (
        assignee_id, period_start, period_end, assignee_name, conversation_count, reopened_count,
        frt_count, frt_sum_seconds, art_count, art_sum_seconds, aht_count, aht_sum_seconds,
        wait_count, wait_sum_seconds, rated_count, csat_sum, csat_positive_count)
    SELECT
        c.assignee_id, c.start_date, c.start_date,
        (array_agg(c.assignee_name ORDER BY c.updated_at DESC)
            FILTER (WHERE c.assignee_name IS NOT NULL))[1],
        count(*),
        count(*) FILTER (WHERE c.is_reopened),
        count(c.frt_seconds), coalesce(sum(c.frt_seconds), 0),
        count(c.art_seconds), coalesce(sum(c.art_seconds), 0),
        count(c.aht_seconds), coalesce(sum(c.aht_seconds), 0),
        count(c.wait_time_seconds), coalesce(sum(c.wait_time_seconds), 0),
        count(c.csat_rating), coalesce(sum(c.csat_rating), 0),
        count(*) FILTER (WHERE c.csat_rating >= 4)
    FROM service_conversations c
    WHERE c.start_date = ANY (p_dates) AND c.assignee_id IS NOT NULL
    GROUP BY c.assignee_id, c.start_date;

    INSERT INTO service_hourly_volume (date, hour, day_of_week, conversation_count, unassigned_count)
    SELECT c.start_date, c.start_hour, extract(dow FROM c.start_date)::smallint,
           count(*), count(*) FILTER (WHERE c.assignee_id IS NULL)
    FROM service_conversations c
    WHERE c.start_date = ANY (p_dates)
    GROUP BY c.start_date, c.start_hour;

    INSERT INTO service_country_metrics (
        date, country, conversation_count, frt_count, frt_sum_seconds, rated_count, csat_sum)
    SELECT c.start_date, coalesce(nullif(c.contact_country, ''), 'Unknown'), count(*),
           count(c.frt_seconds), coalesce(sum(c.frt_seconds), 0),
           count(c.csat_rating), coalesce(sum(c.csat_rating), 0)
    FROM service_conversations c
    WHERE c.start_date = ANY (p_dates)
    GROUP BY 1, 2;

    RETURN coalesce(cardinality(p_dates), 0);
END;
$$;

-- Refuses a missing or reversed range.
CREATE OR REPLACE FUNCTION service_check_range(p_start_date date, p_end_date date)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_start_date IS NULL OR p_end_date IS NULL THEN
        RAISE EXCEPTION 'p_start_date and p_end_date are required' USING ERRCODE = '22023';
    END IF;
    IF p_start_date > p_end_date THEN
        RAISE EXCEPTION 'p_start_date (%) is after p_end_date (%)', p_start_date, p_end_date
            USING ERRCODE = '22023';
    END IF;
END;
$$;

-- The scorecards over a range: volumes, mean/median/p90 durations over the conversations in
-- the range, hit rates from the daily counts (each day at the targets the job ran with), CSAT.
CREATE OR REPLACE FUNCTION get_service_performance_summary(p_start_date date, p_end_date date)
RETURNS TABLE (
    total_conversations bigint,
    new_conversations bigint,
    reopened_conversations bigint,
    avg_frt_seconds integer,
    median_frt_seconds integer,
    p90_frt_seconds integer,
    avg_art_seconds integer,
    median_art_seconds integer,
    avg_aht_seconds integer,
    median_aht_seconds integer,
    avg_wait_time_seconds integer,
    median_wait_time_seconds integer,
    frt_hit_rate numeric,
    art_hit_rate numeric,
    avg_csat numeric,
    csat_score numeric,
    rated_count bigint
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    RETURN QUERY
    WITH c AS (
        SELECT * FROM service_conversations
        WHERE start_date BETWEEN p_start_date AND p_end_date
    ), d AS (
        SELECT sum(frt_count) AS frt_n, sum(frt_hit_count) AS frt_hits,
               sum(art_count) AS art_n, sum(art_hit_count) AS art_hits
        FROM service_daily_metrics
        WHERE date BETWEEN p_start_date AND p_end_date
    )
    SELECT
        count(*),
        count(*) FILTER (WHERE NOT c.is_reopened),
        count(*) FILTER (WHERE c.is_reopened),
        round(avg(c.frt_seconds))::integer,
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.frt_seconds))::numeric)::integer,
        round((percentile_cont(0.9) WITHIN GROUP (ORDER BY c.frt_seconds))::numeric)::integer,
        round(avg(c.art_seconds))::integer,
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.art_seconds))::numeric)::integer,
        round(avg(c.aht_seconds))::integer,
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.aht_seconds))::numeric)::integer,
        round(avg(c.wait_time_seconds))::integer,
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.wait_time_seconds))::numeric)::integer,
        (SELECT 100.0 * d.frt_hits / NULLIF(d.frt_n, 0) FROM d),
        (SELECT 100.0 * d.art_hits / NULLIF(d.art_n, 0) FROM d),
        avg(c.csat_rating),
        100.0 * count(*) FILTER (WHERE c.csat_rating >= 4) / NULLIF(count(c.csat_rating), 0),
        count(c.csat_rating)
    FROM c;
END;
$$;

-- One row per local date of the range, days without conversations included (zero counts,
-- null durations).
CREATE OR REPLACE FUNCTION get_service_daily_trend(p_start_date date, p_end_date date)
RETURNS TABLE (
    date date,
    total_conversations integer,
    new_conversations integer,
    reopened_conversations integer,
    avg_frt_seconds integer,
    median_frt_seconds integer,
    p90_frt_seconds integer,
    avg_art_seconds integer,
    median_art_seconds integer,
    avg_aht_seconds integer,
    median_aht_seconds integer,
    avg_wait_time_seconds integer,
    median_wait_time_seconds integer,
    frt_hit_rate numeric,
    art_hit_rate numeric,
    avg_csat numeric,
    csat_score numeric,
    rated_count integer
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    RETURN QUERY
    SELECT g.day::date,
           coalesce(m.total_conversations, 0),
           coalesce(m.new_conversations, 0),
           coalesce(m.reopened_conversations, 0),
           m.avg_frt_seconds, m.median_frt_seconds, m.p90_frt_seconds,
           m.avg_art_seconds, m.median_art_seconds,
           m.avg_aht_seconds, m.median_aht_seconds,
           m.avg_wait_time_seconds, m.median_wait_time_seconds,
           m.frt_hit_rate, m.art_hit_rate, m.avg_csat, m.csat_score,
           coalesce(m.rated_count, 0)
    FROM generate_series(p_start_date, p_end_date, interval '1 day') AS g(day)
    LEFT JOIN service_daily_metrics m ON m.date = g.day::date
    ORDER BY g.day;
END;
$$;

-- Teammates ranked by p_metric over the range: conversation_count and csat (the exact mean
-- rating) descending, frt, art and aht (means, seconds) ascending; teammates without a value
-- for the metric come last; ties by assignee id. An unknown metric is an error.
CREATE OR REPLACE FUNCTION get_service_teammate_leaderboard(
    p_start_date date,
    p_end_date date,
    p_metric text,
    p_limit integer
)
RETURNS TABLE (
    rank integer,
    assignee_id text,
    assignee_name text,
    conversation_count bigint,
    avg_frt_seconds integer,
    avg_art_seconds integer,
    avg_aht_seconds integer,
    avg_wait_time_seconds integer,
    avg_csat numeric,
    csat_score numeric,
    rated_count bigint,
    metric_value numeric
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    IF p_metric IS NULL OR p_metric NOT IN ('conversation_count', 'frt', 'art', 'aht', 'csat') THEN
        RAISE EXCEPTION 'unknown metric %: expected conversation_count, frt, art, aht or csat',
            coalesce(quote_literal(p_metric), 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'p_limit must be at least 1' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    WITH t AS (
        SELECT m.assignee_id,
               (array_agg(m.assignee_name ORDER BY m.period_start DESC)
                   FILTER (WHERE m.assignee_name IS NOT NULL))[1] AS assignee_name,
               sum(m.conversation_count)::bigint AS conversation_count,
               round(sum(m.frt_sum_seconds)::numeric / NULLIF(sum(m.frt_count), 0))::integer AS frt,
               round(sum(m.art_sum_seconds)::numeric / NULLIF(sum(m.art_count), 0))::integer AS art,
               round(sum(m.aht_sum_seconds)::numeric / NULLIF(sum(m.aht_count), 0))::integer AS aht,
               round(sum(m.wait_sum_seconds)::numeric / NULLIF(sum(m.wait_count), 0))::integer AS wait,
               sum(m.csat_sum)::numeric / NULLIF(sum(m.rated_count), 0) AS csat,
               100.0 * sum(m.csat_positive_count) / NULLIF(sum(m.rated_count), 0) AS csat_score,
               sum(m.rated_count)::bigint AS rated_count
        FROM service_teammate_metrics m
        WHERE m.period_start BETWEEN p_start_date AND p_end_date
        GROUP BY m.assignee_id
    ), v AS (
        SELECT t.*,
               CASE p_metric
                   WHEN 'conversation_count' THEN t.conversation_count::numeric
                   WHEN 'frt' THEN t.frt::numeric
                   WHEN 'art' THEN t.art::numeric
                   WHEN 'aht' THEN t.aht::numeric
                   WHEN 'csat' THEN t.csat
               END AS metric_value
        FROM t
    )
    SELECT (row_number() OVER w)::integer, v.assignee_id, v.assignee_name, v.conversation_count,
           v.frt, v.art, v.aht, v.wait, v.csat, v.csat_score, v.rated_count, v.metric_value
    FROM v
    WINDOW w AS (ORDER BY
        v.metric_value IS NULL,
        CASE WHEN p_metric IN ('conversation_count', 'csat') THEN -v.metric_value ELSE v.metric_value END,
        v.assignee_id)
    ORDER BY 1
    LIMIT p_limit;
END;
$$;

-- Conversations by sentiment over the range: Positive, Neutral, Negative and Unknown (no CX
-- score and no sentiment tag), always all four, with their share of the range (0-100).
CREATE OR REPLACE FUNCTION get_service_sentiment_distribution(p_start_date date, p_end_date date)
RETURNS TABLE (sentiment text, conversation_count bigint, percentage numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    RETURN QUERY
    WITH s(sentiment, ord) AS (
        VALUES ('Positive', 1), ('Neutral', 2), ('Negative', 3), ('Unknown', 4)
    ), c AS (
        SELECT coalesce(x.sentiment, 'Unknown') AS sentiment, count(*) AS n
        FROM service_conversations x
        WHERE x.start_date BETWEEN p_start_date AND p_end_date
        GROUP BY 1
    )
    SELECT s.sentiment, coalesce(c.n, 0)::bigint,
           100.0 * coalesce(c.n, 0) / NULLIF(sum(coalesce(c.n, 0)) OVER (), 0)
    FROM s LEFT JOIN c ON c.sentiment = s.sentiment
    ORDER BY s.ord;
END;
$$;

-- Conversations by channel over the range ('Unknown' when none), most first, with their share
-- of the range (0-100).
CREATE OR REPLACE FUNCTION get_service_channel_distribution(p_start_date date, p_end_date date)
RETURNS TABLE (channel text, conversation_count bigint, percentage numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    RETURN QUERY
    SELECT coalesce(x.channel, 'Unknown'), count(*),
           100.0 * count(*) / sum(count(*)) OVER ()
    FROM service_conversations x
    WHERE x.start_date BETWEEN p_start_date AND p_end_date
    GROUP BY 1
    ORDER BY 2 DESC, 1;
END;
$$;

-- Volume by local day of week (0 = Sunday) and hour of start over the range: all 7 × 24 cells.
CREATE OR REPLACE FUNCTION get_service_volume_heatmap(p_start_date date, p_end_date date)
RETURNS TABLE (day_of_week integer, hour integer, conversation_count bigint, unassigned_count bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    RETURN QUERY
    SELECT d.dow, h.hour,
           coalesce(sum(v.conversation_count), 0)::bigint,
           coalesce(sum(v.unassigned_count), 0)::bigint
    FROM generate_series(0, 6) AS d(dow)
    CROSS JOIN generate_series(0, 23) AS h(hour)
    LEFT JOIN service_hourly_volume v
      ON v.day_of_week = d.dow AND v.hour = h.hour
     AND v.date BETWEEN p_start_date AND p_end_date
    GROUP BY d.dow, h.hour
    ORDER BY d.dow, h.hour;
END;
$$;

-- Conversations by contact country over the range, most first ('Unknown' when missing), at most
-- p_limit rows, with their share of the range, mean FRT and mean CSAT.
CREATE OR REPLACE FUNCTION get_service_country_distribution(
    p_start_date date,
    p_end_date date,
    p_limit integer
)
RETURNS TABLE (
    country text,
    conversation_count bigint,
    percentage numeric,
    avg_frt_seconds integer,
    avg_csat numeric
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM service_check_range(p_start_date, p_end_date);
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'p_limit must be at least 1' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    SELECT m.country, sum(m.conversation_count)::bigint,
           100.0 * sum(m.conversation_count) / sum(sum(m.conversation_count)) OVER (),
           round(sum(m.frt_sum_seconds)::numeric / NULLIF(sum(m.frt_count), 0))::integer,
           sum(m.csat_sum)::numeric / NULLIF(sum(m.rated_count), 0)
    FROM service_country_metrics m
    WHERE m.date BETWEEN p_start_date AND p_end_date
    GROUP BY m.country
    ORDER BY 2 DESC, 1
    LIMIT p_limit;
END;
$$;
