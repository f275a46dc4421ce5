#!/bin/bash
# make check-repeat: the whole lit suite N times (REPEAT, default 20) with
# the machine loaded (LOAD_CPUS busy workers, default 4: stress-ng --cpu, or
# shell loops when stress-ng is missing), to show the suite does not flake.
# LLVM=14 runs the suite for that major only (as make check runs it for
# each), which takes a fifth of the time.
# Prints one line per run and "green R of N"; exits 1 unless all were.
#   usage: [LLVM=MAJOR] test/check-repeat.sh BUILD
set -uo pipefail
build=${1:-build}
repeat=${REPEAT:-20}
cpus=${LOAD_CPUS:-4}
log=$build/check-repeat
mkdir -p "$log"
if command -v stress-ng > /dev/null; then
  stress-ng --cpu "$cpus" --timeout 0 > /dev/null 2>&1 &
  load=$!
else
  bash -c "for i in \$(seq $cpus); do (while :; do :; done) & done; wait" &
  load=$!
fi
trap 'kill -- -$load 2> /dev/null; kill $load 2> /dev/null; pkill -P $load 2> /dev/null' EXIT
green=0
for i in $(seq "$repeat"); do
  if [ -n "${LLVM:-}" ]; then
    run=(python3 "$(sed -n 's/^FR_LIT:FILEPATH=//p' "$build/CMakeCache.txt")" -sv
         --param fr_site_config="$build/test/lit.site.cfg.py"
         --param llvm="$LLVM" "$(dirname "$0")")
  else
    run=(cmake --build "$build" --target check)
  fi
  if "${run[@]}" > "$log/run-$i.log" 2>&1; then
    green=$((green + 1))
    echo "run $i: green"
  else
    echo "run $i: FAILED ($(grep -E '^  fr \(LLVM' "$log/run-$i.log" | tr -s ' ' | tr '\n' ';'))"
  fi
done
echo "green $green of $repeat (under $cpus busy CPUs)"
[ "$green" -eq "$repeat" ]
