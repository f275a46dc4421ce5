#!/bin/bash
# bench/offcost.sh [BUILD_DIR] [LLVM_MAJOR]: what instrumentation costs with
# the recorder off, against XRay's unpatched sleds, in instructions
# (callgrind: the same on every run, whatever the load), on SQLite's
# speedtest1 --memdb --size 10, as a Markdown table for bench/RESULTS.md:
#   plain  no instrumentation
#   fr     the plugin's default selection, FR_OPTIONS=enable=0
#   xray   -fxray-instrument, XRay's default threshold, sleds unpatched
# Needs the amalgamation that bench/realworld/sqlite.sh makes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=${2:-14}
cc=/usr/lib/llvm-$llvm/bin/clang
amalgamation=$here/work/sqlite-amalgamation
speedtest=$(ls "$here"/work/src/sqlite3-*/test/speedtest1.c | head -1)
[ -f "$amalgamation/sqlite3.c" ] || { echo "run bench/realworld/sqlite.sh first" >&2; exit 1; }
work=$here/work/offcost
mkdir -p "$work"
cd "$work"
flags="-O2 -I$amalgamation -DSQLITE_OMIT_LOAD_EXTENSION" # no -g: valgrind 3.19 and DWARF 5
$cc $flags "$speedtest" "$amalgamation/sqlite3.c" -o st-plain -lpthread -lm
$cc $flags -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
  "$speedtest" "$amalgamation/sqlite3.c" -o st-fr "$build/libfr.a" -lpthread -lm \
  -Wl,--dynamic-list="$here/../cmake/fr.dynamic-list"
$cc $flags -fxray-instrument "$speedtest" "$amalgamation/sqlite3.c" -o st-xray -lpthread -lm
count() { # variant -> instructions
  FR_OPTIONS=enable=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    ./st-$1 --memdb --size 10 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
plain=$(count plain)
echo "| build | instructions | over plain |"
echo "|---|---|---|"
echo "| plain | $plain | |"
for v in fr xray; do
  n=$(count $v)
  echo "| $v | $n | $(awk "BEGIN{printf \"%+.2f%%\", ($n - $plain) * 100 / $plain}") |"
done
echo
echo "XRay sleds: $(/usr/lib/llvm-$llvm/bin/llvm-xray extract ./st-xray | grep -c 'kind: *function-enter') functions"
