#!/usr/bin/env python3
"""Prints a Chrome trace-event JSON file one event per line, for FileCheck:
"PH TID TS NAME ARGS" (ARGS as sorted JSON), then "balanced" if every
thread has as many B as E events, else "unbalanced". Fails on invalid JSON."""
import collections
import json
import sys

events = json.load(open(sys.argv[1]))["traceEvents"]
for e in events:
    print(e["ph"], e.get("tid", "-"), e.get("ts", "-"), e.get("name", ""),
          json.dumps(e.get("args", {}), sort_keys=True))
count = collections.Counter((e.get("tid"), e["ph"]) for e in events)
tids = {e.get("tid") for e in events}
print("balanced" if all(count[(t, "B")] == count[(t, "E")] for t in tids)
      else "unbalanced")
