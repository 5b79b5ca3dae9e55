//! The replay end to end against its floor, measured in the same run (issue 11, item 1).
//!
//! - `replay/floor`: parse every line into an [`Event`] and write one JSON line back
//!   (the event itself). No replay can do less with its input.
//! - `replay/parse`: parse every line only.
//! - `replay/step`: apply the already parsed events to a fresh [`LeadBook`].
//! - `replay/full`: what `examples/replay` does for each line: parse, apply, write
//!   every effect as a JSON line. Like the example, the floor and the replay parse 32
//!   lines at a time and then handle them in order. The book is dropped outside the
//!   measurement (criterion's `iter_with_large_drop`), as the example ends the process
//!   without dropping it; so is `replay/step`'s.
//!
//! The floor and the replay write through one 8 KiB buffer, handed on and cleared when
//! full, as the example's `BufWriter` does; neither keeps its whole output in memory.
//!
//! So `full / floor` is the ratio the issue bounds, and `parse`, `step` and
//! `full - parse - step` (writing) are the shares. Two checking passes of the floor and
//! of the replay first hash every byte they write and must agree; then each measured
//! iteration replays the whole stream into a fresh book and checks the number of
//! events, of effects and of bytes written against them. Nothing here asserts a
//! duration.
//!
//! The stream is the file named by `LEADCYCLE_REPLAY_EVENTS` (JSON lines, e.g. a
//! converted leadforge stream: docs/performance.md says how to make one of 1M events),
//! else a generated stream of 5,000 leads (the bench prints which). The policy is
//! `LEADCYCLE_REPLAY_POLICY` (TOML), else the embedded default.
//!
//! ```sh
//! LEADCYCLE_REPLAY_EVENTS=/tmp/events-1m.jsonl cargo bench --bench replay
//! ```

#[path = "support/replay_passes.rs"]
mod passes;
#[path = "support/stream.rs"]
mod stream;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::{Event, LeadBook};
use passes::{checked_counts, engine, floor, full};
use std::time::Duration;

fn bench_replay(c: &mut Criterion) {
    let stream = stream::load("LEADCYCLE_REPLAY_EVENTS", 5_000);
    let lines: Vec<&[u8]> = stream.lines().collect();
    let engine = engine();
    let (reference, floor_reference) = checked_counts(&engine, &lines);
    eprintln!(
        "replay: {}: {} lines, {} events ({} malformed), {} effects",
        stream.origin,
        lines.len(),
        reference.events,
        reference.malformed,
        reference.effects
    );
    assert!(reference.events > 0, "the stream holds no event");
    let parsed: Vec<Event> = lines
        .iter()
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect();

    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("floor", |b| {
        b.iter(|| assert_eq!(floor(black_box(&lines), false), floor_reference))
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            let events = lines
                .iter()
                .filter_map(|line| serde_json::from_slice::<Event>(black_box(line)).ok())
                .count();
            assert_eq!(events, reference.events);
        })
    });
    group.bench_function("step", |b| {
        let mut out = Vec::new();
        b.iter_with_large_drop(|| {
            let mut book = LeadBook::new();
            let mut effects = 0;
            for event in &parsed {
                out.clear();
                book.apply_into(&engine, black_box(event), &mut out);
                effects += out.len();
            }
            assert_eq!(effects, reference.effects);
            book
        })
    });
    group.bench_function("full", |b| {
        b.iter_with_large_drop(|| {
            let (outcome, book) = full(&engine, black_box(&lines), false);
            assert_eq!(outcome, reference);
            book
        })
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
