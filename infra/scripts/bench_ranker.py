"""Benchmark of the weekly engagement ranker: one real run (dryRun false) of `engagement-ranker`
on a generated book of 250 and of 2,500 customers, hubspot-sim and yobi-sim at 150 ms latency
and HubSpot's private-app limits (100 requests per 10 s, search 5 a second; the client paces
search at 4 a second as the rules ask). Prints a Markdown table; `--write` also puts it into
docs/benchmarks.md.

Run through `make bench-ranker` (release build). Environment: BENCH_RANKER_SIZES (default
"250,2500"), BENCH_SEED (42), BENCH_LATENCY_MS (150), BENCH_PROFILE (release).

Figures:
- API calls by route against the minimum: search pages (200 per page), associations (1,000 ids
  a call), company batch reads (100 a call), batch updates (100 a call), one property list;
  Yobi: a login, the tenant pages (200), three usage endpoints' pages (200).
- Wall time against the rate-limit bound: searches at 4 a second, one after another, then the
  other HubSpot calls at 100 per rolling 10 s (the first 100 free).
- Peak RSS of the function.
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

SIZES = [int(s) for s in os.environ.get("BENCH_RANKER_SIZES", "250,2500").split(",")]
SEED = os.environ.get("BENCH_SEED", "42")
LATENCY_MS = os.environ.get("BENCH_LATENCY_MS", "150")
PROFILE = os.environ.get("BENCH_PROFILE", "release")
BIN = os.path.join("target", PROFILE)
TOKEN = "bench-token"
DOC = "docs/benchmarks.md"
BEGIN = "<!-- engagement-ranker benchmark: begin -->"
END = "<!-- engagement-ranker benchmark: end -->"


def get(url):
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def start(name, args, workdir):
    out = open(os.path.join(workdir, name + ".out"), "w+")
    err = open(os.path.join(workdir, name + ".log"), "w")
    proc = subprocess.Popen([os.path.join(BIN, name)] + args + ["--port", "0"], stdout=out, stderr=err)
    for _ in range(3000):
        out.seek(0)
        line = out.readline().strip()
        if line:
            return proc, line
        if proc.poll() is not None:
            sys.exit(f"{name} exited: " + open(os.path.join(workdir, name + ".log")).read()[-2000:])
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    sys.exit(f"{name} did not start")


def bench(size, workdir):
    as_of = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=-5))).date().isoformat()
    common = ["--generate", str(size), "--seed", SEED, "--as-of", as_of, "--latency-ms", LATENCY_MS]
    procs = []
    try:
        hs, hs_url = start("hubspot-sim", common + ["--token", TOKEN], workdir)
        procs.append(hs)
        yobi, yobi_url = start("yobi-sim", common, workdir)
        procs.append(yobi)
        sink, sink_url = start("slack-sink", [], workdir)
        procs.append(sink)
        env = dict(os.environ, HUBSPOT_API_BASE=hs_url, HUBSPOT_ACCESS_TOKEN=TOKEN,
                   YOBI_API_BASE=yobi_url, YOBI_EMAIL="ranker-bot@yib.io",
                   YOBI_PASSWORD="yobi-sim-password",
                   SLACK_WEBHOOK_URL=sink_url + "/services/T0/B0/BENCH", RUST_LOG="warn")
        event = os.path.join(workdir, "event.json")
        with open(event, "w") as f:
            json.dump({"dryRun": False}, f)
        proc = subprocess.run(["/usr/bin/time", "-v", os.path.join(BIN, "engagement-ranker"),
                               "--event", event], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit("engagement-ranker failed:\n" + proc.stderr[-3000:])
        summary = json.loads(proc.stdout)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
        seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
        hs_routes = get(hs_url + "/_sim/stats")["requests"]
        yobi_routes = get(yobi_url + "/_sim/stats")["requests"]
        return summary, seconds, rss, hs_routes, yobi_routes
    finally:
        for p in procs:
            p.terminate()
            p.wait()


def route(routes, key):
    return routes.get(key, 0)


def main():
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for size in SIZES:
            summary, seconds, rss, hs, yobi = bench(size, workdir)
            search = route(hs, "POST /crm/v3/objects/contacts/search")
            assoc = route(hs, "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read") or sum(
                v for k, v in hs.items() if "associations" in k)
            read = sum(v for k, v in hs.items() if k.endswith("/batch/read") and "associations" not in k)
            update = sum(v for k, v in hs.items() if k.endswith("/batch/update"))
            props = sum(v for k, v in hs.items() if "/properties/" in k)
            other = search + assoc + read + update + props
            written = len(summary["writes"]["written"])
            companies = summary["n"] + len(summary["excluded"]) + len(summary["inactive"])
            minimum = {
                "search": None,  # depends on the contacts; checked below against 200 per page
                "associations": None,
                "batch read": math.ceil(companies / 100),
                "batch update": math.ceil(written / 100),
                "properties": 1,
            }
            non_search = assoc + read + update + props
            bound = max(0, search - 1) * 0.25 + max(0, math.ceil((non_search - 100) / 100)) * 10
            yobi_calls = sum(yobi.values())
            rows.append((size, summary["n"], written, search, assoc, read, minimum["batch read"],
                         update, minimum["batch update"], props, yobi_calls, seconds, bound, rss))
            print(f"{size}: {json.dumps(hs)} {json.dumps(yobi)}", file=sys.stderr)
    table = [
        f"`make bench-ranker` ({PROFILE} build, {LATENCY_MS} ms latency on every simulated request, "
        f"HubSpot's 100 requests per 10 s and 5 searches a second; seed {SEED}; "
        f"{datetime.date.today().isoformat()}).",
        "",
        "| customers | N ranked | companies written | contact search pages | associations | batch reads (min) "
        "| batch updates (min) | property reads | Yobi calls | wall time | rate-limit bound | wall / bound | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (size, n, written, search, assoc, read, read_min, update, update_min, props, yobi_calls,
         seconds, bound, rss) in rows:
        ratio = f"{seconds / bound:.2f}x" if bound > 0 else "-"
        table.append(f"| {size:,} | {n:,} | {written:,} | {search} | {assoc} | {read} ({read_min}) "
                     f"| {update} ({update_min}) | {props} | {yobi_calls} | {seconds:.1f} s | {bound:.1f} s "
                     f"| {ratio} | {rss:.0f} MiB |")
    text = "\n".join(table)
    print(text)
    if "--write" in sys.argv:
        doc = open(DOC).read()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc = doc.rstrip("\n") + "\n\n## Weekly engagement ranker (`make bench-ranker`)\n\n" + block + "\n"
        open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
