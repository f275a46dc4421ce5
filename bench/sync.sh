#!/bin/bash
# bench/sync.sh: the cost of recording lock and blocking-call events, each
# variant side by side in one run, written to bench/work/sync-results.md.
#
#   bench/sync.sh [BUILD_DIR] [LLVM_MAJOR]     (defaults: build, 14)
#
# Variants of bench/sync.c, all clang -O2:
#   plain    no instrumentation
#   fr-off   the plugin (lock and blocking call sites), recorder not started
#   fr-on    the same binary recording everything (FR_OPTIONS, 10 MiB window,
#            budget=off)
# Each is run RUNS times, interleaved; the fastest run is kept. The events per
# operation come from a snapshot of a short fr-on run (frtool summary): one
# acquire and one release per uncontended lock, plus a wait and an acquired
# event when the runtime's try found the lock busy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$here/work
runs=${RUNS:-5}
mkdir -p "$work"
cd "$work"

$cc -O2 -g "$here/sync.c" -o sync-plain -lpthread
FR_PASS_OPTIONS=threshold=100000 $cc -O2 -g -fpass-plugin="$build/llvm-$llvm/libfrpass.so" \
  "$here/sync.c" -o sync-fr "$build/libfr.a" -lpthread

declare -A size=([mutex]=20000000 [contended]=2000000 [write]=2000000)
run() { # mode variant -> seconds
  local n=${size[$1]}
  case $2 in
    plain) ./sync-plain $1 $n ;;
    fr-off) env -u FR_OPTIONS ./sync-fr $1 $n ;;
    fr-on) FR_OPTIONS=exit_dump=0,budget=off ./sync-fr $1 $n ;;
  esac | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'
}

# Events per operation, from a run small enough for the window to hold.
events_per_op() { # mode
  rm -f ev.fr
  FR_OPTIONS=output=ev.fr,max_bytes=64MiB,min_age=1h,budget=off ./sync-fr $1 200000 > /dev/null
  local ops=200000 events
  [ $1 = contended ] && ops=400000
  events=$("$build/frtool" summary --json ev.fr | python3 -c '
import json, sys
d = json.load(sys.stdin)
locks = sum(l["acquired"] + l["contended"] + l["failed"] for l in d["locks"])
holds = sum(l["hold"]["count"] for l in d["locks"])
calls = sum(2 * s["duration"]["count"] for s in d["blocking_sites"])
print(locks + holds + calls)')
  awk "BEGIN{printf \"%.2f\", $events / $ops}"
}

declare -A best
for r in $(seq $runs); do
  for m in mutex contended write; do
    for v in plain fr-off fr-on; do
      t=$(run $m $v)
      k=$m/$v
      if [ -z "${best[$k]:-}" ] || awk "BEGIN{exit !($t < ${best[$k]})}"; then
        best[$k]=$t
      fi
    done
  done
done

{
  echo "## Lock and blocking-call events ($(date -u +%F), LLVM $llvm)"
  echo
  echo "Command: \`bench/sync.sh $build $llvm\` (RUNS=$runs, fastest run kept)."
  echo
  echo "| benchmark | ops | plain ns/op | fr-off ns/op | fr-on ns/op | fr-on x plain | events/op | fr-on ns/event over plain |"
  echo "|---|---|---|---|---|---|---|---|"
  for m in mutex contended write; do
    n=${size[$m]}
    ops=$n
    [ $m = contended ] && ops=$((2 * n))
    p=$(awk "BEGIN{printf \"%.1f\", ${best[$m/plain]} * 1e9 / $ops}")
    off=$(awk "BEGIN{printf \"%.1f\", ${best[$m/fr-off]} * 1e9 / $ops}")
    on=$(awk "BEGIN{printf \"%.1f\", ${best[$m/fr-on]} * 1e9 / $ops}")
    ratio=$(awk "BEGIN{printf \"%.2f\", ${best[$m/fr-on]} / ${best[$m/plain]}}")
    epo=$(events_per_op $m)
    per=$(awk "BEGIN{printf \"%.1f\", ($on - $p) / $epo}")
    echo "| $m | $ops | $p | $off | $on | $ratio | $epo | $per |"
  done
} > "$work/sync-results.md"
cat "$work/sync-results.md"
