"""Prints the requests an intercom-sim answered, per route (GET BASE_URL/_sim/stats)."""
import json
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1] + "/_sim/stats") as response:
    stats = json.load(response)
for route, count in sorted(stats["requests"].items()):
    print(f"  {route:<34} {count}")
print(f"  rate-limited (429): {stats['rate_limited']}, injected errors: {stats['errors_injected']}")
