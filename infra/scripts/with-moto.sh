#!/usr/bin/env bash
# Usage: infra/scripts/with-moto.sh CMD [ARGS...]
#
# Runs CMD with a private moto server (local S3 / Secrets Manager) on 127.0.0.1 and the AWS
# environment pointing at it, then stops moto. Exits with CMD's status.
#
# Environment seen by CMD: AWS_ENDPOINT_URL=http://127.0.0.1:PORT, AWS_ACCESS_KEY_ID=testing,
# AWS_SECRET_ACCESS_KEY=testing, AWS_REGION=us-east-1, AWS_DEFAULT_REGION=us-east-1 (boto3 reads
# only the latter), and MOTO_ENDPOINT (the same URL). Moto's own log goes to a temp file, shown
# only if moto fails to start.
#
# Tunables: MOTO_SERVER (default: .venv/bin/moto_server at the repo root),
#           MOTO_START_TIMEOUT_SECONDS (default 30).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
moto_server="${MOTO_SERVER:-$repo_root/.venv/bin/moto_server}"
start_timeout="${MOTO_START_TIMEOUT_SECONDS:-30}"

if [[ ! -x "$moto_server" ]]; then
    echo "with-moto: $moto_server not found; run 'make venv' first" >&2
    exit 2
fi

moto_log="$(mktemp "${TMPDIR:-/tmp}/moto.XXXXXX.log")"
moto_pid=""

stop_moto() {
    if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
    moto_pid=""
    rm -f "$moto_log"
}
cmd_pid=""
# On INT/TERM: stop CMD (it runs in the background so that this shell can react at once), then
# exit with the conventional 128+N status; the EXIT trap stops moto.
on_signal() {
    if [[ -n "$cmd_pid" ]]; then
        kill -TERM "$cmd_pid" 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
    fi
    exit "$1"
}
trap stop_moto EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# The port is picked just before moto binds it; another process could take it in between, so
# retry a few times with a fresh port if moto exits right away.
port=""
for _attempt in 1 2 3; do
    port="$("$script_dir/free-port.sh")"
    "$moto_server" -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 &
    moto_pid=$!
    deadline=$((SECONDS + start_timeout))
    while kill -0 "$moto_pid" 2>/dev/null; do
        if python3 - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1)
PY
        then
            break 2
        fi
        if ((SECONDS >= deadline)); then
            echo "with-moto: moto did not answer on 127.0.0.1:$port within ${start_timeout}s; log tail:" >&2
            tail -n 30 "$moto_log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
    # moto exited before answering (port taken, or a broken install): try again, then give up.
    wait "$moto_pid" 2>/dev/null || true
    moto_pid=""
    echo "with-moto: moto exited before answering on port $port; log tail:" >&2
    tail -n 30 "$moto_log" >&2 || true
done

if [[ -z "$moto_pid" ]]; then
    echo "with-moto: could not start moto" >&2
    exit 1
fi

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
# Tests that talk to moto directly (not through the SDK's environment) look for this one.
export MOTO_ENDPOINT="$AWS_ENDPOINT_URL"
# Keep a stray session token or profile from the caller's shell out of the picture.
unset AWS_SESSION_TOKEN AWS_PROFILE

# A background job would read /dev/null; hand it this shell's stdin instead.
"$@" <&0 &
cmd_pid=$!
status=0
wait "$cmd_pid" || status=$?
cmd_pid=""
exit "$status"
