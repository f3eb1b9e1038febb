#!/usr/bin/env bash
# Serves the report functions locally: the Intercom simulator on a generated workspace, and
# `cargo lambda watch` on 127.0.0.1 in front of the functions, pointed at it. Prints a curl line
# per report; Ctrl-C stops watch, and the simulator with it.
#
# Usage: make serve   (or infra/scripts/serve.sh after `cargo build --workspace`)
# Environment: MEMBERS (default 2000), SEED (42), SERVE_PORT (9000), SIM_LATENCY_MS (0).
#
# Locally there is no API Gateway and no authorizer: requests reach the functions directly,
# without an Authorization header, on cargo lambda's function URL emulation
# (http://127.0.0.1:PORT/lambda-url/<function>/<path>, payload format 2.0).
set -euo pipefail
cd "$(dirname "$0")/../.."

members="${MEMBERS:-2000}"
seed="${SEED:-42}"
port="${SERVE_PORT:-9000}"
latency_ms="${SIM_LATENCY_MS:-0}"
# The simulator's token: a local stand-in, not an Intercom credential.
token="local-serve-token"
target_dir="${CARGO_TARGET_DIR:-target}"
sim="$target_dir/debug/intercom-sim"
cargo_lambda=".venv/bin/cargo-lambda"

[[ -x "$sim" ]] || { echo "serve: $sim not found; run 'cargo build --workspace' (make serve does)" >&2; exit 2; }
[[ -x "$cargo_lambda" ]] || { echo "serve: $cargo_lambda not found; run 'make venv'" >&2; exit 2; }

workdir="$(mktemp -d "${TMPDIR:-/tmp}/serve.XXXXXX")"
sim_pid=""
watch_pid=""
stop() {
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    stop "$watch_pid"
    stop "$sim_pid"
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The simulator prints its base URL as the first line on stdout.
"$sim" --generate "$members" --seed "$seed" --as-of "$(date -u +%F)" --port 0 --token "$token" \
    --latency-ms "$latency_ms" >"$workdir/sim.out" 2>"$workdir/sim.log" &
sim_pid=$!
base_url=""
for _ in $(seq 1 300); do
    base_url="$(head -n 1 "$workdir/sim.out" 2>/dev/null || true)"
    [[ -n "$base_url" ]] && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "serve: the simulator exited:" >&2; tail -n 20 "$workdir/sim.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$base_url" ]] || { echo "serve: the simulator did not print its URL within 30 s" >&2; exit 1; }

# The functions' environment; a file keeps the token off cargo lambda's command line.
cat >"$workdir/functions.env" <<EOF
INTERCOM_API_BASE=$base_url
INTERCOM_ACCESS_TOKEN=$token
RUST_LOG=${RUST_LOG:-info}
AWS_REGION=${AWS_REGION:-us-east-1}
AWS_EC2_METADATA_DISABLED=true
EOF

last_month="$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)"
url="http://127.0.0.1:$port/lambda-url"
cat <<EOF

Intercom simulator: $base_url ($members generated members, seed $seed)
Report functions:   $url/<function>/<path>  (no authorizer locally: no Authorization header needed)
The first request to a function compiles it (debug); later ones are quick.

  curl -s '$url/caseload-report/API/intercom/caseload?lookbackDays=30'
  curl -s '$url/sessions-report/API/intercom/sessions?lookbackDays=56&channel=Phone'
  curl -s '$url/new-participants-report/API/intercom/new-participants?lookbackDays=90'
  curl -s '$url/billing-report/API/intercom/billing?month=$last_month'
  curl -s -H 'Accept: text/csv' '$url/caseload-report/API/intercom/caseload?lookbackDays=365&limit=50'
  curl -s -X POST -H 'Content-Type: application/json' -d '{"lookbackDays": 30, "employer": "Acme Corp"}' \\
       '$url/caseload-report/API/intercom/caseload'

Ctrl-C stops the functions and the simulator.

EOF

# Not exec: the EXIT trap must run to stop the simulator when watch ends.
"$cargo_lambda" lambda watch -A 127.0.0.1 -P "$port" --env-file "$workdir/functions.env" &
watch_pid=$!
wait "$watch_pid"
