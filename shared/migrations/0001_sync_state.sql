-- Progress of each sync job: where its next incremental run starts and how its last run ended.
-- One row per job; a job writes its row in the same transaction as the data it covers, so the
-- watermark only moves after a commit.
CREATE TABLE sync_state (
    -- The job's name, e.g. 'service-sync'.
    job         text PRIMARY KEY CHECK (job <> ''),
    -- The instant the next incremental run starts from (inclusive), e.g. the `updated_at` of the
    -- last item fully processed. Intercom's unix seconds convert exactly. Null: none yet.
    watermark   timestamptz,
    -- When the last run that wrote this row started.
    last_run_at timestamptz NOT NULL,
    -- Whether that run got through everything it meant to (false: it ran out of time and the
    -- next run resumes from the watermark).
    complete    boolean NOT NULL DEFAULT false,
    -- Anything else the job keeps between runs (its last summary, a cursor), a JSON object.
    details     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
    -- When the row was last written.
    updated_at  timestamptz NOT NULL DEFAULT now()
);
