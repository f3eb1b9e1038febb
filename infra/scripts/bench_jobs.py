"""Measures each job on a generated workspace: API calls by route against the minimum, wall time
and peak memory (from /usr/bin/time -v). Prints a Markdown table.

Run through infra/scripts/bench.sh (which builds release binaries and starts moto).
Environment: BENCH_JOB_MEMBERS (default BENCH_MEMBERS, else 20000; several comma-separated,
e.g. 20000,100000), BENCH_SEED (42), BENCH_LATENCY_MS (150), BENCH_RATE_LIMIT (1666 per 10 s, Intercom's default),
BENCH_LOOKBACK_DAYS (365), BENCH_PROFILE (release), BENCH_BIN_DIR (default target/<profile>),
BENCH_JOBS (default all four, e.g. engagement-export for one).

Each job runs as Lambda would: again with `resumeFrom` while it answers `complete: false`; each
starts in a fresh rate-limit window (11 s after the previous one ended), as its own schedule does.
"Minimum" = the scan's pages (ceil(scanned / 150)) + session-sync's contact lookups
(ceil(candidates / 150)) + one PUT per planned update + the preflight's data_attributes call;
session-sync's First Session Date history pages come on top. The rate-limit bound is
API calls / (limit / 10 s).
"""
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

MEMBERS = [int(m) for m in (os.environ.get("BENCH_JOB_MEMBERS") or os.environ.get("BENCH_MEMBERS") or "20000").split(",")]
SEED = os.environ.get("BENCH_SEED", "42")
LATENCY_MS = os.environ.get("BENCH_LATENCY_MS", "150")
RATE_LIMIT = int(os.environ.get("BENCH_RATE_LIMIT", "1666"))
LOOKBACK = int(os.environ.get("BENCH_LOOKBACK_DAYS", "365"))
BIN = os.environ.get("BENCH_BIN_DIR") or os.path.join("target", os.environ.get("BENCH_PROFILE", "release"))
TOKEN = "bench-token"
WINDOW_SECONDS = 10
PAGE = 150


def sim_stats(url):
    """Requests by route, and the 429 answers under the key "429"."""
    with urllib.request.urlopen(url + "/_sim/stats") as response:
        stats = json.load(response)
    return dict(stats["requests"], **{"429": stats.get("rate_limited", 0)})


def delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


def timed(binary, event, env, workdir):
    path = os.path.join(workdir, "event.json")
    with open(path, "w") as f:
        json.dump(event, f)
    proc = subprocess.run(
        ["/usr/bin/time", "-v", binary, "--event", path], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.exit(f"{binary} failed:\n{proc.stderr[-3000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall.split(":"))))
    return json.loads(proc.stdout), seconds, rss_kb / 1024


def run_job(name, event, env, workdir):
    """Runs one job to completion (again with resumeFrom while incomplete); returns the last
    summary, the summed counts, runs, wall seconds and the peak RSS."""
    runs, wall, peak, totals = 0, 0.0, 0.0, {"scanned": 0, "candidates": 0, "updatesPlanned": 0, "applied": 0}
    while True:
        response, seconds, rss = timed(os.path.join(BIN, name), event, env, workdir)
        runs += 1
        wall += seconds
        peak = max(peak, rss)
        for key in totals:
            totals[key] += response.get(key, 0)
        if response.get("complete", True) or not response.get("resumeFrom"):
            return response, totals, runs, wall, peak
        event = dict(event, resumeFrom=response["resumeFrom"], asOf=response["asOf"])


def bench(members, as_of):
    sim = subprocess.Popen(
        [os.path.join(BIN, "intercom-sim"), "--generate", str(members), "--seed", SEED,
         "--as-of", as_of, "--port", "0", "--token", TOKEN, "--latency-ms", LATENCY_MS,
         "--rate-limit", str(RATE_LIMIT)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    sim_rss = None
    rows = []
    try:
        url = sim.stdout.readline().strip()
        bucket = "bench-exports"
        boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1").create_bucket(Bucket=bucket)
        env = dict(os.environ, INTERCOM_API_BASE=url, INTERCOM_ACCESS_TOKEN=TOKEN, EXPORT_BUCKET=bucket,
                   RUST_LOG="warn")
        jobs = [
            ("session-sync", {"lookbackDays": LOOKBACK, "dryRun": False}),
            ("engagement-sync", {"dryRun": False}),
            ("referral-sync", {"dryRun": False}),
            ("engagement-export", {}),
        ]
        only = [j for j in os.environ.get("BENCH_JOBS", "").split(",") if j]
        jobs = [(name, event) for name, event in jobs if not only or name in only]
        with tempfile.TemporaryDirectory() as workdir:
            for name, event in jobs:
                # Each job starts in a fresh rate-limit window, as in production (their schedules
                # are at least 15 minutes apart): its bound assumes the whole budget.
                time.sleep(WINDOW_SECONDS + 1)
                before = sim_stats(url)
                response, totals, runs, seconds, rss = run_job(name, event, env, workdir)
                routes = delta(before, sim_stats(url))
                too_many = routes.pop("429", 0)
                calls = sum(routes.values())
                scanned = totals["scanned"] or response.get("rows", 0)
                lookups = math.ceil(totals["candidates"] / PAGE) if name == "session-sync" else 0
                preflight = 1 if "GET /data_attributes" in routes else 0
                minimum = math.ceil(scanned / PAGE) + lookups + totals["updatesPlanned"] + preflight
                bound = calls / (RATE_LIMIT / 10)
                by_route = ", ".join(f"{k.split(' ', 1)[1]} {k.split(' ', 1)[0]}: {v:,}" for k, v in sorted(routes.items()))
                rows.append(
                    f"| {name} | {members:,} | {runs} | {scanned:,} | {totals['applied']:,} | {calls:,} | {minimum:,} "
                    f"| {calls / max(minimum, 1):.3f} | {seconds:.1f} | {bound:.1f} | {seconds / max(bound, 0.001):.2f} "
                    f"| {rss:.0f} | {too_many} | {by_route} |"
                )
                print(rows[-1], flush=True)
        sim_rss = peak_rss_mib(sim.pid)
    finally:
        sim.terminate()
        sim.wait()
    return rows, sim_rss


def peak_rss_mib(pid):
    """A running process's peak resident set (VmHWM), MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def main():
    as_of = datetime.date.today().isoformat()
    print(f"workspace: seed {SEED}, latency {LATENCY_MS} ms, rate limit {RATE_LIMIT} per 10 s, as of {as_of}\n")
    header = ("| job | members | Lambda runs | scanned | PUTs applied | API calls | minimum | calls / minimum "
              "| wall s | rate-limit bound s | wall / bound | peak RSS MiB | 429s | by route |")
    print(header)
    print("|---" * 14 + "|", flush=True)
    for members in MEMBERS:
        _, sim_rss = bench(members, as_of)
        if sim_rss:
            print(f"<!-- simulator peak RSS at {members:,} members: {sim_rss:,.0f} MiB -->", flush=True)


if __name__ == "__main__":
    main()
