#!/bin/bash
# bench/ab.sh ROUNDS NAME=BINARY:FR_OPTIONS ... -- ARGS...: runs each
# variant (a binary and the FR_OPTIONS it runs with; empty for an
# uninstrumented one) once per round, in an order shuffled each round, pinned
# to core 1, and reports each variant's time over the first variant's in the
# same round: the median of the rounds, with a 95% interval for it (2,000
# bootstrap resamples of the rounds). This VM's speed drifts by several
# percent between minutes; a ratio within a round cancels most of that, and
# the interval says how much was left. Example, SQLite's speedtest1 at three
# budgets against the recorder not started:
#   bench/ab.sh 30 off=bench/work/speedtest1-fr:enable=0 \
#     b05=bench/work/speedtest1-fr:exit_dump=0,budget=0.5% \
#     b1=bench/work/speedtest1-fr:exit_dump=0 -- --memdb --size 50
set -eu
rounds=$1
shift
declare -A binary options
names=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  name=${1%%=*} spec=${1#*=}
  binary[$name]=${spec%%:*}
  options[$name]=${spec#*:}
  names+=("$name")
  shift
done
[ $# -gt 0 ] && shift # --
pin=
[ "$(nproc)" -gt 1 ] && pin="taskset -c 1"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for round in $(seq "$rounds"); do
  for name in $(printf '%s\n' "${names[@]}" | shuf); do
    start=$(date +%s%N)
    FR_OPTIONS=${options[$name]} $pin "${binary[$name]}" "$@" > /dev/null
    end=$(date +%s%N)
    echo "$round $name $(((end - start) / 1000))"
  done
done > "$raw"
python3 - "$raw" "${names[@]}" <<'PY'
import collections, random, statistics, sys
path, names = sys.argv[1], sys.argv[2:]
base = names[0]
rounds = collections.defaultdict(dict)
for line in open(path):
    r, name, us = line.split()
    rounds[r][name] = int(us)
random.seed(1)
for name in names:
    ratios = [r[name] / r[base] for r in rounds.values()]
    boot = sorted(statistics.median(random.choices(ratios, k=len(ratios)))
                  for _ in range(2000))
    print(f"{name:12s} x {base}: median {statistics.median(ratios):.4f}, "
          f"95% [{boot[50]:.4f}, {boot[1949]:.4f}] ({len(ratios)} rounds)")
PY
