#!/usr/bin/env python3
"""Prints what a frtool report page embeds, one fact per line (report.test)."""
import json
import re
import sys

page = open(sys.argv[1]).read()
data = json.loads(re.search(r'<script id="fr-data" type="application/json">(.*?)</script>',
                            page, re.S).group(1))
print("program", data["program"], "pid", data["pid"], "trigger", data["trigger"],
      "slices", data["slice_count"])
kinds = ["function", "lock", "cond", "blocking", "lock-op", "region", "mark", "deeper", "merged"]
for t in data["threads"]:
    s = t["slices"]
    for i in range(0, len(s), 7):
        detail = " [%s]" % data["details"][s[i + 6] - 1] if s[i + 6] else ""
        print("T%d %s: %s %d+%d d%d %s %s%s" % (t["index"], t["name"], data["names"][s[i + 3]],
                                              s[i], s[i + 1], s[i + 2], kinds[s[i + 4]],
                                              data["places"][s[i + 3]], detail))
# The flame graph's self time of each function, less what is in calls not
# whole in the window, plus its own time drawn in other frames (its blocking
# calls, waits and regions, its calls muted while they ran) in whole calls,
# is the functions table's self time: the page's reconciliation adds up.
flame = {}
for path, ns, kind, incomplete, elsewhere, elsewhere_incomplete in data["folded"]:
    print("folded", path, ns, kinds[kind], "incomplete", incomplete,
          "elsewhere", elsewhere, elsewhere_incomplete)
    if kind == 0:
        name = path.split(";")[-1]
        flame[name] = flame.get(name, 0) + ns - incomplete + elsewhere - elsewhere_incomplete
for f in data["summary"]["functions"]:
    name = f["site"]["function"].replace(" ", "_").replace(";", ":")
    if name in flame:
        print("reconciled", name, "table", f["self_ns"], "flame", flame[name])
print("summary functions", len(data["summary"]["functions"]), "locks",
      len(data["summary"]["locks"]))
