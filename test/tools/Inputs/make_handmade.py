#!/usr/bin/env python3
"""Writes handmade.fr: a small snapshot whose numbers are easy to compute by
hand, for the frtool tests (summary, export, diff). The clock runs at 1 GHz,
so ticks are nanoseconds. Two threads:

T1 (tid 101, "main"), one chunk from 1000 ns:
  1000 thread-start, enter main
  1100 enter parse; 1200 read(fd 3) ... 1700 returns 10; 1800 exit parse
  2000 enter compute; 2100 wait for lock 0x1000 ... 2600 acquired
       3000 release; 3100 exit compute
  3200 enter compute; 3300 acquire 0x1000 at once; 3500 release
       3600 exit compute
  4000 exit main
T2 (tid 102, "worker"), chunk 5 of its thread (earlier ones recycled): its
window starts inside parse:
  1500 exit parse (entered before the window)
  1600 enter compute; 1700 acquire 0x1000 at once; 2550 release
  2700 exit compute; 2800 read(fd 4) ... still blocked at the snapshot (5000)

usage: make_handmade.py OUT.fr [--variant=slower|--variant=dropped]
--variant=slower: the same program where compute takes 1000 ns more each
time and read 300 ns more (for frtool diff).
--variant=dropped: format 4, drops reported mid-call (tools/dropped.test):
T1 enters main (1000) and parse (1100), 2 events dropped by reentrancy are
reported at 1300, parse exits at 1800 and main at 4000; T2 enters compute
(1600), reports 5 events dropped for want of space at 1700 and 1 reentrant
at 1750, exits compute at 2700; the end record has 3 drops no chunk reports.
"""
import struct
import sys

FORMAT_VERSION = 2
HEADER_SIZE = 184

def crc32c(data, crc=0):
    table = crc32c.table
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t
crc32c.table = _table()

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)

def zigzag(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1

ENTER, EXIT, SITE, EXT = 0, 1, 2, 3
THREAD_START, THREAD_EXIT, LOST, MUTED, DROPPED = 1, 2, 3, 4, 5
ACQUIRE, WAIT, ACQUIRED, RELEASE = 1, 2, 3, 4
CALL, RETURN = 8, 9

# id: (kind, detail, line, function, file, callee)
SITES = {
    1: (1, 0, 10, "main", "handmade.c", ""),
    2: (1, 0, 20, "parse", "handmade.c", ""),
    3: (1, 0, 30, "compute", "handmade.c", ""),
    4: (2, 1, 33, "compute", "handmade.c", "pthread_mutex_lock"),
    5: (2, 1, 35, "compute", "handmade.c", "pthread_mutex_unlock"),
    6: (3, 1, 22, "parse", "handmade.c", "read"),   # fd, errno convention
    7: (3, 1, 40, "compute", "handmade.c", "read"),
}

class Chunk:
    def __init__(self, base):
        self.base = base
        self.last = base
        self.bytes = bytearray()
        self.last_object = 0
    def event(self, t, tag, payload=b""):
        self.bytes += varint(tag) + varint(t - self.last) + payload
        self.last = t
    def enter(self, t, site): self.event(t, site << 2 | ENTER)
    def exit(self, t, site): self.event(t, site << 2 | EXIT)
    def ext(self, t, kind): self.event(t, kind << 2 | EXT)
    def site(self, t, site, what, fields, object_first=False):
        fields = list(fields)
        if object_first:
            obj = fields[0]
            fields[0] = zigzag(obj - self.last_object)
            self.last_object = obj
        payload = varint(what | len(fields) << 4) + b"".join(varint(f) for f in fields)
        self.event(t, site << 2 | SITE, payload)

def build(slower):
    d = 1000 if slower else 0   # extra ns per compute
    r = 300 if slower else 0    # extra ns per read
    t1 = Chunk(1000)
    t1.ext(1000, THREAD_START)
    t1.enter(1000, 1)
    t1.enter(1100, 2)
    t1.site(1200, 6, CALL, [zigzag(3)])
    t1.site(1700 + r, 6, RETURN, [zigzag(10)])
    t1.exit(1800 + r, 2)
    s = 2000 + r
    t1.enter(s, 3)
    t1.site(s + 100, 4, WAIT, [0x1000], True)
    t1.site(s + 600, 4, ACQUIRED, [0x1000, zigzag(0)], True)
    t1.site(s + 1000 + d, 5, RELEASE, [0x1000], True)
    t1.exit(s + 1100 + d, 3)
    s = 3200 + r + d
    t1.enter(s, 3)
    t1.site(s + 100, 4, ACQUIRE, [0x1000, zigzag(0)], True)
    t1.site(s + 300, 5, RELEASE, [0x1000], True)
    t1.exit(s + 400 + d, 3)
    t1.exit(4000 + r + 2 * d, 1)

    t2 = Chunk(1500)
    t2.exit(1500, 2)
    t2.enter(1600, 3)
    t2.site(1700, 4, ACQUIRE, [0x1000, zigzag(0)], True)
    t2.site(2550, 5, RELEASE, [0x1000], True)
    t2.exit(2700 + d, 3)
    t2.site(2800 + d, 7, CALL, [zigzag(4)])
    return t1, t2

def build_dropped():
    t1 = Chunk(1000)
    t1.ext(1000, THREAD_START)
    t1.enter(1000, 1)
    t1.enter(1100, 2)
    t1.event(1300, DROPPED << 2 | EXT, varint(2) + varint(0))
    t1.exit(1800, 2)
    t1.exit(4000, 1)
    t2 = Chunk(1500)
    t2.enter(1600, 3)
    t2.event(1700, DROPPED << 2 | EXT, varint(0) + varint(5))
    t2.event(1750, DROPPED << 2 | EXT, varint(1) + varint(0))
    t2.exit(2700, 3)
    return t1, t2

def section(kind, payload):
    return struct.pack("<IIQ", kind, crc32c(payload), len(payload)) + payload

def main():
    out = sys.argv[1]
    slower = "--variant=slower" in sys.argv[2:]
    dropped = "--variant=dropped" in sys.argv[2:]
    t1, t2 = build_dropped() if dropped else build(slower)
    snapshot = 5000 + (3000 if slower else 0)
    header = struct.pack(
        "<8sHHIQQQQQQQQII64sIIIIQQ",
        b"FRSNAP\r\n", 4 if dropped else FORMAT_VERSION, HEADER_SIZE, 4242,
        1000000000,          # tick_hz
        0, 1700000000000000000, 1000000000,  # anchor ticks, realtime, monotonic
        1000 if dropped else 0, snapshot,  # start (v4: the window's), snapshot
        10 * 10**9, 10 << 20, 65536,
        1,                   # trigger: exit
        b"handmade".ljust(64, b"\0"),
        0, 0, 0, 0, 0, 0)
    assert len(header) == HEADER_SIZE
    sites = bytearray(struct.pack("<I", len(SITES)))
    for sid, (kind, detail, line, fn, file, callee) in SITES.items():
        sites += struct.pack("<IIIHHHH", sid, kind, line, len(fn), len(file),
                             len(callee), detail)
        sites += fn.encode() + file.encode() + callee.encode()
    body = header + section(1, bytes(sites))
    chunks = [(1, 101, 0, t1, "main"), (2, 102, 5, t2, "worker")]
    total = 0
    for index, tid, seq, c, name in chunks:
        ch = struct.pack("<IIIIQQQ16s", index, tid, seq, len(c.bytes), c.base,
                         c.last, 0, name.encode().ljust(16, b"\0"))
        body += section(2, ch + bytes(c.bytes))
        total += len(c.bytes)
    end = struct.pack("<IIQQQ", len(chunks), len(SITES), total,
                      3 if dropped else 0, 0)
    body += section(3, end)
    open(out, "wb").write(body)

if __name__ == "__main__":
    main()
