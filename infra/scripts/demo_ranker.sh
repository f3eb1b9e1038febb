#!/usr/bin/env bash
# The weekly engagement ranker's section of the demo: hubspot-sim and yobi-sim serving one
# generated book of customers, slack-sink as the Slack webhook, the three secrets in moto; then
# a spike report, a dry run with its summary, a real run, the companies' new properties read
# back from the simulator, the Slack messages the sink received, and a second run writing
# nothing.
# Usage: called by infra/scripts/demo.sh with AWS_ENDPOINT_URL, BIN, PY and WORK set.
set -euo pipefail
cd "$(dirname "$0")/../.."

CUSTOMERS=${DEMO_RANKER_CUSTOMERS:-200}
SEED=${DEMO_SEED:-42}
AS_OF_DATE=$(TZ=America/New_York date +%F)
# `start` runs inside $(...), a subshell: the simulators' pids go through a file.
PIDFILE="$WORK/ranker-sims.pids"
: >"$PIDFILE"
trap 'while read -r p; do kill "$p" 2>/dev/null; done <"$PIDFILE"; true' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# start NAME ARGS...: runs a simulator binary, waits for its base URL (first stdout line).
start() {
  local name=$1
  shift
  "$BIN/$name" "$@" --port 0 >"$WORK/$name.out" 2>"$WORK/$name.log" &
  local pid=$!
  echo "$pid" >>"$PIDFILE"
  for _ in $(seq 1 300); do
    [ -s "$WORK/$name.out" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$WORK/$name.out" ] || { echo "$name did not start" >&2; exit 1; }
  head -n1 "$WORK/$name.out"
}

step "Engagement ranker: a book of $CUSTOMERS customers (seed $SEED, as of $AS_OF_DATE) in hubspot-sim and yobi-sim; slack-sink"
export HUBSPOT_SIM_TOKEN="pat-demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
HUBSPOT_URL=$(start hubspot-sim --generate "$CUSTOMERS" --seed "$SEED" --as-of "$AS_OF_DATE" --token "$HUBSPOT_SIM_TOKEN")
YOBI_URL=$(start yobi-sim --generate "$CUSTOMERS" --seed "$SEED" --as-of "$AS_OF_DATE")
SINK_URL=$(start slack-sink)
echo "hubspot-sim at $HUBSPOT_URL, yobi-sim at $YOBI_URL, slack-sink at $SINK_URL"

# The three secrets, in Secrets Manager as in AWS (values passed through the environment).
export YOBI_SECRET='{"email": "ranker-bot@yib.io", "password": "yobi-sim-password"}'
export SLACK_SECRET="$SINK_URL/services/T000/B000/DEMO"
"$PY" infra/scripts/local_aws.py put-secret ranker-hubspot-token HUBSPOT_SIM_TOKEN
"$PY" infra/scripts/local_aws.py put-secret ranker-yobi-login YOBI_SECRET
"$PY" infra/scripts/local_aws.py put-secret ranker-slack-webhook SLACK_SECRET
unset HUBSPOT_ACCESS_TOKEN YOBI_EMAIL YOBI_PASSWORD SLACK_WEBHOOK_URL

ranker() {
  local label=$1 event=$2
  echo "$event" >"$WORK/ranker-event.json"
  printf '\n$ engagement-ranker --event %s   # %s\n' "$event" "$label"
  HUBSPOT_API_BASE="$HUBSPOT_URL" HUBSPOT_TOKEN_SECRET_ID=ranker-hubspot-token \
    YOBI_API_BASE="$YOBI_URL" YOBI_CREDENTIALS_SECRET_ID=ranker-yobi-login \
    SLACK_WEBHOOK_SECRET_ID=ranker-slack-webhook \
    "$BIN/engagement-ranker" --event "$WORK/ranker-event.json" >"$WORK/ranker.json"
  "$PY" infra/scripts/demo_ranker.py summary "$WORK/ranker.json"
}

step "Spike: which Yobi endpoints and fields exist, how much of the book maps"
ranker "spike" '{"mode": "spike"}'

step "Dry run: the summary (nothing written)"
ranker "dry run" '{"dryRun": true}'

step "Real run"
ranker "write" '{"dryRun": false}'
cp "$WORK/ranker.json" "$WORK/ranker-first.json"

step "The companies' new properties, read back from hubspot-sim (GET /crm/v3/objects/companies/{id})"
"$PY" infra/scripts/demo_ranker.py readback "$WORK/ranker-first.json" "$HUBSPOT_URL" HUBSPOT_SIM_TOKEN

step "Second run: nothing left to write"
ranker "write again" '{"dryRun": false}'

step "What slack-sink received"
"$PY" infra/scripts/demo_ranker.py slack "$SINK_URL"

step "Requests the simulators answered"
"$PY" infra/scripts/demo_ranker.py stats "$HUBSPOT_URL" hubspot-sim
"$PY" infra/scripts/demo_ranker.py stats "$YOBI_URL" yobi-sim
