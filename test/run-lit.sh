#!/bin/bash
# test/run-lit.sh LIT SITE_CONFIG MAJOR... : the lit suite once per LLVM
# major (make check), every one even when an earlier one fails, then one
# line for all: "fr: N passed, N failed, N unsupported (LLVM 14: ..., ...)".
# frtool's tests (tools/) depend on no major: they run with the first one
# only, and show as unsupported in the others.
# Exits 1 when any test failed or a run did not finish.
set -uo pipefail
lit=$1 site=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 unsupported=0 status=0 parts= reader_tests=1
for v in "$@"; do
  log=$(mktemp)
  python3 "$lit" -sv --param fr_site_config="$site" --param llvm="$v" \
    --param reader_tests=$reader_tests "$here" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]} # first: any command after the pipeline resets it
  reader_tests=0
  count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | head -n 1; }
  p=$(count Passed) f=$(count Failed) u=$(count Unsupported)
  p=${p:-0} f=${f:-0} u=${u:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1 # lit itself failed: count the run as a failure
  fi
  # A failed test fails the run, whatever lit's exit status said.
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
    status=1
  fi
  passed=$((passed + p)) failed=$((failed + f)) unsupported=$((unsupported + u))
  parts="$parts${parts:+, }LLVM $v: $p passed, $f failed"
  rm -f "$log"
done
echo "fr: $passed passed, $failed failed, $unsupported unsupported ($parts)"
exit $status
