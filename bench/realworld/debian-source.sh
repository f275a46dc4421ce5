#!/bin/bash
# bench/realworld/debian-source.sh NAME DEST: unpacks Debian bookworm's source
# package NAME under DEST (upstream sources, Debian's patches skipped so the
# bundled libraries stay) and prints the directory. Adds a deb-src entry
# mirroring the system's Debian entry the first time (needs root).
set -eu
name=$1
dest=$2
mkdir -p "$dest"
existing=$(find "$dest" -maxdepth 1 -type d -name "$name-[0-9]*" | head -1)
if [ -n "$existing" ]; then
  echo "$existing"
  exit 0
fi
src_list=/etc/apt/sources.list.d/fr-deb-src.sources
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # The system's Debian entries, with Types: deb-src.
  for f in /etc/apt/sources.list.d/debian.sources; do
    [ -f "$f" ] && sed 's/^Types: deb$/Types: deb-src/' "$f"
  done > "$src_list"
  if [ ! -s "$src_list" ]; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$src_list"
  fi
  apt-get update -qq >&2
fi
command -v dpkg-source >/dev/null || apt-get install -y -qq dpkg-dev >&2
(cd "$dest" && apt-get source --download-only "$name" >&2 &&
  dpkg-source -x --skip-patches "$(ls ${name}_*.dsc | head -1)" >&2)
find "$dest" -maxdepth 1 -type d -name "$name-[0-9]*" | head -1
