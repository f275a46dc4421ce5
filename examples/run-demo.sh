#!/bin/bash
# run-demo.sh BUILD_DIR: build examples/demo.c with the plugin, run it with
# recording on, and read the snapshot it wrote when a request was slow.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=$(ls -d "$build"/llvm-* | sed 's/.*llvm-//' | sort -n | head -1)
out=$build/demo
mkdir -p "$out"
rm -f "$out"/demo.fr

echo "== building examples/demo.c with the fr plugin (LLVM $llvm)"
FR_PASS_OPTIONS=threshold=0 /usr/lib/llvm-$llvm/bin/clang -O2 -g \
  -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
  "$here/demo.c" -o "$out/demo" "$build/libfr.a" -lpthread

echo "== running it: FR_OPTIONS=max_bytes=2MiB,min_age=2s,exit_dump=0"
FR_OPTIONS=max_bytes=2MiB,min_age=2s,exit_dump=0 "$out/demo" "$out/demo.fr"

echo "== frtool validate"
"$build/frtool" validate "$out/demo.fr"
echo "== the slow request in the snapshot (frtool dump, around wait_for_backend)"
"$build/frtool" dump "$out/demo.fr" > "$out/demo.txt"
head -8 "$out/demo.txt"
echo "..."
slow=$(grep -m1 'exit wait_for_backend' "$out/demo.txt" | awk '{print $2}')
"$build/frtool" dump --thread="${slow#T}" "$out/demo.fr" | grep -B6 -A3 'exit wait_for_backend' | tail -10
echo
echo "snapshot: $out/demo.fr   full dump: $out/demo.txt"
