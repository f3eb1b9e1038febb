"""Prints the engagement ranker's demo output.

Usage:
  demo_ranker.py summary FILE                     a run's JSON (summary or spike report)
  demo_ranker.py readback FILE HUBSPOT_URL TOKENVAR  the top 5 companies' properties as stored
  demo_ranker.py slack SINK_URL                   the messages slack-sink received
  demo_ranker.py stats BASE_URL NAME              a simulator's request counts
"""
import json
import os
import sys
import urllib.request


def get(url, token=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def row(r):
    move = r.get("movement")
    move = "new" if move is None else (f"+{move}" if move > 0 else str(move))
    return f"    {r['rank']:>4}  {r['score']:>5}  {r['tier']:<11} {move:>5}  {r['name']}"


def summary(path):
    s = json.load(open(path))
    if s.get("mode") == "spike":
        print(f"  week of {s['weekStart']}: {s['tenants']} tenants, {s['companies']} companies "
              f"({s['excludedByFlag']} excluded by flag)")
        for e in s["endpoints"]:
            print(f"    {e['endpoint']:<32} metrics={','.join(e['metrics'])} daily={e['dailyBuckets']} "
                  f"by_user={e['byUser']} period={e['period']} coversWeek={e['coversWeek']}")
        print(f"  mapped {s['mapped']} ({s['coveragePercent']}%), ambiguous {s['ambiguous']} "
              f"({s['ambiguityPercent']}%), by method {s['byMethod']}")
        print(f"  HubSpot problems: {s['hubspotProblems'] or 'none'}; Yobi problems: {s['yobiProblems'] or 'none'}")
        return
    w = s["writes"]
    print(f"  week {s['weekStart']}..{s['weekEnd']}, dryRun={s['dryRun']}, N={s['n']}; "
          f"planned={w['planned']} written={len(w['written'])} unwritten={len(w['unwritten'])} "
          f"unchanged={w['unchanged']}; excluded={len(s['excluded'])} inactive={len(s['inactive'])}")
    if w["planned"] == 0 and not s["dryRun"]:
        return
    print("  top 5:   rank  score  tier         move  company")
    for r in s["top"][:5]:
        print(row(r))
    print("  bottom 5:")
    for r in s["bottom"][-5:]:
        print(row(r))
    print("  biggest movers up:")
    for r in s["movers"]["up"]:
        print(row(r))
    print("  biggest movers down:")
    for r in s["movers"]["down"]:
        print(row(r))
    print(f"  new this week: {len(s['movers']['new'])}")
    kinds = {}
    for a in s["anomalies"]:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    print(f"  anomalies: {kinds}")
    for a in s["anomalies"][:6]:
        print(f"    {a['kind']:<15} {a['companyId']:>12} {a['name']}: {a['detail']}")


def readback(path, base, token_var):
    s = json.load(open(path))
    token = os.environ[token_var]
    props = "name,customer_engagement_score,customer_engagement_rank,customer_engagement_tier"
    for r in s["top"][:5] + s["bottom"][-3:]:
        c = get(f"{base}/crm/v3/objects/companies/{r['companyId']}?properties={props}", token)
        p = c["properties"]
        print(f"  {c['id']:>12}  score={p['customer_engagement_score']:>5}  "
              f"rank={p['customer_engagement_rank']:<14} tier={p['customer_engagement_tier']:<11} {p['name']}")


def slack(base):
    messages = get(f"{base}/_sink/messages")
    print(f"  {len(messages)} message(s)")
    for m in messages:
        print(f"  --- {m.get('text', '')[:150]}")
        for b in m.get("blocks", [])[:4]:
            text = (b.get("text") or {}).get("text", "")
            print("    " + text.replace("\n", "\n    ")[:600])


def stats(base, name):
    s = get(f"{base}/_sim/stats")
    print(f"  {name}:")
    for route, count in sorted(s["requests"].items()):
        print(f"    {route:<52} {count}")
    if s.get("events"):
        print(f"    events: {s['events']}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"summary": summary, "readback": readback, "slack": slack, "stats": stats}[command](*args)
