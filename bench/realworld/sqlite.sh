#!/bin/bash
# bench/realworld/sqlite.sh [BUILD_DIR] [LLVM_MAJOR]: SQLite's speedtest1 from
# Debian's source package (sqlite3 3.40.1), built three ways and run
# seven ways side by side:
#   plain           no instrumentation
#   fr-off          the plugin's default selection, recorder not started
#   fr              the same binary, recording into 10 MiB with
#                   the default overhead budget (1%), no exit snapshot
#   fr-exit         the same at default settings, the exit snapshot
#                   included (written to bench/work, then removed)
#   fr-everything   the same binary recording everything (budget=off)
#   fr-all          every function instrumented (threshold=0), default budget
#   fr-all-everything  the same, budget=off
# Runs `speedtest1 --memdb --size SIZE` in RUNS rounds (default 9) of every
# variant (VARIANTS, default all seven; plain always runs) in an order shuffled
# each round, on one core (taskset -c 1: no migrations, the other core
# takes the noise), and reports each variant's median ratio to plain in the
# same round, and its fastest run; then, from exit snapshots, the density
# (bytes per event, everything recorded), how long a window max_bytes=10MiB
# covers with and without the budget, and what the budget muted.
# Needs root the first time (deb-src entry, tcl for the amalgamation).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
work=$root/bench/work
size=${SIZE:-100}
runs=${RUNS:-9}
mkdir -p "$work"
command -v tclsh >/dev/null || apt-get install -y -qq tcl >&2
src=$("$here/debian-source.sh" sqlite3 "$work/src")

amalgamation=$work/sqlite-amalgamation
if [ ! -f "$amalgamation/sqlite3.c" ]; then
  rm -rf "$amalgamation"
  mkdir -p "$amalgamation"
  (cd "$amalgamation" && "$src/configure" CC="$cc" --disable-shared > configure.log 2>&1 &&
    make sqlite3.c > make.log 2>&1) || { tail -20 "$amalgamation/make.log" >&2; exit 1; }
fi
cd "$work"
flags="-O2 -g -I$amalgamation -DSQLITE_OMIT_LOAD_EXTENSION"
compile() { # out compiler: clang, or fr-clang (the installed wrapper in
  # build/stage, wrapping the same clang: the plugin, then the runtime)
  local out=$1 compiler=$2
  FR_CC=$cc /usr/bin/time -f "%e" -o "$out.compile-seconds" \
    "$compiler" $flags "$src/test/speedtest1.c" \
    "$amalgamation/sqlite3.c" -o "$out" -lpthread -lm
}
wrapper=$build/stage/bin/fr-clang
compile speedtest1-plain "$cc"
FR_PASS_OPTIONS= compile speedtest1-fr "$wrapper"
variants=${VARIANTS:-fr-off fr fr-exit fr-everything fr-all fr-all-everything}
variants="plain ${variants//plain/}"
case " $variants " in *" fr-all"*) FR_PASS_OPTIONS=threshold=0 compile speedtest1-fr-all "$wrapper" ;; esac

pin=
[ "$(nproc)" -gt 1 ] && pin="taskset -c 1"
run() { # variant -> seconds
  local start end
  start=$(date +%s.%N)
  case $1 in
    plain) $pin ./speedtest1-plain --memdb --size $size > /dev/null ;;
    fr-off) FR_OPTIONS=enable=0 $pin ./speedtest1-fr --memdb --size $size > /dev/null ;;
    fr) FR_OPTIONS=exit_dump=0 $pin ./speedtest1-fr --memdb --size $size > /dev/null ;;
    fr-exit) FR_OPTIONS=output=$work/exit.fr $pin ./speedtest1-fr --memdb --size $size > /dev/null
      rm -f "$work/exit.fr" ;;
    fr-everything) FR_OPTIONS=exit_dump=0,budget=off $pin ./speedtest1-fr --memdb --size $size > /dev/null ;;
    fr-all) FR_OPTIONS=exit_dump=0 $pin ./speedtest1-fr-all --memdb --size $size > /dev/null ;;
    fr-all-everything) FR_OPTIONS=exit_dump=0,budget=off $pin ./speedtest1-fr-all --memdb --size $size > /dev/null ;;
  esac
  end=$(date +%s.%N)
  awk "BEGIN{printf \"%.3f\", $end - $start}"
}
# Per round, each variant's time over plain's in the same round: this VM's
# speed drifts by several percent from one minute to the next, and a ratio
# within a round cancels most of that; the order is shuffled so that no
# variant always runs just after another (a warm or cooling core, the page
# cache). The median ratio is the figure; the fastest run of each variant
# is shown too.
declare -A best ratios
for r in $(seq $runs); do
  declare -A now=()
  for v in $(printf '%s\n' $variants | shuf); do
    t=$(run $v)
    now[$v]=$t
    if [ -z "${best[$v]:-}" ] || awk "BEGIN{exit !($t < ${best[$v]})}"; then
      best[$v]=$t
    fi
  done
  for v in $variants; do
    ratios[$v]="${ratios[$v]:-} $(awk "BEGIN{printf \"%.4f\", ${now[$v]} / ${now[plain]}}")"
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "## SQLite speedtest1 --memdb --size $size ($(date -u +%F), LLVM $llvm)"
echo
echo "Command: \`VARIANTS='${variants# }' RUNS=$runs bench/realworld/sqlite.sh $build $llvm\` (shuffled rounds, pinned to one core)."
echo
echo "| variant | x plain (median of rounds) | fastest seconds | fastest x fastest plain | compile seconds (sqlite3.c + speedtest1.c, -O2) |"
echo "|---|---|---|---|---|"
for v in $variants; do
  bin=${v%-everything}
  bin=${bin%-off}
  bin=${bin%-exit}
  echo "| $v | $(echo ${ratios[$v]} | median) | ${best[$v]} | $(awk "BEGIN{printf \"%.3f\", ${best[$v]} / ${best[plain]}}") | $(cat speedtest1-$bin.compile-seconds) |"
done
echo
echo "Ratios to plain, round by round:"
for v in $variants; do
  [ $v = plain ] || echo "- $v:${ratios[$v]}"
done
for v in fr fr-all; do
  [ -x speedtest1-$v ] && case " $variants " in *" $v "*) ;; *) false ;; esac || continue
  for budget in off 1%; do
    rm -f density-$v.fr
    FR_OPTIONS="output=$work/density-$v.fr,max_bytes=10MiB,min_age=1h,budget=$budget" \
      ./speedtest1-$v --memdb --size $size > /dev/null
    echo
    echo "$v, max_bytes=10MiB, budget=$budget: $("$build/frtool" validate "density-$v.fr" | sed 's/^[^:]*: //')"
  done
  # What the budget muted, the most frequent first.
  "$build/frtool" summary --top=8 "density-$v.fr" | sed -n '/^muted by/,$p' | sed 's/^/    /'
done
