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
for path, ns, kind, incomplete in data["folded"]:
    print("folded", path, ns, kinds[kind], "incomplete", incomplete)
print("summary functions", len(data["summary"]["functions"]), "locks",
      len(data["summary"]["locks"]))
