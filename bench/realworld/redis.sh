#!/bin/bash
# bench/realworld/redis.sh: redis-server from Debian's source package, built
# with the plugin, recording while a bounded loopback redis-benchmark runs;
# the snapshot written when the server shuts down must validate and its
# summary must show the server's epoll_wait, read and write calls with counts
# that match the requests sent.
#
#   bench/realworld/redis.sh [BUILD_DIR] [LLVM_MAJOR]      (defaults: build, 14)
#   make redis-check                                     (the same, LLVM 14)
#
# RUNTEST=1 also runs redis's own test suite on the instrumented build,
# recording (./runtest --clients 8 --no-latency, about 8 minutes; needs tcl).
# COMPARE=1 also builds redis without the plugin and reports the throughput of
# both, side by side: plain, fr-off (recorder not started), fr-on (default
# overhead budget) and fr-everything (budget=off), RUNS rounds (default 5) of
# COMPARE_REQUESTS requests per test, each variant's median compared.
# Needs root the first time (deb-src entry, build dependencies); about 3 min.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
llvm=${2:-14}
work=$root/bench/work
requests=${REQUESTS:-200000}
tests=set,get,incr
port=${PORT:-7791}
mkdir -p "$work"

command -v pkg-config >/dev/null || apt-get install -y -qq pkg-config >&2
src=$("$here/debian-source.sh" redis "$work/src")

build_redis() { # variant compiler
  local dir=$work/redis-$1
  # A newer plugin means recompiling; a newer runtime, relinking.
  local instrumented=0
  case $2 in *fr-clang) instrumented=1 ;; esac
  if [ -x "$dir/src/redis-server" ] && [ $instrumented = 1 ] &&
     [ "$build/llvm-$llvm/libfrpass.so" -nt "$dir/src/redis-server" ]; then
    rm -rf "$dir"
  fi
  if [ -x "$dir/src/redis-server" ] && [ $instrumented = 1 ] &&
     [ "$build/libfr.a" -nt "$dir/src/redis-server" ]; then
    rm -f "$dir"/src/redis-server "$dir"/src/redis-benchmark "$dir"/src/redis-cli
  fi
  if [ ! -x "$dir/src/redis-server" ]; then
    [ -d "$dir" ] || cp -a "$src" "$dir"
    echo "building redis ($1) in $dir" >&2
    FR_CC=/usr/lib/llvm-$llvm/bin/clang make -C "$dir" -j2 CC="$2" \
      OPTIMIZATION=-O2 CFLAGS="-g" > "$dir.build.log" 2>&1 ||
      { tail -20 "$dir.build.log" >&2; exit 1; }
  fi
  echo "$dir/src"
}

# With the installed wrapper, as a user's build would: CC=fr-clang. It adds
# the runtime after everything else on the link line, the bundled static
# libraries (jemalloc, lua) whose objects are instrumented too included.
fr=$(build_redis fr-llvm$llvm "$build/stage/bin/fr-clang")

run_benchmark() { # bin-dir [FR_OPTIONS] [requests] -> requests/s, summed
  local bin=$1 opts=${2:-} n=${3:-$requests}
  env ${opts:+FR_OPTIONS=$opts} taskset -c 0 "$bin/redis-server" --port $port \
    --save '' --appendonly no --daemonize no --logfile "$work/redis.log" &
  local pid=$!
  for i in $(seq 50); do
    "$bin/redis-cli" -p $port ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  taskset -c 1 "$bin/redis-benchmark" -h 127.0.0.1 -p $port -n $n -c 50 \
    -P 16 -q -t $tests 2>/dev/null | tr '\r' '\n' |
    sed -n 's/^[A-Z]*: \([0-9.]*\) requests per second.*/\1/p' |
    awk '{s += $1} END {printf "%.0f\n", s}'
  "$bin/redis-cli" -p $port shutdown nosave >/dev/null 2>&1 || true
  wait $pid || true
}

snap=$work/redis-llvm$llvm.fr
rm -f "$snap"
# Everything recorded (budget=off): the counts below must match the requests.
rps=$(run_benchmark "$fr" "output=$snap,max_bytes=512MiB,min_age=1h,budget=off")
echo "redis-server (fr, recording): $rps requests/s summed over $tests"
"$build/frtool" validate "$snap"
"$build/frtool" summary --top=10 "$snap" > "$work/redis-summary.txt"
"$build/frtool" summary --json --top=0 "$snap" > "$work/redis-summary.json"
sed -n '/^blocking calls by site/,/^$/p' "$work/redis-summary.txt"

# Sane counts: every request is parsed by processCommand; with 16 requests
# pipelined per round trip, the server reads and writes at least
# requests*tests/16 times (fewer requests per read when batches split), and
# polls for them with epoll_wait.
total=$((requests * 3))
python3 "$root/test/e2e/Inputs/summary_check.py" "$work/redis-summary.json" \
  "functions[site.function=processCommand].inclusive.count>=$total" \
  "blocking_sites[site.callee=epoll_wait].duration.count>=100" \
  "blocking_sites[site.function=connSocketRead].site.callee==read" \
  "blocking_sites[site.function=connSocketRead].duration.count>=$((total / 16))" \
  "blocking_sites[site.function=connSocketRead].duration.count<=$total" \
  "blocking_sites[site.function=connSocketWrite].site.callee==write" \
  "blocking_sites[site.function=connSocketWrite].duration.count>=$((total / 16))" \
  "blocking_sites[site.function=connSocketWrite].duration.count<=$total" \
  "blocking_sites[site.function=connSocketWrite].errors==0"

if [ "${RUNTEST:-0}" = 1 ]; then
  command -v tclsh >/dev/null || apt-get install -y -qq tcl >&2
  (cd "$fr/.." && FR_OPTIONS=exit_dump=0 ./runtest --clients 8 --no-latency) |
    tail -5
fi

if [ "${COMPARE:-0}" = 1 ]; then
  plain=$(build_redis plain-llvm$llvm /usr/lib/llvm-$llvm/bin/clang)
  big=${COMPARE_REQUESTS:-1000000}
  # fr-on: the default overhead budget; fr-everything: budget=off.
  variants="plain fr-off fr-on fr-everything"
  declare -A all=()
  # Rounds of every variant in turn: this VM's throughput drifts by several
  # percent from one minute to the next, so each variant's median over the
  # rounds is compared, and the spread is shown.
  for r in $(seq ${RUNS:-5}); do
    for v in $variants; do
      case $v in
        plain) x=$(run_benchmark "$plain" "" $big) ;;
        fr-off) x=$(run_benchmark "$fr" "enable=0" $big) ;;
        fr-on) x=$(run_benchmark "$fr" "exit_dump=0" $big) ;;
        fr-everything) x=$(run_benchmark "$fr" "exit_dump=0,budget=off" $big) ;;
      esac
      all[$v]="${all[$v]:-} $x"
    done
  done
  median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
  base=$(echo ${all[plain]} | median)
  for v in $variants; do
    m=$(echo ${all[$v]} | median)
    echo "$v: median $m requests/s at -n $big ($(awk "BEGIN{printf \"%.1f\", 100 * $m / $base}")% of plain's median; rounds:${all[$v]})"
  done
fi
echo "redis check passed"
