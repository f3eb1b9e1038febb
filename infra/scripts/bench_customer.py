"""Benchmark of customer sync: customer-sync on the generated customer workload (contacts with
Stripe attributes, support conversations) behind the simulator at Intercom-like latency and rate
limit, into a throwaway Postgres. A full sync, then ~1% of contacts changed through the
simulator's `PUT /contacts/{id}` (their plan price doubled) and a 6-hourly incremental run.
Prints a Markdown table; `--write` also puts it into docs/benchmarks.md.

Run through `make bench-customer` (release build, a throwaway Postgres around it).
Environment: BENCH_CUSTOMERS (default 20000), BENCH_CUSTOMER_CONVERSATIONS (200000), BENCH_SEED
(42), BENCH_LATENCY_MS (150), BENCH_RATE_LIMIT (1666 requests per 10 s, Intercom's default for an
app), BENCH_CHANGED_SHARE (0.01), BENCH_PROFILE (release).

Figures:
- API calls against the minimum: contact search pages (150 per page) + contact lookups by id
  (150 per search) + the updated-conversation window's pages + one conversation search page per
  150 conversations of each batch (at least one per batch) + one GET per conversation whose parts
  are needed.
- Wall time against the rate-limit bound: API calls / (rate limit / 10 s).
- Peak RSS of the job (the largest of its runs; Lambda gives it 512 MB, the target is < 256 MB).
- Rows written.
"""
import concurrent.futures
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

CONTACTS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
CONVERSATIONS = int(os.environ.get("BENCH_CUSTOMER_CONVERSATIONS", "200000"))
SEED = os.environ.get("BENCH_SEED", "42")
LATENCY_MS = os.environ.get("BENCH_LATENCY_MS", "150")
RATE_LIMIT = int(os.environ.get("BENCH_RATE_LIMIT", "1666"))
CHANGED = float(os.environ.get("BENCH_CHANGED_SHARE", "0.01"))
BIN = os.environ.get("BENCH_BIN", os.path.join("target", os.environ.get("BENCH_PROFILE", "release")))
TOKEN = "bench-token"
PAGE = 150
DOC = "docs/benchmarks.md"
BEGIN = "<!-- customer-sync benchmark: begin -->"
END = "<!-- customer-sync benchmark: end -->"


def request(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
        "Accept": "application/json"})
    with urllib.request.urlopen(req) as response:
        return json.load(response)


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


def sync_until_complete(event, env, workdir):
    """Runs customer-sync until a run says complete; returns the totals over its runs."""
    total = {"runs": 0, "wall": 0.0, "rss": 0.0, "read": 0, "synced": 0, "written": 0,
             "conversations": 0, "parts": 0, "calls": 0, "waits": 0, "minimum": 0, "alerts": 0}
    while True:
        s, seconds, rss = timed(os.path.join(BIN, "customer-sync"), event, env, workdir)
        total["runs"] += 1
        total["wall"] += seconds
        total["rss"] = max(total["rss"], rss)
        total["read"] += s["contacts_read"]
        total["synced"] += s["contacts_synced"]
        total["written"] += s["rows_written"]
        total["conversations"] += s["conversations_read"]
        total["parts"] += s["parts_fetched"]
        total["calls"] += s["api_calls"]
        total["waits"] += s["rate_limit_waits"]
        total["alerts"] += sum(s["alerts"].values())
        searched = s["contacts_read"] - s["contacts_looked_up"]
        total["minimum"] += (max(1, math.ceil(searched / PAGE))
                             + math.ceil(s["contacts_looked_up"] / PAGE)
                             + (max(1, math.ceil(s["window_conversations"] / PAGE))
                                if s["window"]["conversations_from"] is not None else 0)
                             + max(s["batches"], math.ceil(s["conversations_read"] / PAGE))
                             + s["parts_fetched"])
        if s["complete"]:
            return total
        event = {k: v for k, v in event.items() if k != "mode"}


def change_contacts(url):
    """Doubles the plan price of ~CHANGED of the contacts with one (PUT sets updated_at to now)."""
    ids = []
    body = {"query": {"field": "custom_attributes.stripe_plan_price", "operator": ">", "value": 0},
            "pagination": {"per_page": 150}}
    while len(ids) < CONTACTS * CHANGED:
        page = request(url + "/contacts/search", "POST", body)
        ids += [(c["id"], c["custom_attributes"]["stripe_plan_price"]) for c in page["data"]]
        after = (page.get("pages") or {}).get("next") or {}
        if not after.get("starting_after"):
            break
        body["pagination"]["starting_after"] = after["starting_after"]
    ids = ids[: max(1, int(CONTACTS * CHANGED))]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda p: request(f"{url}/contacts/{p[0]}", "PUT",
                                        {"custom_attributes": {"stripe_plan_price": p[1] * 2}}), ids))
    return len(ids)


def main():
    write = "--write" in sys.argv
    # Generated data ends at the end of as-of; as-of is yesterday, so the contacts changed now
    # are after the full run's watermark.
    as_of_date = datetime.date.today() - datetime.timedelta(days=1)
    full_as_of = (as_of_date + datetime.timedelta(days=1)).isoformat() + "T00:00:00Z"
    sim = subprocess.Popen(
        [os.path.join(BIN, "intercom-sim"), "--customers", str(CONTACTS),
         "--customer-conversations", str(CONVERSATIONS), "--seed", SEED,
         "--as-of", as_of_date.isoformat(), "--port", "0", "--token", TOKEN,
         "--latency-ms", LATENCY_MS, "--rate-limit", str(RATE_LIMIT)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines = []
    out = lines.append
    try:
        url = sim.stdout.readline().strip()
        env = dict(os.environ, INTERCOM_API_BASE=url, INTERCOM_ACCESS_TOKEN=TOKEN, RUST_LOG="warn")
        for var in ["DATABASE_SECRET_ID", "SLACK_WEBHOOK_SECRET_ID", "SLACK_WEBHOOK_URL"]:
            env.pop(var, None)
        per_second = RATE_LIMIT / 10
        with tempfile.TemporaryDirectory() as workdir:
            full = sync_until_complete({"mode": "full", "asOf": full_as_of}, env, workdir)
            changed = change_contacts(url)
            inc = sync_until_complete({"mode": "incremental"}, env, workdir)
        out(f"Workspace: {CONTACTS:,} contacts and {CONVERSATIONS:,} conversations (seed {SEED}; "
            f"`intercom-sim --customers`), simulator latency {LATENCY_MS} ms per request, rate limit "
            f"{RATE_LIMIT:,} per 10 s; `{BIN}/customer-sync` under `/usr/bin/time -v`, run again "
            f"while it answers `complete: false` (12-minute budget per run). The incremental run "
            f"follows {changed:,} contact updates (plan price doubled).\n")
        out("| run | Lambda runs | contacts read | synced | rows written | alerts | conversations read "
            "| parts fetched | API calls | minimum | calls / minimum | wall s | rate-limit bound s "
            "| wall / bound | peak RSS MiB |")
        out("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, t in [("full (first sync)", full), (f"incremental ({changed:,} changed)", inc)]:
            bound = t["calls"] / per_second
            out(f"| {name} | {t['runs']} | {t['read']:,} | {t['synced']:,} | {t['written']:,} "
                f"| {t['alerts']:,} | {t['conversations']:,} | {t['parts']:,} | {t['calls']:,} "
                f"| {t['minimum']:,} | {t['calls'] / max(t['minimum'], 1):.3f} | {t['wall']:.1f} "
                f"| {bound:.1f} | {t['wall'] / bound if bound else 0:.2f} | {t['rss']:.0f} |")
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
            doc += ("\n## Customer sync (`make bench-customer`)\n\n"
                    "`make bench-customer BENCH_CUSTOMER_ARGS=--write` reproduces this section.\n\n"
                    + block + "\n")
        with open(DOC, "w") as f:
            f.write(doc)


if __name__ == "__main__":
    main()
