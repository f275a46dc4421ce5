#!/bin/bash
# test/browser/run.sh [BUILD_DIR]: the browser tier of the tests (make
# browser-check). Installs Debian's chromium if missing, playwright-core and
# speedscope from npm (test/browser/package.json, pinned), builds the demo's
# snapshot as the "real" one and a million-event one, and runs check.mjs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$build/browser
mkdir -p "$work"
# Only what is missing: a machine may have node and npm from elsewhere
# (nodesource's nodejs conflicts with Debian's npm).
missing=
command -v chromium >/dev/null || missing="$missing chromium"
command -v npm >/dev/null || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi
(cd "$here" && npm install --no-audit --no-fund --silent)

# A real snapshot: the demo's (HTTP server, locks, blocking calls).
[ -f "$build/demo/httpd-0.fr" ] || "$root/examples/run-demo.sh" "$build" > /dev/null
# A million events and more: bench/spin.c for a moment.
llvm=$(ls -d "$build"/llvm-* | sed 's/.*llvm-//' | sort -n | head -1)
/usr/lib/llvm-$llvm/bin/clang -O2 -g -fpass-plugin="$build/llvm-$llvm/libfrpass.so" \
  -I"$root/include" "$root/bench/spin.c" -o "$work/spin" "$build/libfr.a" -lpthread
rm -f "$work/big.fr"
FR_OPTIONS="output=$work/big.fr,max_bytes=4MiB,min_age=1h,budget=off" "$work/spin" 0.3
"$build/frtool" validate "$work/big.fr"
# The same with the default overhead budget, which mutes spin's functions.
rm -f "$work/muted.fr"
FR_OPTIONS="output=$work/muted.fr" "$work/spin" 0.3
node "$here/check.mjs" "$build/frtool" "$work" "$build/demo/httpd-0.fr" "$work/big.fr" \
  "$work/muted.fr"
