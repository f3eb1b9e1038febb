#!/usr/bin/env bash
# Every system end to end, on this machine: the coaching pipeline on a generated Intercom
# workspace in the simulator (S3 and Secrets Manager in moto), each job run through its own
# binary; then service performance into a throwaway Postgres (infra/scripts/demo_service.sh).
# Usage: infra/scripts/demo.sh   (run through `make demo`, which builds first)
set -euo pipefail
cd "$(dirname "$0")/../.."

# Start a throwaway PostgreSQL server and moto around this very script.
if [ -z "${DATABASE_URL:-}" ]; then
  exec infra/scripts/with-postgres.sh "$0" "$@"
fi
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  exec infra/scripts/with-moto.sh "$0" "$@"
fi

MEMBERS=${DEMO_MEMBERS:-2000}
SEED=${DEMO_SEED:-42}
PROFILE=${DEMO_PROFILE:-debug}
BIN=target/$PROFILE
PY=.venv/bin/python
AS_OF_DATE=$(date -u +%F)
BUCKET=coaching-exports-demo
SECRET_ID=intercom-access-token
WORK=$(mktemp -d)
SIM_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Intercom simulator: generating a workspace of $MEMBERS members (seed $SEED, as of $AS_OF_DATE)"
# A throwaway token for the simulator; the jobs read it from Secrets Manager like in AWS.
export SIM_TOKEN="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$BIN/intercom-sim" --generate "$MEMBERS" --seed "$SEED" --as-of "$AS_OF_DATE" --port 0 \
  --token "$SIM_TOKEN" >"$WORK/sim.out" 2>"$WORK/sim.log" &
SIM_PID=$!
for _ in $(seq 1 100); do
  [ -s "$WORK/sim.out" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.log"; exit 1; }
  sleep 0.1
done
SIM_URL=$(head -n1 "$WORK/sim.out")
echo "simulator at $SIM_URL"

step "Local AWS (moto at $AWS_ENDPOINT_URL): bucket s3://$BUCKET and secret $SECRET_ID"
"$PY" infra/scripts/local_aws.py create-bucket "$BUCKET"
"$PY" infra/scripts/local_aws.py put-secret "$SECRET_ID" SIM_TOKEN

export INTERCOM_API_BASE="$SIM_URL"
export INTERCOM_TOKEN_SECRET_ID="$SECRET_ID"
export EXPORT_BUCKET="$BUCKET"
export EXPORT_PREFIX="exports/"
export RUST_LOG=${RUST_LOG:-warn}
unset INTERCOM_ACCESS_TOKEN

# Runs one function with an inline event and prints its summary.
run() {
  local fn=$1 event=$2
  echo "$event" >"$WORK/event.json"
  printf '\n$ %s --event %s\n' "$fn" "$event"
  "$BIN/$fn" --event "$WORK/event.json" >"$WORK/$fn.json"
  "$PY" infra/scripts/summary.py "$WORK/$fn.json"
}

step "Pipeline, first run"
run session-sync '{"lookbackDays": 365, "dryRun": false}'
run engagement-sync '{"dryRun": false}'
run referral-sync '{"dryRun": false}'
run engagement-export '{}'

KEY=$("$PY" -c 'import json,sys;print(json.load(open(sys.argv[1]))["key"])' "$WORK/engagement-export.json")
mkdir -p out
OUT="out/$(basename "$KEY")"
"$PY" infra/scripts/local_aws.py get-object "$BUCKET" "$KEY" "$OUT"
step "The export: s3://$BUCKET/$KEY copied to $OUT ($(($(wc -l <"$OUT") - 1)) rows); first lines:"
head -n 6 "$OUT"

step "Pipeline, second run: nothing left to change"
run session-sync '{"lookbackDays": 365, "dryRun": false}'
run engagement-sync '{"dryRun": false}'
run referral-sync '{"dryRun": false}'

step "Reports: each function answering one API Gateway (HTTP API v2) request"
LAST_MONTH=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
report() { "$PY" infra/scripts/demo_report.py "$BIN/$1" "$2" "$3"; }
report caseload-report /API/intercom/caseload "lookbackDays=30"
report sessions-report /API/intercom/sessions "lookbackDays=30"
report new-participants-report /API/intercom/new-participants "lookbackDays=60"
report billing-report /API/intercom/billing "month=$LAST_MONTH"

step "Requests the simulator answered"
"$PY" infra/scripts/sim_stats.py "$SIM_URL"

BIN="$BIN" PY="$PY" WORK="$WORK" AS_OF_DATE="$AS_OF_DATE" SIM_TOKEN="$SIM_TOKEN" \
  infra/scripts/demo_service.sh

BIN="$BIN" PY="$PY" WORK="$WORK" infra/scripts/demo_ranker.sh
# customer sync (CUSTOMER-SYNC.md)
BIN="$BIN" PY="$PY" WORK="$WORK" AS_OF_DATE="$AS_OF_DATE" SIM_TOKEN="$SIM_TOKEN" \
  infra/scripts/demo_customer.sh
