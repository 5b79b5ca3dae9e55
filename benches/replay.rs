//! The replay end to end against its floor, measured in the same run (issue 11, item 1).
//!
//! - `replay/floor`: parse every line into an [`Event`] and write one JSON line back
//!   (the event itself). No replay can do less with its input.
//! - `replay/parse`: parse every line only.
//! - `replay/step`: apply the already parsed events to a fresh [`LeadBook`].
//! - `replay/full`: what `examples/replay` does for each line, into memory: parse,
//!   apply, write every effect as a JSON line.
//!
//! So `full / floor` is the ratio the issue bounds, and `parse`, `step` and
//! `full - parse - step` (writing) are the shares. Each iteration replays the whole
//! stream into a fresh book and checks what it produced against a first, reference
//! pass: the number of events, of effects and of output bytes, and a checksum of the
//! output. Nothing here asserts a duration.
//!
//! The stream is the file named by `LEADCYCLE_REPLAY_EVENTS` (JSON lines, e.g. a
//! converted leadforge stream: docs/performance.md says how to make one of 1M events),
//! else a generated stream of 5,000 leads (the bench prints which). The policy is
//! `LEADCYCLE_REPLAY_POLICY` (TOML), else the embedded default.
//!
//! ```sh
//! LEADCYCLE_REPLAY_EVENTS=/tmp/events-1m.jsonl cargo bench --bench replay
//! ```

#[path = "support/stream.rs"]
mod stream;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

/// What one pass produced; every measured pass must produce the same.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: usize,
    malformed: usize,
    effects: usize,
    bytes: usize,
    checksum: u64,
}

fn engine() -> Engine {
    let policy = match std::env::var_os("LEADCYCLE_REPLAY_POLICY") {
        Some(path) => {
            Policy::from_toml_file(&path).expect("LEADCYCLE_REPLAY_POLICY is a valid policy")
        }
        None => Policy::default(),
    };
    Engine::new(policy).expect("the policy is valid")
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The floor: parse each line and write one JSON line back.
fn floor(lines: &[&[u8]], sink: &mut Vec<u8>) -> Outcome {
    sink.clear();
    let mut events = 0;
    let mut malformed = 0;
    for line in lines {
        match serde_json::from_slice::<Event>(line) {
            Ok(event) => {
                events += 1;
                serde_json::to_writer(&mut *sink, &event).expect("writes to memory");
            }
            Err(_) => {
                malformed += 1;
                sink.extend_from_slice(b"{\"type\":\"rejected\"}");
            }
        }
        sink.push(b'\n');
    }
    Outcome {
        events,
        malformed,
        effects: lines.len(),
        bytes: sink.len(),
        checksum: 0,
    }
}

/// The replay: parse, apply to a fresh book, write every effect.
fn full(engine: &Engine, lines: &[&[u8]], sink: &mut Vec<u8>) -> Outcome {
    sink.clear();
    let mut book = LeadBook::new();
    let mut out: Vec<Effect> = Vec::new();
    let (mut events, mut malformed, mut effects) = (0, 0, 0);
    for line in lines {
        out.clear();
        match serde_json::from_slice::<Event>(line) {
            Ok(event) => {
                events += 1;
                book.apply_into(engine, &event, &mut out);
            }
            Err(_) => malformed += 1,
        }
        for effect in &out {
            serde_json::to_writer(&mut *sink, effect).expect("writes to memory");
            sink.push(b'\n');
        }
        effects += out.len();
    }
    Outcome {
        events,
        malformed,
        effects,
        bytes: sink.len(),
        checksum: checksum(sink),
    }
}

fn bench_replay(c: &mut Criterion) {
    let stream = stream::load("LEADCYCLE_REPLAY_EVENTS", 5_000);
    let lines: Vec<&[u8]> = stream.lines().collect();
    let engine = engine();
    let mut sink = Vec::new();
    let reference = full(&engine, &lines, &mut sink);
    let floor_reference = floor(&lines, &mut sink);
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
        b.iter(|| assert_eq!(floor(black_box(&lines), &mut sink), floor_reference))
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
        b.iter(|| {
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
        b.iter(|| assert_eq!(full(&engine, black_box(&lines), &mut sink), reference))
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
