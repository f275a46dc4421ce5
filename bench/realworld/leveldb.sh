#!/bin/bash
# bench/realworld/leveldb.sh [BUILD_DIR] [LLVM_MAJOR]: a real C++ program.
# leveldb 1.23 from Debian's source package (with Debian's patches that use
# the packaged googletest and benchmark), built plain and with the plugin
# (CMake, -O2 as its Release build), then:
#   1. its own test suite (ctest), instrumented and recording, every test
#      process writing an exit snapshot: tests pass (a test that fails is
#      run again, in both builds: upstream's DBTest.HiddenValuesAreRemoved
#      depends on compaction timing and fails now and then in the plain
#      build too), every snapshot validates;
#   2. db_bench with 4 threads recording (fillrandom, readrandom,
#      readwhilewriting), whose exit snapshot must validate, have its lock
#      sites at leveldb's own lines (the callers of port::Mutex, DBImpl's
#      MutexLock), never in a header, and no call stack left deeper than it
#      was (no exit that needed a repair, the main thread's stack empty at
#      exit);
#   3. overhead: db_bench's micros/op, plain / recorder off / recording
#      (default budget), ROUNDS rounds (default 5) side by side.
# Prints a markdown block for bench/RESULTS.md; exits non-zero when a check
# fails. Needs root the first time (deb-src entry, build dependencies).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
llvm=${2:-14}
rounds=${ROUNDS:-5}
num=${NUM:-100000}
work=$root/bench/work
mkdir -p "$work"
missing=
for pkg in cmake libgmock-dev libgtest-dev libbenchmark-dev libsnappy-dev; do
  dpkg -s "$pkg" > /dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "leveldb.sh: installing$missing (leveldb's build and test dependencies)" >&2
  apt-get install -y -qq $missing >&2
fi
src=$("$here/debian-source.sh" leveldb "$work/src")
tree=$work/leveldb-src
if [ ! -f "$tree/.fr-patched" ]; then
  rm -rf "$tree"
  cp -r "$src" "$tree"
  for p in 0120-external_testing.patch 1001-fix_bloom_test.patch re-enable-rtti.patch; do
    patch -d "$tree" -p1 -s < "$tree/debian/patches/$p"
  done
  touch "$tree/.fr-patched"
fi

configure() { # dir cc cxx: plain clang, or the installed fr-clang wrappers
  # (build/stage/bin) around the same clang, as a user's CMake build would
  local dir=$1 cc=$2 cxx=$3
  FR_CC=/usr/lib/llvm-$llvm/bin/clang FR_CXX=/usr/lib/llvm-$llvm/bin/clang++ \
  cmake -S "$tree" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_FLAGS=-g \
    -DCMAKE_CXX_FLAGS=-g \
    -DLEVELDB_BUILD_TESTS=ON -DLEVELDB_BUILD_BENCHMARKS=ON > "$dir.cmake.log" 2>&1
  FR_CC=/usr/lib/llvm-$llvm/bin/clang FR_CXX=/usr/lib/llvm-$llvm/bin/clang++ \
  make -C "$dir" -j"$(nproc)" > "$dir.make.log" 2>&1 ||
    { tail -20 "$dir.make.log" >&2; exit 1; }
}
plain=$work/leveldb-plain-$llvm
fr=$work/leveldb-fr-$llvm
mkdir -p "$plain" "$fr"
configure "$plain" /usr/lib/llvm-$llvm/bin/clang /usr/lib/llvm-$llvm/bin/clang++
configure "$fr" "$build/stage/bin/fr-clang" "$build/stage/bin/fr-clang++"

failed=0
check() { # description, then the command that must succeed
  local what=$1
  shift
  if "$@"; then
    echo "- pass: $what"
  else
    echo "- FAIL: $what"
    failed=1
  fi
}

echo "## leveldb 1.23 (Debian's source package), LLVM $llvm ($(date -u +%F))"
echo
echo "Command: \`bench/realworld/leveldb.sh $build $llvm\` (ROUNDS=$rounds, NUM=$num)."
echo

# 1. The test suite, instrumented and recording.
snaps=$fr/test-snapshots
rm -rf "$snaps"
mkdir -p "$snaps"
(cd "$fr" && FR_OPTIONS="output=$snaps/%p.fr" ctest -j"$(nproc)" --timeout 900 > ctest.log 2>&1) || true
suite=$(grep -E "tests passed|tests failed" "$fr/ctest.log" | tail -1)
echo "Test suite, instrumented and recording: $suite"
retried_ok=1
for t in $(sed -n 's/^ *[0-9]* - \([a-z0-9_]*\) (Failed)$/\1/p' "$fr/ctest.log"); do
  cases=$(sed -n 's/^\[  FAILED  \] \([A-Za-z0-9_.]*\) (.*$/\1/p' "$fr/Testing/Temporary/LastTest.log" | sort -u | paste -sd: -)
  for c in ${cases//:/ }; do
    again_fr=0 again_plain=0
    for i in 1 2 3; do
      (cd "$fr" && FR_OPTIONS="output=$snaps/rerun-%p.fr" ./"$t" --gtest_filter="$c" > /dev/null 2>&1) && again_fr=$((again_fr + 1))
      (cd "$plain" && ./"$t" --gtest_filter="$c" > /dev/null 2>&1) && again_plain=$((again_plain + 1))
    done
    echo "  $t $c failed once; run again alone: passed $again_fr of 3 recording, $again_plain of 3 plain"
    [ $again_fr -gt 0 ] || retried_ok=0
  done
done
check "every test passes (a failed one passes when run again)" test $retried_ok = 1
invalid=0
for f in "$snaps"/*.fr; do
  "$build/frtool" validate "$f" > /dev/null 2>&1 || { invalid=$((invalid + 1)); echo "  invalid: $f"; }
done
check "all $(ls "$snaps" | wc -l) test snapshots validate" test $invalid = 0

# 2. db_bench, 4 threads, recording.
bench_run() { # variant -> micros/op of each benchmark, space-separated
  local variant=$1 bin=$plain/db_bench env=""
  rm -rf "$work/leveldb-db-$variant"
  case $variant in
    plain) ;;
    off) bin=$fr/db_bench env="FR_OPTIONS=enable=0" ;;
    on) bin=$fr/db_bench env="FR_OPTIONS=output=$work/leveldb-bench.fr" ;;
  esac
  rm -f "$work/leveldb-bench.fr"
  env $env "$bin" --threads=4 --benchmarks=fillrandom,readrandom,readwhilewriting \
    --num="$num" --db="$work/leveldb-db-$variant" 2>/dev/null |
    tr '\r' '\n' | sed -n 's/^\([a-z]*\) *: *\([0-9.]*\) micros\/op.*/\2/p' | paste -sd' ' -
}
declare -A times
for r in $(seq "$rounds"); do
  for v in plain off on; do
    times[$v]="${times[$v]:-}|$(bench_run $v)"
  done
done
snapshot=$work/leveldb-bench.fr
check "db_bench's snapshot validates" "$build/frtool" validate "$snapshot"
"$build/frtool" summary --json "$snapshot" > "$work/leveldb-bench.json"
python3 - "$work/leveldb-bench.json" > "$work/leveldb-checks.txt" <<'EOF' || failed=1
import json, sys
s = json.load(open(sys.argv[1]))
sites = s["lock_sites"]
bad = [x["site"] for x in sites
       if x["site"]["file"].startswith("/usr/") or x["site"]["file"].endswith(".h")]
db_impl = [x["site"] for x in sites if x["site"]["file"].endswith("db/db_impl.cc")]
print("  %d lock sites; %d in db/db_impl.cc, e.g. %s" % (
    len(sites), len(db_impl),
    "; ".join("%s in %s %s:%d" % (d.get("callee", "?"), d["function"],
                                 d["file"].split("/")[-1], d["line"])
              for d in db_impl[:3])))
for b in bad[:5]:
    print("  in a header: %s %s:%d" % (b["function"], b["file"], b["line"]))
print("  calls whose exits needed a repair: %d; calls begun before the window: %d;"
      " calls of muted sites left open by the mute: %d" % (
    s.get("unwound_calls", 0), s.get("partial_calls", 0),
    s.get("muted_open_calls", 0)))
ok = not bad and db_impl and s.get("unwound_calls", 0) == 0
sys.exit(0 if ok else 1)
EOF
cat "$work/leveldb-checks.txt"
check "lock sites at leveldb's own lines, none in a header; no stack repaired" \
  grep -q "calls whose exits needed a repair: 0;" "$work/leveldb-checks.txt"
main_depth=$("$build/frtool" dump --thread=1 "$snapshot" | awk '
  / enter / { d++ } / exit / { if (d > 0) d-- }
  END { print d + 0 }')
check "the main thread's stack is empty at exit (depth $main_depth)" test "$main_depth" = 0

# 3. Overhead: per round and benchmark, each variant's micros/op over
# plain's in the same round (this 2-core VM drifts between minutes, and 4
# threads on 2 cores make single runs noisy); the median of the rounds.
echo
echo "db_bench --threads=4 --num=$num, micros/op (lower is better), $rounds rounds; x plain is the median of per-round ratios:"
echo
python3 - "$rounds" "${times[plain]}" "${times[off]}" "${times[on]}" <<'EOF'
import statistics, sys
rounds = int(sys.argv[1])
runs = {v: [r.split() for r in sys.argv[i].split("|")[1:]]
        for i, v in ((2, "plain"), (3, "off"), (4, "on"))}
print("| benchmark | plain (median) | fr off | fr on |")
print("|---|---|---|---|")
for k, name in enumerate(["fillrandom", "readrandom", "readwhilewriting"]):
    cells = []
    for v in ("off", "on"):
        ratios = [float(runs[v][r][k]) / float(runs["plain"][r][k])
                  for r in range(rounds)]
        cells.append("%.3fx (rounds: %s)" % (
            statistics.median(ratios), " ".join("%.2f" % x for x in ratios)))
    plain = statistics.median(float(runs["plain"][r][k]) for r in range(rounds))
    print("| %s | %.3f us | %s | %s |" % (name, plain, cells[0], cells[1]))
EOF
echo
"$build/frtool" validate "$snapshot" | sed 's/^/    /'
exit $failed
