#!/usr/bin/env python3
"""Makes a converted leadforge stream look like a host's real input, deterministically.

    python3 scripts/augment_stream.py IN.jsonl OUT.jsonl

IN is the output of ../shared/data/crm-5k/leadforge_to_events.py (time-ordered lines,
each with an `id`). OUT adds what a real feed carries and the converter does not:

- a `tick` at midnight UTC before the first event of each new day (the host's clock);
- duplicates: every 50th line is sent again right after itself, and every 211th again
  after the next line (a redelivery, the same `id`): refused as `duplicate_event`;
- late events: every 997th `touch` is sent again with a fresh id after the next day's
  tick, so it is older than the watermark: refused as `out_of_order`.

No randomness: the same input always gives the same output. Used for the issue 11
replay bench (docs/performance.md).
"""
import sys

src, dst = sys.argv[1], sys.argv[2]
day = None
late = []  # touch lines to send after the next tick
pending = []  # redeliveries to send after the next line
n_out = 0
touches = 0
with open(src) as inp, open(dst, "w") as out:
    def emit(line):
        global n_out
        out.write(line + "\n")
        n_out += 1

    for i, line in enumerate(inp):
        line = line.rstrip("\n")
        if not line:
            continue
        at = line[line.index('"at":"') + 6:][:20]
        if at[:10] != day:
            if day is not None:
                emit('{"type":"tick","at":"%sT00:00:00Z"}' % at[:10])
                for l in late:
                    emit(l)
                late = []
            day = at[:10]
        emit(line)
        for l in pending:
            emit(l)
        pending = []
        if i % 50 == 49:
            emit(line)
        if i % 211 == 105:
            pending.append(line)
        if '"type":"touch"' in line:
            touches += 1
            if touches % 997 == 0:
                late.append(line.replace('"id":"', '"id":"late-', 1))
    for l in pending + late:
        emit(l)
print(n_out)
