#!/bin/bash
# make fuzz: builds the libFuzzer harnesses (one per frtool command, ASan +
# UBSan; test/fuzz/fuzz_frtool.c) and runs each for FUZZ_SECONDS (default 60)
# from the seed corpus (test/fuzz/corpus: real snapshots) and every past
# finding (test/fuzz/regressions), FUZZ_JOBS harnesses at a time (default:
# one per CPU). A finding ends that harness's run: its input is left in
# BUILD/fuzz/findings/ (add it to test/fuzz/regressions/ with the fix).
#   usage: test/fuzz/run.sh BUILD [HARNESS...]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=(validate dump summary summary-json export-perfetto export-chrome
             export-folded report diff)
fi
cmake --build "$build" --target fuzzers -j2 > "$build/fuzz-build.log" 2>&1 ||
  { cat "$build/fuzz-build.log"; exit 1; }
mkdir -p "$build/fuzz/findings"

# One harness: its past findings, then FUZZ_SECONDS of fuzzing. Prints its
# one-line result (and what it found); exits 1 on a finding.
fuzz_one() {
  local h=$1 corpus="$build/fuzz/corpus-$1"
  mkdir -p "$corpus"
  # Past findings first, once each: they must all pass now.
  if ls "$here"/regressions/* > /dev/null 2>&1; then
    if ! "$build/fuzz-$h" -close_fd_mask=3 "$here"/regressions/* \
        > "$build/fuzz/$h-regressions.log" 2>&1; then
      echo "fuzz-$h: a checked-in regression input fails again:"
      tail -30 "$build/fuzz/$h-regressions.log"
      return 1
    fi
  fi
  if "$build/fuzz-$h" -max_total_time="$seconds" -close_fd_mask=3 \
      -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$build/fuzz/findings/$h-" \
      "$corpus" "$here/corpus" > "$build/fuzz/$h.log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$build/fuzz/$h.log" | tail -1)
    echo "fuzz-$h: ${runs:-done} in ${seconds} s, no finding"
  else
    echo "fuzz-$h: FINDING (input in $build/fuzz/findings/):"
    grep -A25 'ERROR\|runtime error\|==ERROR' "$build/fuzz/$h.log" | head -40
    return 1
  fi
}

# FUZZ_JOBS harnesses at a time (default: one per CPU), each on its own
# core for its FUZZ_SECONDS; results printed in the order asked.
jobs=${FUZZ_JOBS:-$(nproc)}
status=0
pids=() names=()
wait_oldest() {
  wait "${pids[0]}" || status=1
  cat "$build/fuzz/${names[0]}.result"
  pids=("${pids[@]:1}") names=("${names[@]:1}")
}
for h in "${harnesses[@]}"; do
  [ ${#pids[@]} -ge "$jobs" ] && wait_oldest
  fuzz_one "$h" > "$build/fuzz/$h.result" 2>&1 &
  pids+=($!) names+=("$h")
done
while [ ${#pids[@]} -gt 0 ]; do wait_oldest; done
exit $status
