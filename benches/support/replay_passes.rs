//! The passes the replay benches time (`benches/replay.rs`, `benches/replay_ratio.rs`):
//! the floor (parse every line, write it back) and the replay (parse, apply, write the
//! effects), each reading the lines in the example's batches and writing through an
//! 8 KiB buffer as the example does.

use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
use std::hash::{DefaultHasher, Hasher};

/// What one pass produced; every measured pass must produce the same counts, and the
/// checking passes the same output, byte for byte.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub events: usize,
    pub malformed: usize,
    pub effects: usize,
    pub bytes: usize,
    /// A hash of every byte written, in the checking passes (0 in the measured ones).
    pub checksum: u64,
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

pub fn engine() -> Engine {
    let policy = match std::env::var_os("LEADCYCLE_REPLAY_POLICY") {
        Some(path) => {
            Policy::from_toml_file(&path).expect("LEADCYCLE_REPLAY_POLICY is a valid policy")
        }
        None => Policy::default(),
    };
    Engine::new(policy).expect("the policy is valid")
}

/// How many lines `examples/replay` parses before it applies them: the floor and the
/// replay here read in the same batches, so they differ only in what they do with an
/// event (docs/performance.md, "Lines in batches, and the index's hash").
const BATCH: usize = 32;

/// The events of a batch of lines (`None` for a line that is not one).
fn parse_batch(batch: &[&[u8]], parsed: &mut Vec<Option<Event>>) {
    parsed.clear();
    parsed.extend(
        batch
            .iter()
            .map(|line| serde_json::from_slice::<Event>(line).ok()),
    );
}

/// The floor: parse each line and write one JSON line back.
pub fn floor(lines: &[&[u8]], check: bool) -> Outcome {
    let mut output = Output::new(check);
    let mut parsed = Vec::with_capacity(BATCH);
    let mut events = 0;
    let mut malformed = 0;
    for batch in lines.chunks(BATCH) {
        parse_batch(batch, &mut parsed);
        for event in parsed.drain(..) {
            match event {
                Some(event) => {
                    events += 1;
                    serde_json::to_writer(&mut output.buf, &event).expect("writes to memory");
                }
                None => {
                    malformed += 1;
                    output.buf.extend_from_slice(b"{\"type\":\"rejected\"}");
                }
            }
            output.line_done();
        }
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
pub fn full(engine: &Engine, lines: &[&[u8]], check: bool) -> (Outcome, LeadBook) {
    let mut output = Output::new(check);
    let mut book = LeadBook::new();
    let mut parsed = Vec::with_capacity(BATCH);
    let mut out: Vec<Effect> = Vec::new();
    let (mut events, mut malformed, mut effects) = (0, 0, 0);
    for batch in lines.chunks(BATCH) {
        parse_batch(batch, &mut parsed);
        book.warm(parsed.iter().flatten());
        for event in parsed.drain(..) {
            out.clear();
            match event {
                Some(event) => {
                    events += 1;
                    book.apply_into(engine, &event, &mut out);
                }
                None => malformed += 1,
            }
            for effect in &out {
                serde_json::to_writer(&mut output.buf, effect).expect("writes to memory");
                output.line_done();
            }
            effects += out.len();
        }
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

/// Two checking passes of the replay and two of the floor, which must each write the
/// same bytes twice; the counts of events, effects and bytes that every measured pass
/// must then match (the replay's, the floor's).
pub fn checked_counts(engine: &Engine, lines: &[&[u8]]) -> (Outcome, Outcome) {
    let (replay, _) = full(engine, lines, true);
    assert_eq!(
        full(engine, lines, true).0,
        replay,
        "the replay is deterministic"
    );
    let floor_pass = floor(lines, true);
    assert_eq!(floor(lines, true), floor_pass, "the floor is deterministic");
    (counts(&replay), counts(&floor_pass))
}

/// The counts of a checking pass, to compare a measured pass with.
fn counts(checked: &Outcome) -> Outcome {
    Outcome {
        checksum: 0,
        ..*checked
    }
}
