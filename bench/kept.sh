#!/bin/bash
# bench/kept.sh BUILD_DIR NAME -- COMMAND...: what the overhead budget keeps
# of a program's function events at default settings, as one Markdown line
# for bench/RESULTS.md: COMMAND (an instrumented program) runs twice with an
# exit snapshot into a window large enough for everything (1 GiB, min_age
# 1h), once at default settings and once with budget=off, and the line
# gives the function calls each snapshot timed, their ratio (the fraction
# of function events kept), the calls the counted tier counted without
# timing them, the functions muted outright and counted.
# The program must do the same work each run (a fixed workload).
set -eu
build=$(cd "$1" && pwd)
name=$2
shift 3 # BUILD NAME --
work=$(cd "$(dirname "$0")" && pwd)/work/kept
mkdir -p "$work"
calls() { # snapshot -> "timed_calls counted_calls muted counted_sites"
  "$build/frtool" summary --json --top=0 "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
timed = sum(f["inclusive"]["count"] for f in d["functions"])
counted = sum(c["calls"] for c in d.get("counted", []))
muted = sum(1 for m in d["muted"] if m["kind"] == "function")
print(timed, counted, muted, len(d.get("counted", [])))'
}
for mode in default off; do
  opts="output=$work/$name-$mode.fr,max_bytes=1GiB,min_age=1h"
  [ $mode = off ] && opts="$opts,budget=off"
  rm -f "$work/$name-$mode.fr"
  FR_OPTIONS=$opts "$@" > /dev/null 2>&1 || true
done
read timed counted muted counted_sites < <(calls "$work/$name-default.fr")
read all _ _ _ < <(calls "$work/$name-off.fr")
awk -v n="$name" -v t="$timed" -v a="$all" -v c="$counted" -v m="$muted" -v k="$counted_sites" \
  'BEGIN { printf "| %s | %d | %d | %.2f%% | %d | %d | %d |\n", n, t, a, a ? 100 * t / a : 0, c, m, k }'
