#!/usr/bin/env bash
# Counts the cache misses of a touch in a large book and of the bare HashMap floor,
# with callgrind's cache simulation (exact and repeatable on a noisy machine):
#
#   scripts/touch_misses.sh            # N=1000000 leads, WARM=2000000, M=20000
#   N=300000 scripts/touch_misses.sh   # smaller and faster
#   LEADCYCLE_MISSES=book scripts/touch_misses.sh   # the book only
#
# The simulated caches are fixed (32 KiB L1, 32 MiB last level, 64-byte lines) so a
# count does not depend on the machine. Prints the data-side misses per touch.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench touch_misses --no-run 2>/dev/null
bin=$(cargo bench --bench touch_misses --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*touch_misses[^"]*"' | tail -1 | cut -d'"' -f4)
m=${M:-20000}
for which in ${LEADCYCLE_MISSES:-floor book}; do
    out=$(mktemp)
    LEADCYCLE_MISSES=$which M=$m valgrind --tool=callgrind --cache-sim=yes \
        --I1=32768,8,64 --D1=32768,8,64 --LL=33554432,16,64 \
        --toggle-collect="*measured_${which}_touches*" \
        --callgrind-out-file="$out" "$bin" --bench 2>/dev/null
    callgrind_annotate --show=Ir,D1mr,D1mw,DLmr,DLmw "$out" 2>/dev/null |
        awk -v w="$which" -v m="$m" '/PROGRAM TOTALS/ {
            gsub(",", ""); printf "%-5s per touch: %7.1f instructions, %5.2f L1 misses (%5.2f read), %5.2f last-level misses (%5.2f read, %5.2f write)\n",
            w, $1/m, ($3+$5)/m, $3/m, ($7+$9)/m, $7/m, $9/m }'
    rm -f "$out"
done
