#!/bin/bash
# bench/offcost.sh [BUILD_DIR] [LLVM_MAJOR]: what instrumentation costs with
# the recorder off, against XRay's unpatched sleds, in instructions
# (callgrind: the same on every run, whatever the load), on SQLite's
# speedtest1 --memdb --size 10, as a Markdown table for bench/RESULTS.md:
#   plain  no instrumentation
#   fr     the plugin's default selection, FR_OPTIONS=enable=0
#   fr-inline  the same with clone=0: every hook inline, no function split
#   xray   -fxray-instrument, XRay's default threshold, sleds unpatched
# then the same four on bench/leaf.c (10 million calls of a small leaf), as
# instructions per call over plain.
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
FR_PASS_OPTIONS="${FR_PASS_OPTIONS:+$FR_PASS_OPTIONS;}clone=0" \
  $cc $flags -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
  "$speedtest" "$amalgamation/sqlite3.c" -o st-fr-inline "$build/libfr.a" -lpthread -lm \
  -Wl,--dynamic-list="$here/../cmake/fr.dynamic-list"
$cc $flags -fxray-instrument "$speedtest" "$amalgamation/sqlite3.c" -o st-xray -lpthread -lm
leaf_flags="-O2 -I$here/../include"
$cc $leaf_flags "$here/leaf.c" -o leaf-plain
$cc $leaf_flags -fpass-plugin="$build/llvm-$llvm/libfrpass.so" "$here/leaf.c" -o leaf-fr \
  "$build/libfr.a" -lpthread -Wl,--dynamic-list="$here/../cmake/fr.dynamic-list"
FR_PASS_OPTIONS="${FR_PASS_OPTIONS:+$FR_PASS_OPTIONS;}clone=0" \
  $cc $leaf_flags -fpass-plugin="$build/llvm-$llvm/libfrpass.so" "$here/leaf.c" -o leaf-fr-inline \
  "$build/libfr.a" -lpthread -Wl,--dynamic-list="$here/../cmake/fr.dynamic-list"
$cc $leaf_flags -fxray-instrument "$here/leaf.c" -o leaf-xray
count() { # program -> instructions
  FR_OPTIONS=enable=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
plain=$(count ./st-plain --memdb --size 10)
echo "| build | instructions | over plain |"
echo "|---|---|---|"
echo "| plain | $plain | |"
for v in fr fr-inline xray; do
  n=$(count ./st-$v --memdb --size 10)
  echo "| $v | $n | $(awk "BEGIN{printf \"%+.2f%%\", ($n - $plain) * 100 / $plain}") |"
done
echo
echo "XRay sleds: $(/usr/lib/llvm-$llvm/bin/llvm-xray extract ./st-xray | grep -c 'kind: *function-enter') functions"
echo
plain=$(count ./leaf-plain)
echo "| bench/leaf.c | instructions | per call over plain |"
echo "|---|---|---|"
echo "| plain | $plain | |"
for v in fr fr-inline xray; do
  n=$(count ./leaf-$v)
  echo "| $v | $n | $(awk "BEGIN{printf \"%.2f\", ($n - $plain) / 1e7}") |"
done
