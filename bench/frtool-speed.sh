#!/bin/bash
# bench/frtool-speed.sh [BUILD_DIR] [MiB]: how fast frtool reads a large
# snapshot, and in how much memory. Records bench/spin.c into a window of MiB
# (default 200) until it is full, then times frtool validate, summary and
# export (each format) on it: MB/s of snapshot and peak resident memory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
mib=${2:-200}
llvm=$(ls -d "$build"/llvm-* | sed 's/.*llvm-//' | sort -n | head -1)
work=$here/work
mkdir -p "$work"
cd "$work"
/usr/lib/llvm-$llvm/bin/clang -O2 -g -fpass-plugin="$build/llvm-$llvm/libfrpass.so" \
  -I"$here/../include" "$here/spin.c" -o spin "$build/libfr.a" -lpthread
rm -f big.fr
FR_OPTIONS="output=$work/big.fr,max_bytes=${mib}MiB,min_age=1h" ./spin 6
size=$(stat -c %s big.fr)
"$build/frtool" validate big.fr
echo
echo "| command | seconds | MB/s of snapshot | peak RSS (MiB) |"
echo "|---|---|---|---|"
measure() { # label command...
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o time.out "$@" > /dev/null 2>&1
  local secs rss
  read -r secs rss < time.out
  echo "| $label | $secs | $(awk "BEGIN{printf \"%.0f\", $size / 1e6 / $secs}") | $(awk "BEGIN{printf \"%.0f\", $rss / 1024}") |"
}
measure "validate" "$build/frtool" validate big.fr
measure "summary" "$build/frtool" summary big.fr
measure "export perfetto" "$build/frtool" export -o big.pftrace big.fr
measure "export chrome" "$build/frtool" export --format=chrome -o big.json big.fr
measure "export folded" "$build/frtool" export --format=folded -o big.folded big.fr
echo
echo "snapshot: $size bytes ($(awk "BEGIN{printf \"%.0f\", $size / 1e6}") MB)"
rm -f big.pftrace big.json big.folded
