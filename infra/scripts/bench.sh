#!/usr/bin/env bash
# Benchmarks of the jobs on a generated workspace (API calls, wall time, peak memory), then of
# the reports (infra/scripts/bench_reports.py: 2,000 and 20,000 members unless BENCH_MEMBERS).
# Usage: make bench   (BENCH_MEMBERS=2000 make bench for a smaller workspace;
#                      BENCH_JOB_MEMBERS=20000,100000 make bench for the jobs at both sizes)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  exec infra/scripts/with-moto.sh "$0" "$@"
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')" >&2; exit 1; }
.venv/bin/python infra/scripts/bench_jobs.py
echo
report_args=()
if [ -n "${BENCH_MEMBERS:-}" ]; then
  report_args=(--members "$BENCH_MEMBERS")
fi
.venv/bin/python infra/scripts/bench_reports.py "${report_args[@]}"
