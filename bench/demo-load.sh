#!/bin/bash
# bench/demo-load.sh BUILD_DIR: the demo's server (examples/httpd.c, built by
# make demo into BUILD_DIR/demo) under the demo's load (2,000 requests over 8
# connections, then /quit), with whatever FR_OPTIONS the caller set: a
# fixed workload for bench/kept.sh.
set -eu
out=$(cd "$1" && pwd)/demo
rm -f "$out/port.kept"
"$out/httpd" "$out/port.kept" &
server=$!
for i in $(seq 100); do
  [ -s "$out/port.kept" ] && break
  sleep 0.05
done
"$out/loadgen" "$(cat "$out/port.kept")" 2000 8 > /dev/null
wait $server
