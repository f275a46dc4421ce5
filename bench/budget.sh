#!/bin/bash
# bench/budget.sh [BUILD_DIR] [LLVM_MAJOR] [OLD_LIBFR]: what the overhead
# budget keeps and what it costs at default settings, as a Markdown block
# for bench/RESULTS.md:
#   - the bursty handler (test/e2e/budget-outlier.c: 5,000 calls of step()
#     every 100 ms, one of them 30 ms long), ten runs: in how many the
#     snapshot has the 30 ms call and nothing muted;
#   - 20,000 short-lived threads, 8 at a time (bench/threads.c churn), with
#     500, 5,000 and 50,000 calls each: wall time recording (default budget)
#     over recording off, two rounds.
# OLD_LIBFR: a libfr.a to run side by side (e.g. one built from an earlier
# commit), for the before/after figures.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
old=${3:-}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$here/work/budget
rm -rf "$work"
mkdir -p "$work"
cd "$work"
runtimes="new:$build/libfr.a"
[ -n "$old" ] && runtimes="$runtimes old:$old"
for rt in $runtimes; do
  name=${rt%%:*} lib=${rt#*:}
  $cc -O1 -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
    "$here/../test/e2e/budget-outlier.c" -o "outlier-$name" "$lib" -lpthread
  $cc -O2 -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
    "$here/threads.c" -o "threads-$name" "$lib" -lpthread
done
echo "## The overhead budget at default settings ($(date -u +%F), LLVM $llvm, $(nproc) cores)"
echo
echo "Command: \`bench/budget.sh $build $llvm${old:+ $old}\`."
echo
echo '```'
for rt in $runtimes; do
  name=${rt%%:*}
  kept=0
  for run in 1 2 3 4 5 6 7 8 9 10; do
    rm -f out.fr
    FR_OPTIONS=output=out.fr "./outlier-$name"
    # step's row: 50000 calls and a maximum of 30 ms or more.
    if "$build/frtool" summary out.fr |
        grep -E '^ +50000 .* ([3-9][0-9]\.[0-9]+ms|[0-9.]+s)  step ' >/dev/null &&
       ! "$build/frtool" summary out.fr | grep -q 'sites muted'; then
      kept=$((kept + 1))
    fi
  done
  echo "$name: bursty handler: the 30 ms call kept, nothing muted, in $kept of 10 runs"
done
for calls in 500 5000 50000; do
  for round in 1 2; do
    for rt in $runtimes; do
      name=${rt%%:*}
      off=$(FR_OPTIONS=enable=0 "./threads-$name" churn 20000 $calls | tail -1 | awk '{print $(NF-1)}')
      on=$(FR_OPTIONS=exit_dump=0 "./threads-$name" churn 20000 $calls | tail -1 | awk '{print $(NF-1)}')
      awk -v n="$name" -v c=$calls -v off="$off" -v on="$on" 'BEGIN {
        printf "%s: 20000 threads x %5d calls: off %6.3f s, on %6.3f s: %.2fx\n", n, c, off, on, on / off }'
    done
  done
done
echo '```'
