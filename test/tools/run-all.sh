#!/bin/bash
# run-all.sh FRTOOL DIR [COMMAND...]: runs each command (default: validate
# and dump) on every file in DIR and counts exits other than 0 (sound) and 1
# (rejected): crashes, hangs. "export" means every export format and the
# report; "diff" diffs the file against itself. The files are shared out
# among one worker per CPU (each run is a process start: thousands of them
# one after another were the suite's longest test).
frtool=$1
dir=$2
shift 2
[ $# -eq 0 ] && set -- validate dump
out=$(mktemp -d)

# worker K N: every Nth file from the Kth; prints "crashes C rejected R".
worker() {
  k=$1 n=$2 i=0 crashes=0 rejected=0
  shift 2
  for f in "$dir"/*.fr; do
    i=$((i + 1))
    [ $((i % n)) -eq "$k" ] || continue
    for cmd in "$@"; do
      case $cmd in
        export) runs="export:-o:$out/o$k export:--format=chrome:-o:$out/o$k export:--format=folded:-o:$out/o$k report:-o:$out/o$k" ;;
        summary) runs="summary summary:--json" ;;
        *) runs=$cmd ;;
      esac
      for run in $runs; do
        args=${run//:/ }
        extra=
        [ "$cmd" = diff ] && extra=$f
        timeout 20 "$frtool" $args "$f" $extra > /dev/null 2>&1
        rc=$?
        if [ $rc -eq 1 ]; then
          rejected=$((rejected + 1))
        elif [ $rc -ne 0 ]; then
          crashes=$((crashes + 1))
          echo "exit $rc: $frtool $args $f $extra" >&2
        fi
      done
    done
  done
  echo "$crashes $rejected" > "$out/count$k"
}

n=$(nproc 2> /dev/null || echo 1)
k=0
while [ $k -lt "$n" ]; do
  worker $k "$n" "$@" &
  k=$((k + 1))
done
wait
cat "$out"/count* | awk '{c += $1; r += $2} END {print "crashes " c; print "rejected " r}'
rm -rf "$out"
