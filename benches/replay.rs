//! The replay end to end against its floor, measured in the same run (issue 11, item 1).
//!
//! - `replay/floor`: parse every line into an [`Event`] and write one JSON line back
//!   (the event itself). No replay can do less with its input.
//! - `replay/parse`: parse every line only.
//! - `replay/step`: apply the already parsed events to a fresh [`LeadBook`].
//! - `replay/full`: what `examples/replay` does for each line: parse, apply, write
//!   every effect as a JSON line. The book is dropped outside the measurement
//!   (criterion's `iter_with_large_drop`), as the example ends the process without
//!   dropping it; so is `replay/step`'s.
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

#[path = "support/stream.rs"]
mod stream;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
use std::hash::{DefaultHasher, Hasher};
use std::time::Duration;

/// What one pass produced; every measured pass must produce the same counts, and the
/// checking passes the same output, byte for byte.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: usize,
    malformed: usize,
    effects: usize,
    bytes: usize,
    /// A hash of every byte written, in the checking passes (0 in the measured ones).
    checksum: u64,
}

/// The size of `std::io::BufWriter`'s buffer, which `examples/replay` writes through.
const CHUNK: usize = 8 * 1024;

/// Where the floor and the replay write their lines: one buffer, handed on (counted,
/// and hashed in a checking pass) and cleared each time it fills, as the example's
/// `BufWriter` hands its buffer to the system. A sink holding the whole output (57 MB
/// of effects, 200 MB of events) would stream through the caches and evict the book,
/// which the example never does.
struct Output {
    buf: Vec<u8>,
    bytes: usize,
    hash: Option<DefaultHasher>,
}

impl Output {
    fn new(check: bool) -> Self {
        Output {
            buf: Vec::with_capacity(2 * CHUNK),
            bytes: 0,
            hash: check.then(DefaultHasher::new),
        }
    }

    /// After each line: hands the buffer on once it is full.
    fn line_done(&mut self) {
        self.buf.push(b'\n');
        if self.buf.len() >= CHUNK {
            self.hand_on();
        }
    }

    fn hand_on(&mut self) {
        self.bytes += self.buf.len();
        if let Some(hash) = &mut self.hash {
            hash.write(&self.buf);
        }
        self.buf.clear();
    }

    /// The bytes written and their hash.
    fn finish(mut self) -> (usize, u64) {
        self.hand_on();
        (self.bytes, self.hash.map_or(0, |h| h.finish()))
    }
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

/// The floor: parse each line and write one JSON line back.
fn floor(lines: &[&[u8]], check: bool) -> Outcome {
    let mut output = Output::new(check);
    let mut events = 0;
    let mut malformed = 0;
    for line in lines {
        match serde_json::from_slice::<Event>(line) {
            Ok(event) => {
                events += 1;
                serde_json::to_writer(&mut output.buf, &event).expect("writes to memory");
            }
            Err(_) => {
                malformed += 1;
                output.buf.extend_from_slice(b"{\"type\":\"rejected\"}");
            }
        }
        output.line_done();
    }
    let (bytes, checksum) = output.finish();
    Outcome {
        events,
        malformed,
        effects: lines.len(),
        bytes,
        checksum,
    }
}

/// The replay: parse, apply to a fresh book, write every effect. The book is
/// returned, for the caller to drop outside the measurement, as `examples/replay`
/// does not drop it at all (it ends the process).
fn full(engine: &Engine, lines: &[&[u8]], check: bool) -> (Outcome, LeadBook) {
    let mut output = Output::new(check);
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
            serde_json::to_writer(&mut output.buf, effect).expect("writes to memory");
            output.line_done();
        }
        effects += out.len();
    }
    let (bytes, checksum) = output.finish();
    let outcome = Outcome {
        events,
        malformed,
        effects,
        bytes,
        checksum,
    };
    (outcome, book)
}

/// The counts of a checking pass, to compare a measured pass with.
fn counts(checked: &Outcome) -> Outcome {
    Outcome {
        checksum: 0,
        ..*checked
    }
}

fn bench_replay(c: &mut Criterion) {
    let stream = stream::load("LEADCYCLE_REPLAY_EVENTS", 5_000);
    let lines: Vec<&[u8]> = stream.lines().collect();
    let engine = engine();
    // Two checking passes each: the same output, byte for byte.
    let (reference, _) = full(&engine, &lines, true);
    assert_eq!(
        full(&engine, &lines, true).0,
        reference,
        "the replay is deterministic"
    );
    let floor_reference = floor(&lines, true);
    assert_eq!(floor(&lines, true), floor_reference);
    let (reference, floor_reference) = (counts(&reference), counts(&floor_reference));
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
