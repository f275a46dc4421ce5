#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# perfetto_replay.py: reads `protoc --decode=fr.perfetto.Trace` text output
# on stdin and replays it the way Perfetto's trace processor reads packet
# sequences, for the subset fr writes. Prints one line per track event:
#
#   <absolute ns> track=<uuid> <BEGIN|END|INSTANT|COUNTER> <name> [k=v ...]
#
# and exits 1, naming the packet, on anything a reader would reject or
# misread: a sequence used before SEQ_INCREMENTAL_STATE_CLEARED, a timestamp
# on an incremental clock the sequence never defined, an interned name or
# category the sequence never defined, a time going back on a sequence, a
# slice ending on a track with nothing open, or slices left open at the end.
import sys

SEQ_INCREMENTAL_STATE_CLEARED = 1


def parse(lines):
    """protoc's text format into nested lists of (key, value) pairs."""
    root = []
    stack = [root]
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.endswith("{"):
            child = []
            stack[-1].append((line[:-1].strip(), child))
            stack.append(child)
        elif line == "}":
            stack.pop()
        else:
            key, _, value = line.partition(":")
            value = value.strip()
            if value.startswith('"'):
                value = value[1:-1].encode().decode("unicode_escape")
            stack[-1].append((key.strip(), value))
    return root


def get(msg, key, default=None):
    for k, v in msg:
        if k == key:
            return v
    return default


def get_all(msg, key):
    return [v for k, v in msg if k == key]


def fail(index, why):
    sys.stderr.write("perfetto_replay: packet %d: %s\n" % (index, why))
    sys.exit(1)


def main():
    packets = get_all(parse(sys.stdin), "packet")
    sequences = {}  # id -> state
    open_slices = {}  # track uuid -> [names]
    primary_clock = None
    for index, packet in enumerate(packets):
        seq_id = int(get(packet, "trusted_packet_sequence_id", "0"))
        flags = int(get(packet, "sequence_flags", "0"))
        if flags & SEQ_INCREMENTAL_STATE_CLEARED:
            sequences[seq_id] = {"names": {}, "categories": {}, "clock": None,
                                 "clocks": {}, "track": None, "last": 0}
        state = sequences.get(seq_id)
        defaults = get(packet, "trace_packet_defaults")
        if defaults is not None:
            if state is None:
                fail(index, "defaults before the sequence was cleared")
            state["clock"] = int(get(defaults, "timestamp_clock_id", "0")) or None
            te = get(defaults, "track_event_defaults")
            if te is not None:
                state["track"] = int(get(te, "track_uuid", "0"))
        snapshot = get(packet, "clock_snapshot")
        if snapshot is not None:
            if get(snapshot, "primary_trace_clock") is not None:
                primary_clock = int(get(snapshot, "primary_trace_clock"))
            for clock in get_all(snapshot, "clocks"):
                clock_id = int(get(clock, "clock_id"))
                if clock_id >= 64:
                    if state is None:
                        fail(index, "sequence-scoped clock on no sequence")
                    state["clocks"][clock_id] = {
                        "value": int(get(clock, "timestamp")),
                        "incremental": get(clock, "is_incremental") == "true"}
        interned = get(packet, "interned_data")
        if interned is not None:
            if state is None:
                fail(index, "interned data before the sequence was cleared")
            for name in get_all(interned, "event_names"):
                state["names"][int(get(name, "iid"))] = get(name, "name")
            for cat in get_all(interned, "event_categories"):
                state["categories"][int(get(cat, "iid"))] = get(cat, "name")
        event = get(packet, "track_event")
        if event is None:
            continue
        clock_id = int(get(packet, "timestamp_clock_id", "0")) or (
            state["clock"] if state else None)
        raw = int(get(packet, "timestamp", "0"))
        if clock_id is not None and clock_id >= 64:
            clock = state["clocks"].get(clock_id) if state else None
            if clock is None:
                fail(index, "timestamp on clock %d, never defined" % clock_id)
            ts = clock["value"] + raw if clock["incremental"] else raw
            if clock["incremental"]:
                clock["value"] = ts
        elif clock_id in (None, primary_clock):
            ts = raw
        else:
            fail(index, "clock %d is not the trace's" % clock_id)
        if state is not None:
            if ts < state["last"]:
                fail(index, "time goes back on sequence %d" % seq_id)
            state["last"] = ts
        track = int(get(event, "track_uuid", "0")) or (
            state["track"] if state else None)
        if not track:
            fail(index, "track event on no track")
        kind = get(event, "type")
        name = ""
        if get(event, "name_iid") is not None:
            iid = int(get(event, "name_iid"))
            if state is None or iid not in state["names"]:
                fail(index, "name %d not interned on sequence %d" % (iid, seq_id))
            name = state["names"][iid]
        for cat in get_all(event, "category_iids"):
            if state is None or int(cat) not in state["categories"]:
                fail(index, "category %s not interned" % cat)
        stack = open_slices.setdefault(track, [])
        if kind == "TYPE_SLICE_BEGIN":
            stack.append(name)
        elif kind == "TYPE_SLICE_END":
            if not stack:
                fail(index, "slice end on track %d with nothing open" % track)
            name = stack.pop()
        args = []
        for a in get_all(event, "debug_annotations"):
            value = [v for k, v in a if k != "name"]
            args.append("%s=%s" % (get(a, "name"), value[0] if value else ""))
        if get(event, "counter_value") is not None:
            args.append("value=%s" % get(event, "counter_value"))
        for f in get_all(event, "flow_ids"):
            args.append("flow_out=%s" % f)
        for f in get_all(event, "terminating_flow_ids"):
            args.append("flow_in=%s" % f)
        print("%d track=%d %s %s%s" % (ts, track, kind[5:], name,
                                        "".join(" " + a for a in args)))
    for track, stack in open_slices.items():
        if stack:
            fail(len(packets), "track %d ends with %s open" % (track, stack))


main()
