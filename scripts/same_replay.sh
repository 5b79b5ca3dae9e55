#!/usr/bin/env bash
# Checks that two builds of the replay example give byte-for-byte the same effects.
#
#   scripts/same_replay.sh BEFORE_REPLAY AFTER_REPLAY EVENTS.jsonl [POLICY.toml]
#
# BEFORE_REPLAY and AFTER_REPLAY are built replay binaries (e.g. a copy of
# target/release/examples/replay from the commit before a change, and the current
# one). Prints both outputs' SHA-256 and line counts; exits 1 when they differ.
# Used for issue 11 on examples/data/sample.jsonl and a 1.47M-line leadforge stream
# (docs/performance.md).
set -euo pipefail
before=$1 after=$2 events=$3
policy=()
[ $# -ge 4 ] && policy=(--policy "$4")
a=$("$before" "${policy[@]}" --events "$events" | tee >(wc -l >&2) | sha256sum | cut -d' ' -f1)
b=$("$after" "${policy[@]}" --events "$events" | tee >(wc -l >&2) | sha256sum | cut -d' ' -f1)
echo "before $a"
echo "after  $b"
[ "$a" = "$b" ] && echo "same effects" || { echo "the effects differ"; exit 1; }
