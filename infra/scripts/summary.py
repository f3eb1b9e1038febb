"""Prints a one-screen view of a function's JSON response (a run summary or an export answer)."""
import json
import sys

FIELDS = ["scanned", "candidates", "updatesPlanned", "changesPlanned", "applied", "apiCalls",
          "rateLimitWaits", "retries", "durationMs", "bucket", "key", "rows"]

with open(sys.argv[1]) as f:
    response = json.load(f)
shown = {k: response[k] for k in FIELDS if k in response}
if "failed" in response:
    shown["failed"] = len(response["failed"])
print("  " + ", ".join(f"{k}={v}" for k, v in shown.items()))
by_attribute = response.get("changesByAttribute") or {}
if by_attribute:
    print("  changes by attribute: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_attribute.items())))
