#!/bin/sh
# run-all.sh FRTOOL DIR [COMMAND...]: runs each command (default: validate
# and dump) on every file in DIR and counts exits other than 0 (sound) and 1
# (rejected): crashes, hangs. "export" means every export format and the
# report; "diff" diffs the file against itself.
frtool=$1
dir=$2
shift 2
[ $# -eq 0 ] && set -- validate dump
crashes=0
rejected=0
out=$(mktemp -d)
for f in "$dir"/*.fr; do
  for cmd in "$@"; do
    case $cmd in
      export) runs="export:-o:$out/o export:--format=chrome:-o:$out/o export:--format=folded:-o:$out/o report:-o:$out/o" ;;
      summary) runs="summary summary:--json" ;;
      *) runs=$cmd ;;
    esac
    for run in $runs; do
      args=$(echo "$run" | tr ':' ' ')
      extra=
      [ "$cmd" = diff ] && extra=$f
      timeout 20 "$frtool" $args "$f" $extra > /dev/null 2>&1
      rc=$?
      if [ $rc -eq 1 ]; then
        rejected=$((rejected + 1))
      elif [ $rc -ne 0 ]; then
        crashes=$((crashes + 1))
        echo "exit $rc: $frtool $args $f $extra"
      fi
    done
  done
done
rm -rf "$out"
echo "crashes $crashes"
echo "rejected $rejected"
