#!/usr/bin/env python3
"""bounded.py [--rss-mb N] [--cpu-s N] [--output FILE --output-mult N]
   [--input FILE] -- COMMAND...

Runs COMMAND and checks what it measured of itself: its peak resident
memory (getrusage), the CPU time it used and the size of what it wrote
(--output, against --output-mult times the --input's size, or 1 MB when
that is smaller). Prints one line per measure and "bounded" or
"UNBOUNDED: why"; exits with the command's status, or 1 when a bound is
broken. A bound is generous (10x and more over what a correct command
needs): it separates linear from quadratic, not fast from slow.
"""
import os
import resource
import subprocess
import sys

args = sys.argv[1:]
opts = {}
while args and args[0] != "--":
    opts[args[0]] = args[1]
    args = args[2:]
cmd = args[1:]
status = subprocess.call(cmd)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rss_mb = usage.ru_maxrss / 1024.0
cpu_s = usage.ru_utime + usage.ru_stime
broken = []
print("exit %d" % status)
if "--rss-mb" in opts:
    print("rss %.0f MB" % rss_mb, file=sys.stderr)
    if rss_mb > float(opts["--rss-mb"]):
        broken.append("rss %.0f MB > %s MB" % (rss_mb, opts["--rss-mb"]))
if "--cpu-s" in opts:
    print("cpu %.2f s" % cpu_s, file=sys.stderr)
    if cpu_s > float(opts["--cpu-s"]):
        broken.append("cpu %.1f s > %s s" % (cpu_s, opts["--cpu-s"]))
if "--output" in opts:
    size = os.path.getsize(opts["--output"]) if os.path.exists(opts["--output"]) else 0
    limit = float(opts.get("--output-mult", "10")) * os.path.getsize(opts["--input"])
    limit = max(limit, 1 << 20)
    print("output %d bytes" % size, file=sys.stderr)
    if size > limit:
        broken.append("output %d bytes > %d" % (size, limit))
print("UNBOUNDED: " + "; ".join(broken) if broken else "bounded")
sys.exit(1 if broken else status)
