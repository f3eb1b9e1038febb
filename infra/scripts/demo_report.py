"""Runs one report function on an API Gateway v2 GET event and prints a short summary.

Usage: demo_report.py BINARY PATH QUERY   (QUERY as a=b&c=d; the environment passes through)
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reports import http_event, parse_response  # noqa: E402


def main(binary, path, query):
    params = dict(urllib.parse.parse_qsl(query))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(http_event(path, params, request_id="demo"), f)
    try:
        proc = subprocess.run([binary, "--event", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        sys.exit(f"{binary} failed:\n{proc.stderr[-2000:]}")
    status, body = parse_response(proc.stdout)
    body = body or {}
    print(f"\n$ GET {path}?{query}  ->  HTTP {status}")
    if status != 200:
        print("  " + json.dumps(body))
        return
    summary = body.get("summary", {})
    page = body.get("page")
    meta = body.get("meta", {})
    def shown(v):
        return round(v, 2) if isinstance(v, float) else v
    print("  summary: " + ", ".join(f"{k}={shown(v)}" for k, v in summary.items()))
    if page is not None:
        print(f"  rows: {page.get('returned')} of {page.get('total')}, Intercom API calls: {meta.get('apiCalls')}")
    for name, rows in body.items():
        if isinstance(rows, list) and page is None:
            print(f"  {name}: {len(rows)} rows" + (f"; first: {json.dumps(rows[0])}" if rows else ""))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
