#!/bin/bash
# bench/counted.sh [BUILD_DIR] [LLVM_MAJOR]: the cost of one call of a small
# function in each tier of the overhead budget, as a Markdown block for
# bench/RESULTS.md: wall time per call (the best of five runs of 50 million
# calls; this VM is noisy) and instructions per call (callgrind, 2 million
# calls, stable), over the same loop built without the plugin.
#   plain     no plugin
#   recorded  FR_OPTIONS=budget=off: every entry and exit written
#   counted   budget=0.0001%,counted=all: the budget mutes leaf() into the
#             counted tier (its hooks count, read no clock)
#   muted     budget=0.0001%,counted=off: muted outright (a load and a branch)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$here/work/counted
rm -rf "$work"
mkdir -p "$work"
cd "$work"
$cc -O2 -I"$here/../include" "$here/counted.c" -o plain
$cc -O2 -I"$here/../include" -fpass-plugin="$build/llvm-$llvm/libfrpass.so" \
  "$here/counted.c" -o fr "$build/libfr.a" -lpthread
run() { # mode -> "ns instructions"
  local mode=$1 opts="" bin=fr
  case $mode in
  plain) bin=plain ;;
  recorded) opts="output=/dev/null,exit_dump=0,budget=off" ;;
  counted) opts="output=/dev/null,exit_dump=0,budget=0.0001%,rearm=off,counted=all" ;;
  muted) opts="output=/dev/null,exit_dump=0,budget=0.0001%,rearm=off,counted=off" ;;
  esac
  local best=
  for i in 1 2 3 4 5; do
    local ns
    if [ $mode = plain ]; then ns=$(./$bin 50000000 | cut -d' ' -f1)
    else ns=$(FR_OPTIONS=$opts ./$bin 50000000 | cut -d' ' -f1); fi
    best=$(echo "$ns ${best:-$ns}" | awk '{print ($1 < $2) ? $1 : $2}')
  done
  # Instructions per timed call: a run of 2 M timed calls less a run of none.
  local ir=0 n
  for n in 2000000 0; do
    local total
    if [ $mode = plain ]; then
      total=$(valgrind --tool=callgrind --callgrind-out-file=cg.out ./$bin $n 2>&1 | awk '/Collected/ {print $4}')
    else
      total=$(FR_OPTIONS=$opts valgrind --tool=callgrind --callgrind-out-file=cg.out ./$bin $n 2>&1 | awk '/Collected/ {print $4}')
    fi
    ir=$(echo "$ir $total $n" | awk '{print ($3 > 0) ? $2 : ($1 - $2) / 2000000}')
  done
  echo "$best $ir"
}
echo "## The counted tier: one call of a small function ($(date -u +%F), LLVM $llvm)"
echo
echo "Command: \`bench/counted.sh $build $llvm\`. Wall: best of 5 x 50 M calls;"
echo "instructions: callgrind, per timed call (2 M timed calls less none)."
echo
echo '```'
read plain_ns plain_ir < <(run plain)
printf "%-9s %8s %12s %16s\n" tier ns/call "over plain" "instr over plain"
for mode in plain recorded counted muted; do
  read ns ir < <(run $mode)
  printf "%-9s %8.2f %12.2f %16.1f\n" $mode $ns \
    "$(echo "$ns $plain_ns" | awk '{print $1 - $2}')" \
    "$(echo "$ir $plain_ir" | awk '{print $1 - $2}')"
done
echo '```'
