#!/usr/bin/env python3
"""fix_checksums.py FILE...: recomputes every whole section's CRC-32C in
place, as the fuzzing harness does before each input (fuzz_frtool.c), so
that a finding saved by libFuzzer reproduces with plain frtool."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools", "Inputs"))
from make_handmade import crc32c  # noqa: E402

for path in sys.argv[1:]:
    data = bytearray(open(path, "rb").read())
    header_size = struct.unpack_from("<H", data, 10)[0] if len(data) >= 12 else 0
    off = header_size if header_size >= 152 else 192
    while off + 16 <= len(data):
        kind, _, size = struct.unpack_from("<IIQ", data, off)
        if size > len(data) - off - 16:
            break
        struct.pack_into("<I", data, off + 4,
                         crc32c(bytes(data[off + 16:off + 16 + size])))
        off += 16 + size
    open(path, "wb").write(bytes(data))
