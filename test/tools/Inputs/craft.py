#!/usr/bin/env python3
"""Writes hostile and unusual snapshots for the reader's tests: files that
are well-formed as far as checksums go (so they reach every command) but say
things no runtime writes, or that a newer runtime could.

usage: craft.py KIND OUT.fr [--v4]

--v4 writes format 4 (no byte-order mark), which frtool before format 5
also reads: to see a fix's test fail on the code before it.

  long-log         a log event whose text claims 60,000 bytes (the format
                   allows 200)
  huge-site        calls of site ids near 2^28 that no site table names
  long-name        a function whose name is 62,000 bytes (C++ templates)
  deep-stack       a crash snapshot of a runaway recursion: 200,000 frames
                   entered, none left (a stack overflow)
  unmatched-exits  100,000 frames entered, then 1,000,000 exits of a function
                   that is not on the stack
  many-events      2,000,000 events on 4 threads
  many-calls       1,000,000 short calls on one thread
  few-fields       a read(fd 3), then a blocking call and a lock wait
                   whose events carry no fields
  unknown-kind     site events of a kind no fr writes (15)
  many-threads     two threads, T1 and T123456 (table alignment)
  mixed-short      300,000 short calls of two functions, alternating
  bad-text         invalid UTF-8, ';' and a newline in names and log text
  exited-blocked   a thread that exits inside a read() that never returned,
                   and one still in its read()
  handler-in-call  a signal handler that calls write() (and takes a lock)
                   while its thread is in a read(): nested blocking calls
  rearmed          the budget mutes a function and re-arms it in the
                   window, and re-arms one muted before the window
  future           format 8, readable by a version 7 reader: a section of a
                   made-up type and an extended event of a made-up kind
  future-strict    format 8 that needs a version 8 reader
  other-order      a format 5 file whose byte-order mark is reversed (as a
                   big-endian writer's would read here)
  crash-fault      a crash whose fault fields say an unknown si_code and a
                   module name with no NUL, an escape and invalid UTF-8
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_handmade import Chunk, crc32c, section, varint, zigzag  # noqa: E402

ENTER, EXIT, SITE, EXT = 0, 1, 2, 3
THREAD_START, THREAD_EXIT = 1, 2
ACQUIRE, WAIT, ACQUIRED, RELEASE = 1, 2, 3, 4
CALL, RETURN, LOG = 8, 9, 14
FUNCTION, LOCK, BLOCKING, USER = 1, 2, 3, 4
TRIGGER_EXIT, TRIGGER_CRASH = 1, 3


def header(version, reader_version, snapshot, trigger=TRIGGER_EXIT,
           detail=0, thread=0, mark=0x01020304, crash=None):
    h = struct.pack(
        "<8sHHIQQQQQQQQII64sIIIIQQIHH",
        b"FRSNAP\r\n", version, 192 if crash is None else 288, 4242,
        1000000000,                         # tick_hz: ticks are ns
        0, 1700000000000000000, 1000000000,  # anchor ticks, realtime, mono
        1000, snapshot,                     # window start, snapshot
        10 * 10**9, 10 << 20, 65536, trigger,
        b"crafted".ljust(64, b"\0"),
        detail, thread, 0, 0, 0, 0,
        mark, reader_version, 0)
    assert len(h) == 192
    if crash is not None:  # flags, si_code, address, pc, module pc, module
        h += struct.pack("<IiQQQ64s", *crash)
    if V4 and version == 5:
        h = h[:10] + struct.pack("<H", 184) + h[12:184]
        h = h[:8] + struct.pack("<H", 4) + h[10:]
    return h


def site_table(sites):
    out = bytearray(struct.pack("<I", len(sites)))
    for sid, (kind, detail, line, fn, file, callee) in sorted(sites.items()):
        fn, file, callee = (x if isinstance(x, bytes) else x.encode()
                            for x in (fn, file, callee))
        out += struct.pack("<IHHIHHHH", sid, kind, 0, line, len(fn),
                           len(file), len(callee), detail)
        out += fn + file + callee
    return bytes(out)


def write(out, sites, chunks, version=5, reader_version=5, snapshot=None,
          extra_sections=(), mark=0x01020304, **trigger):
    """chunks: (thread index, seq, Chunk, name)."""
    last = max(c.last for _, _, c, _ in chunks) if chunks else 1000
    body = header(version, reader_version,
                  snapshot if snapshot is not None else last + 100,
                  mark=mark, **trigger)
    body += section(1, site_table(sites))
    for kind, payload in extra_sections:
        body += section(kind, payload)
    total = 0
    for index, seq, c, name in chunks:
        ch = struct.pack("<IIIIQQQ16s", index, 100 + index, seq, len(c.bytes),
                         c.base, c.last, 0, name.encode()[:15].ljust(16, b"\0"))
        body += section(2, ch + bytes(c.bytes))
        total += len(c.bytes)
    body += section(3, struct.pack("<IIQQQ", len(chunks), len(sites), total,
                                   0, 0))
    with open(out, "wb") as f:
        f.write(body)


MAIN = (FUNCTION, 0, 10, "main", "crafted.c", "")


def long_log(out):
    sites = {1: MAIN, 2: (USER, 3, 0, "request", "", "")}
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    text = b"A" * 60000
    c.event(1100, 2 << 2 | SITE,
            varint(LOG | 2 << 4) + varint(7) + varint(len(text)) + text)
    c.exit(1200, 1)
    write(out, sites, [(1, 0, c, "main")])


def huge_site(out):
    sites = {1: MAIN}
    c = Chunk(1000)
    c.enter(1000, 1)
    for k in range(4):
        c.enter(1100 + 10 * k, 0x0FFFFFF0 + k)
        c.exit(1105 + 10 * k, 0x0FFFFFF0 + k)
    c.exit(1200, 1)
    write(out, sites, [(1, 0, c, "main")])


def long_name(out):
    name = "std::vector<" * 3000 + "int" + ">" * 3000
    name = (name + "::push_back")[:62000]
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, name, "crafted.cc", ""),
             3: (BLOCKING, 1, 21, name, "crafted.cc", "read")}
    c = Chunk(1000)
    c.enter(1000, 1)
    c.enter(1100, 2)
    c.site(1150, 3, CALL, [zigzag(3)])
    c.site(1180, 3, RETURN, [zigzag(10), zigzag(0)])
    c.exit(1200, 2)
    c.exit(1300, 1)
    write(out, sites, [(1, 0, c, "main")])


def deep_stack(out):
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, "recurse", "crafted.c", "")}
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    t = 1000
    for _ in range(200000):
        t += 3
        c.enter(t, 2)
    write(out, sites, [(1, 0, c, "main")], trigger=TRIGGER_CRASH, detail=11,
          thread=1)


def unmatched_exits(out):
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, "f", "crafted.c", ""),
             3: (FUNCTION, 0, 30, "g", "crafted.c", "")}
    c = Chunk(1000)
    c.enter(1000, 1)
    t = 1000
    for _ in range(100000):
        t += 1
        c.enter(t, 2)
    for _ in range(1000000):
        t += 1
        c.exit(t, 3)
    write(out, sites, [(1, 0, c, "main")])


def many_events(out):
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, "work", "crafted.c", "")}
    chunks = []
    for thread in range(1, 5):
        for seq in range(10):
            c = Chunk(1000 + seq * 1000000)
            t = c.base
            for _ in range(25000):
                c.enter(t, 2)
                c.exit(t + 7, 2)
                t += 40
            chunks.append((thread, seq, c, "worker"))
    write(out, sites, chunks)


def many_calls(out):
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, "tiny", "crafted.c", "")}
    c = Chunk(1000)
    c.enter(1000, 1)
    t = 1000
    for _ in range(1000000):
        c.enter(t + 10, 2)
        c.exit(t + 30, 2)
        t += 50
    c.exit(t + 10, 1)
    write(out, sites, [(1, 0, c, "main")])


def mixed_short(out):
    """Short calls of two functions, alternating: the report merges them
    into slices of no one name."""
    sites = {1: MAIN, 2: (FUNCTION, 0, 20, "left", "crafted.c", ""),
             3: (FUNCTION, 0, 30, "right", "crafted.c", "")}
    c = Chunk(1000)
    c.enter(1000, 1)
    t = 1000
    for i in range(300000):
        c.enter(t + 10, 2 + (i & 1))
        c.exit(t + 30, 2 + (i & 1))
        t += 50
    c.exit(t + 10, 1)
    write(out, sites, [(1, 0, c, "main")])


def few_fields(out):
    sites = {1: MAIN, 2: (BLOCKING, 1, 20, "main", "crafted.c", "read"),
             3: (LOCK, 1, 30, "main", "crafted.c", "pthread_mutex_lock")}
    c = Chunk(1000)
    c.enter(1000, 1)
    c.site(1100, 2, CALL, [zigzag(3)])
    c.site(1200, 2, RETURN, [zigzag(10), zigzag(0)])
    c.site(1300, 2, CALL, [])      # no argument
    c.site(1400, 2, RETURN, [])    # no result
    c.site(1500, 3, WAIT, [0x1000], True)
    c.site(1600, 3, ACQUIRED, [0x1000, zigzag(0)], True)
    c.site(1700, 3, WAIT, [])      # no lock object
    c.site(1800, 3, ACQUIRED, [])
    c.exit(1900, 1)
    write(out, sites, [(1, 0, c, "main")])


def unknown_kind(out):
    sites = {1: MAIN, 2: (LOCK, 1, 30, "main", "crafted.c", "pthread_mutex_lock")}
    c = Chunk(1000)
    c.enter(1000, 1)
    c.event(1100, 2 << 2 | SITE, varint(15 | 1 << 4) + varint(42))
    c.event(1200, 2 << 2 | SITE, varint(15))
    c.exit(1300, 1)
    write(out, sites, [(1, 0, c, "main")])


def many_threads(out):
    """Two threads whose labels differ in width (T1, T123456)."""
    sites = {1: MAIN}
    chunks = []
    for index in (1, 123456):
        c = Chunk(1000)
        c.ext(1000, THREAD_START)
        c.enter(1000, 1)
        c.exit(1100, 1)
        chunks.append((index, 0, c, "worker"))
    write(out, sites, chunks)


def exited_blocked(out):
    """T1 begins a read() that never returns and exits (cancelled); T2 is
    still in its read() when the snapshot is taken."""
    sites = {1: MAIN, 2: (BLOCKING, 1, 20, "main", "crafted.c", "read")}
    chunks = []
    for index, exits in ((1, True), (2, False)):
        c = Chunk(1000)
        c.ext(1000, THREAD_START)
        c.site(1100, 2, CALL, [zigzag(3 + index)])
        if exits:
            c.ext(1200, THREAD_EXIT)
        chunks.append((index, 0, c, "worker"))
    write(out, sites, chunks, snapshot=5000)


def handler_in_call(out):
    """main is in read(fd 3) from 1100 to 9100; a signal handler runs at
    2000-3000 inside it, and calls write(fd 1) and takes a lock there."""
    sites = {1: MAIN, 2: (BLOCKING, 1, 20, "main", "crafted.c", "read"),
             3: (FUNCTION, 0, 40, "on_signal", "crafted.c", ""),
             4: (BLOCKING, 1, 42, "on_signal", "crafted.c", "write"),
             5: (LOCK, 1, 43, "on_signal", "crafted.c", "pthread_mutex_lock")}
    c = Chunk(1000)
    c.enter(1000, 1)
    c.site(1100, 2, CALL, [zigzag(3)])
    c.enter(2000, 3)
    c.site(2100, 4, CALL, [zigzag(1)])
    c.site(2600, 4, RETURN, [zigzag(5), zigzag(0)])
    c.site(2700, 5, WAIT, [0x1000], True)
    c.site(2800, 5, ACQUIRED, [0x1000, zigzag(0)], True)
    c.site(2900, 5, RELEASE, [0x1000], True)
    c.exit(3000, 3)
    c.site(9100, 2, RETURN, [zigzag(8), zigzag(0)])
    c.exit(9500, 1)
    write(out, sites, [(1, 0, c, "main")])


def bad_text(out):
    """A function name with a stray byte, a ';' and a newline, a Latin-1
    file name, a log text with an invalid UTF-8 sequence."""
    sites = {1: MAIN,
             2: (FUNCTION, 0, 20, b"parse\xffinput;\nnext", b"caf\xe9.c", b""),
             3: (USER, 3, 0, b"request", b"", b"")}
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    c.enter(1100, 2)
    text = b"bad \xc3\x28 byte, then \xe2\x82\xac fine"
    c.event(1150, 3 << 2 | SITE,
            varint(LOG | 2 << 4) + varint(7) + varint(len(text)) + text)
    c.exit(1200, 2)
    c.exit(1300, 1)
    write(out, sites, [(1, 0, c, "main")])


def rearmed(out):
    """The budget mutes hot() and re-arms it in the window, and re-arms
    cold(), muted before the window began."""
    hot = (FUNCTION, 0, 20, "hot", "crafted.c", "")
    cold = (FUNCTION, 0, 30, "cold", "crafted.c", "")
    sites = {1: MAIN, 2: hot, 3: cold}
    muted, rearmed_kind = 4, 17
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    for k in range(3):
        c.enter(1100 + 10 * k, 2)
        c.exit(1105 + 10 * k, 2)
    c.event(1200, muted << 2 | EXT, varint(2) + varint(5000000))
    c.event(1300, rearmed_kind << 2 | EXT, varint(2) + varint(3) + varint(1))
    c.event(1400, rearmed_kind << 2 | EXT, varint(2) + varint(2) + varint(1))
    c.enter(1500, 2)
    c.exit(1510, 2)
    c.enter(1600, 3)
    c.exit(1700, 3)
    c.exit(1800, 1)
    write(out, sites, [(1, 0, c, "main")], version=7, reader_version=5)


def muted_elsewhere(out):
    """T1 is in outer() when T2's budget check mutes it (process-wide); T2
    re-arms it before the snapshot, so its record is not marked muted. T1's
    exit of outer() was never recorded: main's exit closes it."""
    outer = (FUNCTION, 0, 20, "outer", "crafted.c", "")
    sites = {1: MAIN, 2: outer}
    muted, rearmed_kind = 4, 17
    t1 = Chunk(1000)
    t1.ext(1000, THREAD_START)
    t1.enter(1000, 1)
    t1.enter(1100, 2)
    t1.exit(1900, 1)
    t2 = Chunk(1000)
    t2.ext(1000, THREAD_START)
    t2.enter(1000, 1)
    t2.event(1200, muted << 2 | EXT, varint(2) + varint(5000000))
    t2.event(1500, rearmed_kind << 2 | EXT, varint(2) + varint(2) + varint(1))
    t2.exit(1600, 1)
    write(out, sites, [(1, 0, t1, "waiter"), (2, 0, t2, "hammer")],
          version=7, reader_version=5)


def future(out, reader_version=7):
    sites = {1: MAIN}
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    c.event(1050, 20 << 2 | EXT, varint(3) + b"new")  # a made-up kind, sized
    c.exit(1100, 1)
    write(out, sites, [(1, 0, c, "main")], version=8,
          reader_version=reader_version,
          extra_sections=[(77, b"a section from the future")])


def crash_fault(out):
    """A crash whose fault fields hold what no kernel sends: an unknown
    si_code, and a module name of 64 bytes with no NUL, an escape sequence
    and invalid UTF-8 in it."""
    sites = {1: MAIN}
    c = Chunk(1000)
    c.ext(1000, THREAD_START)
    c.enter(1000, 1)
    module = b"\x1b[2Jevil\xff" + b"m" * 55
    assert len(module) == 64
    write(out, sites, [(1, 0, c, "main")], trigger=TRIGGER_CRASH, detail=11,
          thread=1, crash=(15, 77, 0x40, 0x401000, 0x1000, module))


KINDS = {
    "crash-fault": crash_fault,
    "long-log": long_log,
    "huge-site": huge_site,
    "long-name": long_name,
    "deep-stack": deep_stack,
    "unmatched-exits": unmatched_exits,
    "many-events": many_events,
    "many-calls": many_calls,
    "few-fields": few_fields,
    "unknown-kind": unknown_kind,
    "many-threads": many_threads,
    "mixed-short": mixed_short,
    "bad-text": bad_text,
    "exited-blocked": exited_blocked,
    "handler-in-call": handler_in_call,
    "rearmed": rearmed,
    "muted-elsewhere": muted_elsewhere,
    "future": future,
    "future-strict": lambda out: future(out, reader_version=8),
    "other-order": lambda out: write(out, {1: MAIN}, [], mark=0x04030201),
}

V4 = "--v4" in sys.argv
if __name__ == "__main__":
    if V4:
        sys.argv.remove("--v4")
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    KINDS[sys.argv[1]](sys.argv[2])
