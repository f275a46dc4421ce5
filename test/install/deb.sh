#!/bin/bash
# The Debian package, end to end: `make deb` builds build/fr_*.deb; this
# installs it with apt-get, builds and records a program with the installed
# fr-clang, a CMake project with the installed package and pkg-config's
# flags, and removes it again (nothing of it left in /usr). Needs root;
# .ci/run runs it. Usage: test/install/deb.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(readlink -f "${1:-build}")
deb=$(ls "$build"/fr_*.deb | head -n 1)
inputs=$PWD/test/install/Inputs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if dpkg -s fr > /dev/null 2>&1; then
  apt-get remove -y fr > /dev/null
fi
apt-get install -y "$deb" > "$tmp/apt.log"
dpkg -L fr | grep -E '^/usr/(bin/(frtool|fr-clang)|lib/(libfr\.a|libfr\.so\.0|fr/llvm-[0-9]+/libfrpass\.so|cmake/fr/frConfig\.cmake|pkgconfig/fr\.pc)|include/fr\.h)$' \
  > "$tmp/files"
echo "deb: $(basename "$deb") installs $(wc -l < "$tmp/files") of its key files:"
sed 's/^/  /' "$tmp/files"

# A program built with the installed wrapper records.
/usr/bin/fr-clang -O1 "$inputs/prog.c" -o "$tmp/prog"
FR_OPTIONS=output=$tmp/prog.fr "$tmp/prog" > /dev/null
/usr/bin/frtool validate "$tmp/prog.fr"
/usr/bin/frtool dump "$tmp/prog.fr" | grep -q 'enter work'

# pkg-config and the CMake package, from their default places.
pkg-config --exists fr
cmake -S "$inputs/cmake-project" -B "$tmp/cmake" \
  -DCMAKE_C_COMPILER="$(ls /usr/lib/llvm-*/bin/clang | sort -V | tail -n 1)" > "$tmp/cmake.log"
cmake --build "$tmp/cmake" > "$tmp/build.log"
FR_OPTIONS=output=$tmp/app.fr "$tmp/cmake/app" > /dev/null
/usr/bin/frtool dump "$tmp/app.fr" | grep -q 'enter lib_work'

apt-get remove -y fr > /dev/null
for f in /usr/bin/frtool /usr/bin/fr-clang /usr/lib/libfr.a /usr/lib/fr; do
  if [ -e "$f" ]; then
    echo "deb: $f is still there after apt-get remove" >&2
    exit 1
  fi
done
echo "deb: installed, used (fr-clang, pkg-config, find_package) and removed"
