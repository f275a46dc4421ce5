#!/bin/bash
# bench/redis-load.sh REDIS_SRC_DIR [REQUESTS]: redis-server (as
# bench/realworld/redis.sh builds it) under a bounded redis-benchmark
# (REQUESTS of set, get and incr, 50 clients, 16 pipelined), then shut down,
# with whatever FR_OPTIONS the caller set for the server (redis-benchmark and
# redis-cli, built with the plugin too, run without it): a fixed workload
# for bench/kept.sh.
set -eu
bin=$1
n=${2:-200000}
port=${PORT:-7792}
"$bin/redis-server" --port $port --save '' --appendonly no --daemonize no \
  --logfile /dev/null &
pid=$!
unset FR_OPTIONS
for i in $(seq 50); do
  "$bin/redis-cli" -p $port ping > /dev/null 2>&1 && break
  sleep 0.1
done
"$bin/redis-benchmark" -h 127.0.0.1 -p $port -n $n -c 50 -P 16 -q \
  -t set,get,incr > /dev/null 2>&1
"$bin/redis-cli" -p $port shutdown nosave > /dev/null 2>&1 || true
wait $pid || true
