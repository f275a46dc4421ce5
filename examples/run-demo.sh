#!/bin/bash
# run-demo.sh [BUILD_DIR]: the flight recorder at work, on a built-in example.
#
# Builds examples/httpd.c (a small multi-threaded HTTP server whose /heavy
# endpoint is, once in a while, slow) with the fr plugin, and
# examples/loadgen.c without it. Runs the server with recording on and one
# condition trigger, FR_OPTIONS slow=handle_request:100ms, and no code for
# it in the server; the load generator sends a bounded number of requests and
# then /quit. The snapshot written right after the first slow request is then
# read with frtool: its summary, the events of the request that fired the
# trigger (the header names its thread, site and duration), an HTML report
# and a Perfetto trace. Finishes in seconds; leaves nothing running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
llvm=$(ls -d "$build"/llvm-* | sed 's/.*llvm-//' | sort -n | head -1)
cc=/usr/lib/llvm-$llvm/bin/clang
out=$build/demo
mkdir -p "$out"
rm -f "$out"/httpd-*.fr "$out"/port

echo "== building examples/httpd.c with the fr plugin (LLVM $llvm), examples/loadgen.c without"
$cc -O2 -g -fpass-plugin="$build/llvm-$llvm/libfrpass.so" -I"$here/../include" \
  "$here/httpd.c" -o "$out/httpd" "$build/libfr.a" -lpthread -lcrypto
$cc -O2 -g "$here/loadgen.c" -o "$out/loadgen" -lpthread

options="output=$out/httpd-%n.fr,slow=handle_request:100ms,max_bytes=8MiB,min_age=5s,exit_dump=0"
echo "== FR_OPTIONS='$options' httpd"
FR_OPTIONS=$options "$out/httpd" "$out/port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for i in $(seq 100); do
  [ -s "$out/port" ] && break
  sleep 0.05
done
echo "== loadgen: 2000 requests over 8 connections, then /quit"
"$out/loadgen" "$(cat "$out/port")" 2000 8
# The server exits on /quit; do not wait forever if it did not.
for i in $(seq 100); do
  kill -0 $server 2>/dev/null || break
  sleep 0.1
done
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
trap - EXIT

snap=$out/httpd-0.fr
if [ ! -f "$snap" ]; then
  echo "demo: no snapshot was written (no request was slow enough?)" >&2
  exit 1
fi
echo
echo "== frtool validate"
"$build/frtool" validate "$out"/httpd-*.fr
echo
echo "== frtool summary $snap"
"$build/frtool" summary --top=5 "$snap" | tee "$out/summary.txt"
echo
echo "== the slow request: the call that fired the trigger (frtool dump --trigger)"
"$build/frtool" dump --trigger "$snap" | tee "$out/slow-request.txt" | grep -v '^#' | head -24
"$build/frtool" report -o "$out/httpd-0.html" "$snap" 2> /dev/null
"$build/frtool" export -o "$out/httpd-0.pftrace" "$snap" 2> /dev/null
echo
echo "snapshots: $out/httpd-*.fr"
echo "summary:   $out/summary.txt"
echo "slow request's events: $out/slow-request.txt"
echo "report:    $out/httpd-0.html (open in a browser: timeline, tables, flame graph)"
echo "Perfetto:  $out/httpd-0.pftrace (open in ui.perfetto.dev)"
