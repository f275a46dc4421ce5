#!/usr/bin/env python3
"""replay_agree.py FRTOOL SNAPSHOT...

summary and export consume one replay (tools/fr_replay.c) through their own
sinks (fr_analysis.c, cmd_export.c), which must tell the same story of each
function's calls: for every function summary lists, the
Chrome export draws at least the calls summary timed, and at most those
plus the calls that began before the window (summary's partial) and those
still running where their thread's events end (which export draws to
there and summary does not time: one a thread, in these inputs).
The report's tables come from its own pass (the one that draws its
timeline): they must be what `summary --json --top=50` says.
Prints "agree: N snapshots" or one line per function where they differ.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

frtool, snapshots = sys.argv[1], sys.argv[2:]
bad = 0
for snapshot in snapshots:
    summary = subprocess.run([frtool, "summary", "--json", "--top=0", snapshot],
                             capture_output=True, text=True)
    if summary.returncode:
        print("summary failed:", snapshot)
        bad += 1
        continue
    functions = json.loads(summary.stdout)["functions"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "trace.json")
        subprocess.run([frtool, "export", "--format=chrome", "-o", out, snapshot],
                       capture_output=True, check=True)
        trace = json.load(open(out))
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    slices = collections.Counter()
    stacks = collections.defaultdict(list)
    for e in events:
        if e.get("cat") != "function" or e.get("ph") not in ("B", "E", "X"):
            continue
        if e["ph"] in ("B", "X"):
            slices[e["name"]] += 1
        if e["ph"] == "B":
            stacks[(e["pid"], e["tid"])].append(e["name"])
        elif e["ph"] == "E" and stacks[(e["pid"], e["tid"])]:
            stacks[(e["pid"], e["tid"])].pop()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.html")
        subprocess.run([frtool, "report", "-o", out, snapshot],
                       capture_output=True, check=True)
        page = open(out, encoding="utf-8").read()
    start = page.index('<script id="fr-data" type="application/json">')
    data = json.JSONDecoder().raw_decode(page, page.index("{", start))[0]
    top50 = subprocess.run([frtool, "summary", "--json", "--top=50", snapshot],
                           capture_output=True, text=True)
    if data["summary"] != json.loads(top50.stdout):
        print("%s: the report's tables are not summary's"
              % os.path.basename(snapshot))
        bad += 1
    threads = len(stacks)
    for f in functions:
        name = f["site"]["function"]
        timed, partial = f["inclusive"]["count"], f["partial"]
        drawn = slices.get(name, 0)
        if not timed <= drawn <= timed + partial + threads:
            print("%s: %s: summary %d calls (+%d partial), export %d slices"
                  % (os.path.basename(snapshot), name, timed, partial, drawn))
            bad += 1
print("agree: %d snapshots" % len(snapshots) if not bad else "differ: %d" % bad)
sys.exit(1 if bad else 0)
