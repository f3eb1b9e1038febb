"""Measures each job on a generated workspace: API calls by route against the minimum, wall time
and peak memory (from /usr/bin/time -v). Prints a Markdown table.

Run through infra/scripts/bench.sh (which builds release binaries and starts moto).
Environment: BENCH_MEMBERS (default 20000), BENCH_SEED (42), BENCH_LATENCY_MS (0),
BENCH_LOOKBACK_DAYS (365), BENCH_PROFILE (release).
"""
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

import boto3

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
SEED = os.environ.get("BENCH_SEED", "42")
LATENCY_MS = os.environ.get("BENCH_LATENCY_MS", "0")
LOOKBACK = int(os.environ.get("BENCH_LOOKBACK_DAYS", "365"))
BIN = os.path.join("target", os.environ.get("BENCH_PROFILE", "release"))
TOKEN = "bench-token"
PAGE = 150


def sim_stats(url):
    with urllib.request.urlopen(url + "/_sim/stats") as response:
        return json.load(response)["requests"]


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


def main():
    as_of = datetime.date.today().isoformat()
    sim = subprocess.Popen(
        [os.path.join(BIN, "intercom-sim"), "--generate", str(MEMBERS), "--seed", SEED, "--as-of", as_of,
         "--port", "0", "--token", TOKEN, "--latency-ms", LATENCY_MS, "--rate-limit", "1000000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
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
        print(f"workspace: {MEMBERS} members, seed {SEED}, latency {LATENCY_MS} ms, as of {as_of}\n")
        print("| job | scanned | PUTs | API calls | by route | minimum (pages + PUTs) | wall s | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|")
        with tempfile.TemporaryDirectory() as workdir:
            for name, event in jobs:
                before = sim_stats(url)
                response, seconds, rss = timed(os.path.join(BIN, name), event, env, workdir)
                routes = delta(before, sim_stats(url))
                puts = routes.get("PUT /contacts/{id}", 0)
                scanned = response.get("scanned", 0)
                minimum = math.ceil(scanned / PAGE) + response.get("updatesPlanned", 0)
                by_route = ", ".join(f"{k.split(' ', 1)[1]} {k.split(' ', 1)[0]}: {v}" for k, v in sorted(routes.items()))
                print(f"| {name} | {scanned} | {puts} | {response.get('apiCalls')} | {by_route} | {minimum} "
                      f"| {seconds:.1f} | {rss:.0f} |")
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
