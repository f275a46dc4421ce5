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
FR_OPTIONS="output=$work/big.fr,max_bytes=${mib}MiB,min_age=1h,budget=off" ./spin 6
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
# Each export twice: into a file beside the snapshot (what a user waits
# for, bounded by how fast this machine's disk takes the output), and into
# /dev/null (frtool's own speed).
for format in perfetto chrome folded; do
  measure "export $format to a file" "$build/frtool" export --format=$format -o big.out big.fr
  echo "|   (output: $(stat -c %s big.out) bytes) | | | |"
  rm -f big.out
  measure "export $format to /dev/null" "$build/frtool" export --format=$format -o /dev/null big.fr
done
echo
echo "snapshot: $size bytes ($(awk "BEGIN{printf \"%.0f\", $size / 1e6}") MB)"
dd if=/dev/zero of=big.out bs=1M count=1024 conv=fsync 2>&1 | tail -1 | sed 's/^/disk: /'
rm -f big.out
