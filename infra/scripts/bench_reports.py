"""Measures each report on generated workspaces: Intercom API calls (the response's meta.apiCalls),
wall time and peak memory (from /usr/bin/time -v), HTTP status and rows. Prints a Markdown table
and the command that reproduces it; --write also puts it into docs/benchmarks.md.

Each report binary answers one API Gateway HTTP API (payload 2.0) GET event locally
(`target/release/<report> --event FILE`), against the Intercom simulator with a per-request
latency and Intercom's rate limit. No AWS is involved: the token is given directly.

Run through `make bench-reports` (release build first) or infra/scripts/bench.sh (after the jobs).
`--self-test` checks this script's own logic without any binary.
"""
import argparse
import base64
import datetime
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

REPORTS = {
    "caseload": ("caseload-report", "/API/intercom/caseload"),
    "sessions": ("sessions-report", "/API/intercom/sessions"),
    "new-participants": ("new-participants-report", "/API/intercom/new-participants"),
    "billing": ("billing-report", "/API/intercom/billing"),
}
TOKEN = "bench-token"
DOC = os.path.join("docs", "benchmarks.md")
START, END = "<!-- bench-reports:start -->", "<!-- bench-reports:end -->"


def positive_ints(text):
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, got {text!r}")
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected numbers >= 1, got {text!r}")
    return values


def report_names(text):
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in REPORTS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"reports are {', '.join(REPORTS)}; got {text!r}")
    return names


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=positive_ints, default=[2000, 20000],
                   help="generated workspace sizes, comma-separated (default 2000,20000)")
    p.add_argument("--lookbacks", type=positive_ints, default=[30, 365],
                   help="lookbackDays values for caseload, sessions, new-participants (default 30,365)")
    p.add_argument("--reports", type=report_names, default=list(REPORTS),
                   help=f"reports to run (default {','.join(REPORTS)})")
    p.add_argument("--latency-ms", type=int, default=150, help="simulator latency per request (default 150)")
    p.add_argument("--rate-limit", type=int, default=1666,
                   help="simulator requests per 10 s, as Intercom's (default 1666)")
    p.add_argument("--seed", type=int, default=42, help="workspace generator seed (default 42)")
    p.add_argument("--profile", default="release", help="cargo profile of the binaries (default release)")
    p.add_argument("--cooldown-s", type=float, default=10,
                   help="pause between runs so that each starts with a fresh rate-limit window (default 10)")
    p.add_argument("--write", action="store_true", help=f"also write the table into {DOC}")
    p.add_argument("--dry-run", action="store_true", help="print the planned runs and events, run nothing")
    p.add_argument("--self-test", action="store_true", help="test this script's logic and exit")
    return p.parse_args(argv)


def last_full_month(today):
    """YYYY-MM of the calendar month before `today`'s."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")


def plan(args, today):
    """The runs: (report, lookback label, query) per report, in table order."""
    runs = []
    for report in args.reports:
        if report == "billing":
            month = last_full_month(today)
            runs.append((report, f"month {month}", {"month": month}))
        else:
            for days in args.lookbacks:
                runs.append((report, f"{days} days", {"lookbackDays": str(days)}))
    return runs


def http_event(path, query, request_id="bench"):
    """An API Gateway HTTP API (payload format 2.0) GET event, as the report functions receive it
    behind the authorizer."""
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": urllib.parse.urlencode(query),
        "headers": {"accept": "application/json", "host": "localhost", "user-agent": "bench_reports.py"},
        "queryStringParameters": dict(query),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "authorizer": {"lambda": {"keyName": "bench"}},
            "domainName": "localhost",
            "domainPrefix": "local",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "bench_reports.py"},
            "requestId": request_id,
            "routeKey": f"GET {path}",
            "stage": "$default",
            "time": datetime.datetime.now(datetime.timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }


def parse_response(stdout):
    """(HTTP status, JSON body or None) from what a binary printed: an API Gateway v2 response
    (`statusCode`, `headers`, `body`, `isBase64Encoded`, maybe gzipped), or a bare JSON body."""
    doc = json.loads(stdout)
    if not isinstance(doc, dict) or "statusCode" not in doc:
        return 200, doc
    headers = {k.lower(): v for k, v in (doc.get("headers") or {}).items()}
    body = doc.get("body") or ""
    raw = base64.b64decode(body) if doc.get("isBase64Encoded") else body.encode()
    if "gzip" in str(headers.get("content-encoding", "")).lower():
        raw = gzip.decompress(raw)
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = None
    return int(doc["statusCode"]), payload


def summarise(status, payload):
    """(API calls, 'returned/total') from a report body; '-' where the body has none."""
    payload = payload if isinstance(payload, dict) else {}
    calls = (payload.get("meta") or {}).get("apiCalls")
    page = payload.get("page") or {}
    rows = f"{page['returned']}/{page['total']}" if "returned" in page and "total" in page else "-"
    return ("-" if calls is None else calls), rows


def time_v(stderr):
    """(wall seconds, peak RSS MiB) from /usr/bin/time -v output."""
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", stderr).group(1)
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall.split(":"))))
    return seconds, rss_kb / 1024


HEADER = ("| report | members | lookback | API calls | wall s | peak RSS MiB | HTTP status | rows returned/total |\n"
          "|---|---|---|---|---|---|---|---|")


def table_row(report, members, lookback, calls, seconds, rss, status, rows):
    wall = "-" if seconds is None else f"{seconds:.1f}"
    mem = "-" if rss is None else f"{rss:.0f}"
    return f"| {report} | {members:,} | {lookback} | {calls} | {wall} | {mem} | {status} | {rows} |"


def command_line(argv):
    return "make bench-reports" if not argv else ".venv/bin/python infra/scripts/bench_reports.py " + shlex.join(argv)


def write_doc(path, section):
    """Puts `section` between the bench-reports markers of `path` (created or appended if needed),
    leaving the rest of the file alone."""
    block = f"{START}\n{section.rstrip()}\n{END}\n"
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(path, "w") as f:
        f.write(text)


def start_simulator(bin_dir, members, args, today):
    sim = subprocess.Popen(
        [os.path.join(bin_dir, "intercom-sim"), "--generate", str(members), "--seed", str(args.seed),
         "--as-of", today.isoformat(), "--port", "0", "--token", TOKEN,
         "--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    url = sim.stdout.readline().strip()
    if not url:
        sim.wait()
        sys.exit(f"the simulator exited before printing its URL (status {sim.returncode})")
    return sim, url


def sim_requests(url):
    with urllib.request.urlopen(url + "/_sim/stats") as response:
        return sum(json.load(response)["requests"].values())


def run_report(binary, event, env, workdir):
    """(status, payload, seconds, rss MiB, problem) for one invocation; problem is None or text."""
    path = os.path.join(workdir, "event.json")
    with open(path, "w") as f:
        json.dump(event, f)
    proc = subprocess.run(["/usr/bin/time", "-v", binary, "--event", path], env=env,
                          capture_output=True, text=True)
    try:
        seconds, rss = time_v(proc.stderr)
    except AttributeError:
        seconds, rss = None, None
    try:
        status, payload = parse_response(proc.stdout)
        return status, payload, seconds, rss, None
    except ValueError:
        own = re.split(r"Command exited with non-zero status|\tCommand being timed", proc.stderr)[0]
        return "no response", None, seconds, rss, f"exit {proc.returncode}: {own[-2000:].strip()}"


def main(argv):
    args = parse_args(argv)
    if args.self_test:
        unittest.main(argv=[sys.argv[0]], module=__name__, exit=True)
    today = datetime.date.today()
    runs = plan(args, today)
    bin_dir = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), args.profile)
    if args.dry_run:
        for members in args.members:
            for report, lookback, query in runs:
                binary, path = REPORTS[report]
                print(f"{members} members: {os.path.join(bin_dir, binary)} GET {path}?{urllib.parse.urlencode(query)}")
        print(json.dumps(http_event(REPORTS[runs[0][0]][1], runs[0][2]), indent=2))
        return 0
    missing = [b for b in ["intercom-sim"] + [REPORTS[r][0] for r in args.reports]
               if not os.access(os.path.join(bin_dir, b), os.X_OK)]
    if missing:
        sys.exit(f"bench_reports: missing binaries in {bin_dir}: {', '.join(missing)} "
                 f"(cargo build --workspace --profile {args.profile})")
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("bench_reports: /usr/bin/time is missing (Debian package 'time')")

    lines = [
        f"Reports on generated workspaces (seed {args.seed}), simulator latency {args.latency_ms} ms per "
        f"request, rate limit {args.rate_limit} requests per 10 s, as of {today}, {os.cpu_count()} CPUs, "
        f"{args.profile} build. One run per cell; API calls from the response's meta.apiCalls; rows are "
        f"the first page (default limit) over the total.",
        "",
        HEADER,
    ]
    print("\n".join(lines), flush=True)
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        for members in args.members:
            sim, url = start_simulator(bin_dir, members, args, today)
            try:
                env = dict(os.environ, INTERCOM_API_BASE=url, INTERCOM_ACCESS_TOKEN=TOKEN, RUST_LOG="warn")
                for i, (report, lookback, query) in enumerate(runs):
                    if i:
                        time.sleep(args.cooldown_s)
                    binary, path = REPORTS[report]
                    before = sim_requests(url)
                    status, payload, seconds, rss, problem = run_report(
                        os.path.join(bin_dir, binary), http_event(path, query), env, workdir)
                    served = sim_requests(url) - before
                    calls, rows = summarise(status, payload)
                    line = table_row(report, members, lookback, calls, seconds, rss, status, rows)
                    lines.append(line)
                    print(line, flush=True)
                    if problem:
                        failures.append(f"{report}, {members} members, {lookback}: {problem}")
                    elif calls != "-" and calls != served:
                        print(f"  note: the simulator answered {served} requests, meta.apiCalls says {calls}",
                              file=sys.stderr)
            finally:
                sim.terminate()
                sim.wait()
    lines += ["", f"Reproduce: `{command_line(argv)}`"]
    print("\n" + lines[-1])
    if args.write:
        write_doc(DOC, "## Reports\n\n" + "\n".join(lines))
        print(f"written to {DOC}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


class SelfTest(unittest.TestCase):
    def test_arguments(self):
        a = parse_args([])
        self.assertEqual((a.members, a.lookbacks, a.reports), ([2000, 20000], [30, 365], list(REPORTS)))
        self.assertEqual((a.latency_ms, a.rate_limit, a.write), (150, 1666, False))
        a = parse_args(["--members", "500", "--reports", "billing,caseload", "--write"])
        self.assertEqual((a.members, a.reports, a.write), ([500], ["billing", "caseload"], True))
        for bad in (["--members", "0"], ["--members", "2k"], ["--lookbacks", ""], ["--reports", "caseload,nope"]):
            with self.assertRaises(SystemExit, msg=bad):
                parse_args(bad)

    def test_plan_and_month(self):
        self.assertEqual(last_full_month(datetime.date(2026, 1, 15)), "2025-12")
        self.assertEqual(last_full_month(datetime.date(2026, 3, 31)), "2026-02")
        runs = plan(parse_args(["--reports", "caseload,billing", "--lookbacks", "30,365"]), datetime.date(2026, 11, 20))
        self.assertEqual(runs, [
            ("caseload", "30 days", {"lookbackDays": "30"}),
            ("caseload", "365 days", {"lookbackDays": "365"}),
            ("billing", "month 2026-10", {"month": "2026-10"}),
        ])

    def test_event_is_an_http_api_v2_get(self):
        e = http_event("/API/intercom/sessions", {"lookbackDays": "30", "channel": "Video Conference"})
        self.assertEqual((e["version"], e["routeKey"], e["rawPath"]), ("2.0", "GET /API/intercom/sessions", "/API/intercom/sessions"))
        self.assertEqual(e["rawQueryString"], "lookbackDays=30&channel=Video+Conference")
        self.assertEqual(e["queryStringParameters"]["channel"], "Video Conference")
        self.assertEqual(e["requestContext"]["http"]["method"], "GET")
        self.assertEqual(e["requestContext"]["authorizer"]["lambda"]["keyName"], "bench")
        self.assertIs(e["isBase64Encoded"], False)
        self.assertNotIn("authorization", e["headers"])

    def test_responses(self):
        body = {"meta": {"apiCalls": 17}, "members": [], "page": {"returned": 1000, "total": 4321}}
        plain = json.dumps({"statusCode": 200, "headers": {"Content-Type": "application/json"},
                            "body": json.dumps(body), "isBase64Encoded": False})
        self.assertEqual(parse_response(plain), (200, body))
        zipped = json.dumps({"statusCode": 200, "headers": {"content-encoding": "gzip"}, "isBase64Encoded": True,
                             "body": base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()})
        self.assertEqual(parse_response(zipped), (200, body))
        self.assertEqual(parse_response(json.dumps(body)), (200, body))
        problem = {"type": "x", "status": 504, "title": "Report timeout"}
        status, payload = parse_response(json.dumps({"statusCode": 504, "body": json.dumps(problem)}))
        self.assertEqual((status, summarise(status, payload)), (504, ("-", "-")))
        self.assertEqual(summarise(200, body), (17, "1000/4321"))
        with self.assertRaises(ValueError):
            parse_response("thread 'main' panicked")

    def test_time_output(self):
        stderr = ("\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n"
                  "\tMaximum resident set size (kbytes): 51200\n")
        self.assertEqual(time_v(stderr), (62.5, 50.0))

    def test_table_and_document(self):
        self.assertEqual(table_row("caseload", 20000, "30 days", 17, 3.14159, 50.4, 200, "1000/4321"),
                         "| caseload | 20,000 | 30 days | 17 | 3.1 | 50 | 200 | 1000/4321 |")
        self.assertEqual(table_row("billing", 2000, "month 2026-10", "-", None, None, "no response", "-"),
                         "| billing | 2,000 | month 2026-10 | - | - | - | no response | - |")
        self.assertEqual(HEADER.count("|"), 18)
        self.assertEqual(command_line([]), "make bench-reports")
        self.assertEqual(command_line(["--members", "500"]), ".venv/bin/python infra/scripts/bench_reports.py --members 500")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "benchmarks.md")
            write_doc(path, "## Reports\n\nfirst")
            self.assertEqual(open(path).read(), f"# Benchmarks\n\n{START}\n## Reports\n\nfirst\n{END}\n")
            with open(path, "a") as f:
                f.write("\n## Jobs\n\nkept\n")
            write_doc(path, "## Reports\n\nsecond")
            text = open(path).read()
            self.assertIn("second", text)
            self.assertNotIn("first", text)
            self.assertTrue(text.endswith("## Jobs\n\nkept\n"), text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
