#!/bin/bash
# bench/run.sh: the function-event micro-benchmark, every variant side by side
# in one run, written to bench/RESULTS.md.
#
#   bench/run.sh [BUILD_DIR] [LLVM_MAJOR]     (defaults: build, 14)
#
# Variants of fib (bench/fib.c), all clang -O2 -fno-optimize-sibling-calls:
#   plain        no instrumentation
#   fr-off       the plugin at threshold=0, recorder not started
#   fr-on        the plugin at threshold=0, recording everything (FR_OPTIONS,
#                10 MiB window, budget=off): the cost of an event
#   fr-budget    the same with the default overhead budget (1%), which mutes
#                fib within the first chunk after calibration
#   cyg-ring     -finstrument-functions with a TLS-ring hook (bench/tls_ring_hooks.c)
#   xray-fdr     -fxray-instrument, threshold 1, XRay's FDR mode initialised
#                and recording every call (bench/xray_fdr.cpp); its flushed
#                log is checked to hold the run's calls (llvm-xray convert)
# Each is run RUNS times, interleaved, and the fastest run is kept (the least
# disturbed by the other core). ns/event = (variant - plain) / (2 * calls).
# Instructions per event come from callgrind on a smaller input, which counts
# the same on every run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$here/work
runs=${RUNS:-5}
n=${FIB_N:-35}
small=${FIB_SMALL:-25}
mkdir -p "$work"
cd "$work"

flags="-O2 -g -fno-optimize-sibling-calls"
$cc $flags "$here/fib.c" -o fib-plain
FR_PASS_OPTIONS=threshold=0 $cc $flags -fpass-plugin="$build/llvm-$llvm/libfrpass.so" \
  "$here/fib.c" -o fib-fr "$build/libfr.a" -lpthread
$cc $flags -finstrument-functions "$here/fib.c" "$here/tls_ring_hooks.c" -o fib-cyg
$cc $flags -fxray-instrument -fxray-instruction-threshold=1 -Dmain=fib_main \
  -c "$here/fib.c" -o fib-xray.o
$cc++ -O2 -fxray-instrument -c "$here/xray_fdr.cpp" -o xray_fdr.o
$cc++ -fxray-instrument -fxray-modes=xray-fdr fib-xray.o xray_fdr.o -o fib-xray

run_variant() { # name -> prints seconds
  case $1 in
    plain) ./fib-plain $n ;;
    fr-off) env -u FR_OPTIONS ./fib-fr $n ;;
    fr-on) FR_OPTIONS=exit_dump=0,budget=off ./fib-fr $n ;;
    fr-budget) FR_OPTIONS=exit_dump=0 ./fib-fr $n ;;
    cyg-ring) ./fib-cyg $n ;;
    xray-fdr) rm -f "$work"/xray-log.*
      XRAY_OPTIONS="xray_logfile_base=$work/xray-log. verbosity=0" ./fib-xray $n ;;
  esac | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'
}

variants="plain fr-off fr-on fr-budget cyg-ring xray-fdr"
declare -A best
calls=$(./fib-plain $n | sed -n 's/.*calls=\([0-9]*\).*/\1/p')
for r in $(seq $runs); do
  for v in $variants; do
    t=$(run_variant $v)
    if [ -z "${best[$v]:-}" ] || awk "BEGIN{exit !($t < ${best[$v]})}"; then
      best[$v]=$t
    fi
  done
done
# What XRay flushes: one function-enter record per call (fib's and
# fib_main's), or the row measures something else than recording. Checked
# on fib($small): the full run's log would be gigabytes of YAML.
rm -f "$work"/xray-log.*
XRAY_OPTIONS="xray_logfile_base=$work/xray-log. verbosity=0" ./fib-xray $small >/dev/null
xray_entries=$(/usr/lib/llvm-$llvm/bin/llvm-xray convert --output-format=yaml \
  --instr_map=./fib-xray "$work"/xray-log.* | grep -c 'kind: *function-enter' || true)
rm -f "$work"/xray-log.*

# callgrind: instructions for fib(small) per variant.
instr() {
  local log=$work/cg.out
  case $1 in
    plain) valgrind --tool=callgrind --callgrind-out-file=/dev/null ./fib-plain $small ;;
    fr-off) env -u FR_OPTIONS valgrind --tool=callgrind --callgrind-out-file=/dev/null ./fib-fr $small ;;
    fr-on) FR_OPTIONS=exit_dump=0,budget=off valgrind --tool=callgrind --callgrind-out-file=/dev/null ./fib-fr $small ;;
    cyg-ring) valgrind --tool=callgrind --callgrind-out-file=/dev/null ./fib-cyg $small ;;
    xray-fdr) echo "Collected : n/a" >&2 ;;
  esac 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
small_calls=$(./fib-plain $small | sed -n 's/.*calls=\([0-9]*\).*/\1/p')
declare -A ins
for v in plain fr-off fr-on cyg-ring; do ins[$v]=$(instr $v); done

rdtsc_ns=$(cat > rdtsc.c <<'EOC'
#include <stdio.h>
#include <time.h>
int main(void) {
  struct timespec a, b; unsigned long long s = 0; const int N = 50000000;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < N; i++) s += __builtin_ia32_rdtsc();
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / N + 0 * (double)s);
  return 0;
}
EOC
$cc -O2 rdtsc.c -o rdtsc && ./rdtsc)

events=$((2 * calls))
small_events=$((2 * small_calls))
{
  echo "## Function events: fib($n), $calls calls, $events events ($(date -u +%F), LLVM $llvm)"
  echo
  echo "Command: \`bench/run.sh $build $llvm\` (RUNS=$runs, fastest run kept). rdtsc alone: $rdtsc_ns ns."
  echo
  echo "| variant | seconds | ns/event over plain | x plain | instructions/event over plain (callgrind, fib($small)) |"
  echo "|---|---|---|---|---|"
  for v in $variants; do
    t=${best[$v]}
    per=$(awk "BEGIN{printf \"%.2f\", ($t - ${best[plain]}) * 1e9 / $events}")
    ratio=$(awk "BEGIN{printf \"%.2f\", $t / ${best[plain]}}")
    if [ -n "${ins[$v]:-}" ]; then
      ipe=$(awk "BEGIN{printf \"%.1f\", (${ins[$v]} - ${ins[plain]}) / $small_events}")
    else
      ipe="n/a (does not run under valgrind)"
    fi
    echo "| $v | $t | $per | $ratio | $ipe |"
  done
  fr=$(awk "BEGIN{print (${best[fr-on]} - ${best[plain]})}")
  xr=$(awk "BEGIN{print (${best[xray-fdr]} - ${best[plain]})}")
  echo
  echo "fr-on is $(awk "BEGIN{printf \"%.1f\", $xr / $fr}")x cheaper per event than XRay FDR in this run."
  echo "XRay FDR's flushed log of fib($small): $xray_entries function-enter records for $small_calls calls (+1, fib_main)."
} > "$work/fib-results.md"
cat "$work/fib-results.md"
