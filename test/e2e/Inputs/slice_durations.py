# Prints the longest slice of a function in a Chrome JSON export, in ms:
# "longest 30.012 ms" (begin and end events paired per thread, as a viewer
# pairs them).
import json
import sys

trace = json.load(open(sys.argv[1]))
events = trace["traceEvents"] if isinstance(trace, dict) else trace
stacks, longest = {}, None
for e in events:
    if e.get("ph") not in ("B", "E"):
        continue
    stack = stacks.setdefault((e["pid"], e["tid"]), [])
    if e["ph"] == "B":
        stack.append((e.get("name"), e["ts"]))
    elif stack:
        name, began = stack.pop()
        if name == sys.argv[2]:
            took = (e["ts"] - began) / 1000.0
            longest = took if longest is None or took > longest else longest
print("longest %.3f ms" % longest if longest is not None else "none")
