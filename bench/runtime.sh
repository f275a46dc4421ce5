#!/bin/bash
# bench/runtime.sh [BUILD_DIR] [LLVM_MAJOR]: the runtime's own figures, as
# a Markdown block for bench/RESULTS.md:
#   - write_to of a full 64 MiB window into a file on local disk (bench/work);
#   - how long the snapshot signal stops the thread it lands on, for a full
#     64 MiB window (written by a forked copy) and a 2 MiB one (written by
#     the handler itself);
#   - one thread's cost per event without and with a snapshot of its 64 MiB
#     window written every 10 ms by another thread, side by side, twice;
#   - the cost per event over plain with 1, 2 and 8 threads on this machine's
#     cores (each thread's own CPU time);
#   - 10,000 short-lived threads (default 10 MiB window), and 100,000 with
#     a 256 KiB window: the recorder's resident memory as they come and go;
#   - 1 to 100,000 threads alive at once (bench/threads.c crowd) with 1 MiB
#     and 64 MiB windows: the process's CPU time with recording off, on with
#     the default budget, and on recording everything, and the recorder's
#     resident memory against its documented bound (100,000 threads need
#     kernel.pid_max above 100,000: the row is skipped otherwise).
# Everything is recorded (budget off): these are the costs of recording.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$here/work
mkdir -p "$work"
cd "$work"
for b in snapshot threads; do
  $cc -O2 -g -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
    "$here/$b.c" -o "$b" "$build/libfr.a" -lpthread
done
echo "## Runtime: snapshots, threads ($(date -u +%F), LLVM $llvm, $(nproc) cores)"
echo
echo "Command: \`bench/runtime.sh $build $llvm\`."
echo
echo '```'
./snapshot write 64 "$work/snapshot-64.fr"
rm -f "$work/snapshot-64.fr"
for mb in 64 2; do
  rm -rf "$work/signal" && mkdir -p "$work/signal"
  FR_OPTIONS=max_bytes=${mb}MiB,budget=off,rate=1ms,exit_dump=0,output="$work/signal/s-%n.fr" \
    ./snapshot signal $mb "$work/signal"
done
rm -rf "$work/signal"
for round in 1 2; do
  printf 'without snapshots: '; ./snapshot cost 200000000
  printf 'a snapshot every 10 ms: '; ./snapshot cost 200000000 10
done
for t in 1 2 8; do
  FR_OPTIONS=exit_dump=0,budget=off ./threads scale $t 100000000
done
echo "10,000 threads, 10 MiB window:"
FR_OPTIONS=exit_dump=0,budget=off ./threads churn 10000 | sed -n '1p;5p;10p'
echo "100,000 threads, 256 KiB window:"
FR_OPTIONS=exit_dump=0,budget=off,max_bytes=256KiB ./threads churn 100000 | sed -n '1p;5p;10p'
echo '```'
echo
echo "Threads alive at once: CPU time of the whole (creating the threads"
echo "included), recording off / on with the default budget / on recording"
echo "everything (budget=off), and the recorder's resident memory with every"
echo "thread alive against max_bytes + 64 KiB + max_bytes/64 + 1 KiB a thread:"
echo
echo '```'
for mb in 1 64; do
  for t in 1 100 1000 10000 100000; do
    if [ "$t" -gt 1000 ] && [ "$(cat /proc/sys/kernel/pid_max)" -le $((t + 1000)) ]; then
      echo "$t threads: skipped (kernel.pid_max $(cat /proc/sys/kernel/pid_max))"
      continue
    fi
    calls=$((40000000 / t)); [ $calls -lt 40000 ] && calls=40000
    ./threads crowd $t $calls $((mb << 20))
    FR_OPTIONS=exit_dump=0,max_bytes=${mb}MiB ./threads crowd $t $calls $((mb << 20))
    FR_OPTIONS=exit_dump=0,max_bytes=${mb}MiB,budget=off ./threads crowd $t $calls $((mb << 20))
  done
done
echo '```'
