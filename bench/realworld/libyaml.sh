#!/bin/bash
# bench/realworld/libyaml.sh [BUILD] [LLVM]: libyaml from Debian's source
# package, built unchanged by its two build systems with the installed
# compiler wrapper (build/stage/bin/fr-clang), as a user's build would:
#   autotools + libtool: autoreconf -fi && ./configure CC=fr-clang && make &&
#                        make check (a shared libyaml.so, test programs)
#   CMake:               cmake -DCMAKE_C_COMPILER=fr-clang -DBUILD_SHARED_LIBS=ON,
#                        make, ctest
# and each built test program records its own calls and the library's into
# one snapshot (one recorder per process: the program's). Prints what passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
llvm=${2:-14}
work=$root/bench/work
mkdir -p "$work"
for tool in autoreconf libtoolize cmake; do
  command -v $tool > /dev/null ||
    apt-get install -y -qq autoconf automake libtool cmake > /dev/null
done
src=$("$here/debian-source.sh" libyaml "$work/src")
export FR_CC=/usr/lib/llvm-$llvm/bin/clang
wrapper=$build/stage/bin/fr-clang
failed=0
say() { echo "- $*"; }

# One test program, recorded: its functions and libyaml's in one file.
recorded() { # what program args...
  local what=$1 out=$work/libyaml-$1.fr
  shift
  rm -f "$out"
  FR_OPTIONS=output=$out "$@" > /dev/null 2>&1 || true
  local exe lib
  exe=$("$build/frtool" dump "$out" | grep -c ' enter main ' || true)
  lib=$("$build/frtool" dump "$out" | grep -c ' enter yaml_' || true)
  if [ -f "$out" ] && [ "$exe" -gt 0 ] && [ "$lib" -gt 0 ]; then
    say "pass: $what: one snapshot with the program's main and $lib calls into libyaml"
  else
    say "FAIL: $what: snapshot $out lacks the program's or the library's calls"
    failed=1
  fi
}

auto=$work/libyaml-autotools-$llvm
if [ ! -f "$auto/.built" ]; then
  rm -rf "$auto"
  cp -a "$src" "$auto"
  (cd "$auto" && autoreconf -fi > autoreconf.log 2>&1 &&
    ./configure CC="$wrapper" > configure.log 2>&1 &&
    make -j2 > make.log 2>&1) || { tail -20 "$auto"/*.log >&2; exit 1; }
  touch "$auto/.built"
fi
if (cd "$auto" && FR_PASS_OPTIONS= make check > check.log 2>&1); then
  say "pass: autotools: make check ($(grep -E '^# PASS' "$auto/tests/test-suite.log" "$auto/check.log" 2>/dev/null | head -1 | sed 's/.*# PASS: *//') tests passed)"
else
  say "FAIL: autotools: make check (see $auto/check.log)"
  failed=1
fi
if readelf -d "$auto/src/.libs/libyaml-0.so.2" | grep -q 'NEEDED.*libfr.so'; then
  say "pass: autotools: libtool's shared libyaml links libfr.so (fr-clang -shared)"
else
  say "FAIL: autotools: libyaml.so does not link libfr.so"
  failed=1
fi
# The libtool script, which finds the just-built libyaml (.libs/run-parser
# alone could load an installed one).
recorded autotools-run-parser "$auto/tests/run-parser" "$src/examples/anchors.yaml"

cm=$work/libyaml-cmake-$llvm
if [ ! -f "$cm/.built" ]; then
  rm -rf "$cm"
  cmake -S "$src" -B "$cm" -DCMAKE_C_COMPILER="$wrapper" -DBUILD_SHARED_LIBS=ON \
    -DBUILD_TESTING=ON > "$cm.cmake.log" 2>&1
  make -C "$cm" -j2 > "$cm.make.log" 2>&1 || { tail -20 "$cm.make.log" >&2; exit 1; }
  touch "$cm/.built"
fi
if (cd "$cm" && ctest > ctest.log 2>&1); then
  say "pass: CMake: ctest ($(grep -o '[0-9]*% tests passed.*' "$cm/ctest.log"))"
else
  say "FAIL: CMake: ctest (see $cm/ctest.log)"
  failed=1
fi
recorded cmake-run-parser "$cm/run-parser" "$src/examples/anchors.yaml"
exit $failed
