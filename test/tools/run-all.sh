#!/bin/sh
# run-all.sh FRTOOL DIR: runs validate and dump on every file in DIR and
# counts exits other than 0 (sound) and 1 (rejected): crashes, hangs.
frtool=$1
dir=$2
crashes=0
rejected=0
for f in "$dir"/*.fr; do
  for cmd in validate dump; do
    timeout 10 "$frtool" $cmd "$f" > /dev/null 2>&1
    rc=$?
    if [ $rc -eq 1 ]; then
      rejected=$((rejected + 1))
    elif [ $rc -ne 0 ]; then
      crashes=$((crashes + 1))
      echo "exit $rc: $frtool $cmd $f"
    fi
  done
done
echo "crashes $crashes"
echo "rejected $rejected"
