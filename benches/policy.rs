//! What a host's own policy costs per event (issue 11, item 6).
//!
//! Runs the events file `LEADCYCLE_BENCH_EVENTS` (JSON lines) through a fresh
//! [`LeadBook`] under the policy file `LEADCYCLE_BENCH_POLICY` (TOML):
//!
//! - `policy/yours`: under that policy;
//! - `policy/default`: the same events under the embedded default policy, the floor
//!   to read it against (no hooks, the default groups and programs).
//!
//! The events are parsed once, outside the measured loop, so the time is the engine's
//! alone; divide it by the number of events the bench prints (criterion's throughput
//! line does it: elements per second). Without the variables it runs the examples
//! (`examples/policies/default.toml` and `examples/data/sample.jsonl`), and then each
//! hook example of `examples/rules/` with its own events, as `policy/rules-NAME`.
//! docs/performance.md ("What a policy costs") explains how to read the result.
//!
//! ```sh
//! LEADCYCLE_BENCH_POLICY=my-policy.toml LEADCYCLE_BENCH_EVENTS=my-events.jsonl \
//!     cargo bench --bench policy
//! ```
//!
//! Each iteration checks that it produced the effects of a first, reference pass.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn engine_of(path: &Path) -> Engine {
    let policy = Policy::from_toml_file(path)
        .unwrap_or_else(|e| panic!("the policy {}: {e}", path.display()));
    Engine::new(policy).unwrap_or_else(|e| panic!("the policy {}: {e}", path.display()))
}

/// The events of the file; a line that is not an event is left out (the replay would
/// answer it with a `malformed` rejection, which costs the engine nothing) and counted.
fn events_of(path: &Path) -> (Vec<Event>, usize) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the events {}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let events: Vec<Event> = lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let malformed = lines.len() - events.len();
    (events, malformed)
}

fn replay(engine: &Engine, events: &[Event], out: &mut Vec<Effect>) -> usize {
    let mut book = LeadBook::new();
    out.clear();
    for event in events {
        book.apply_into(engine, black_box(event), out);
    }
    book.len()
}

fn bench_one(c: &mut Criterion, name: &str, engine: &Engine, events: &[Event]) {
    let mut out = Vec::new();
    replay(engine, events, &mut out);
    let reference = out.clone();
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function(name, |b| {
        b.iter(|| {
            replay(engine, events, &mut out);
            assert!(
                out == reference,
                "a replay gave other effects than the first"
            );
        })
    });
    group.finish();
}

fn path_from(var: &str, default: &str) -> (PathBuf, bool) {
    match std::env::var_os(var) {
        Some(path) => (PathBuf::from(path), true),
        None => (Path::new(env!("CARGO_MANIFEST_DIR")).join(default), false),
    }
}

fn bench_policy(c: &mut Criterion) {
    let (policy, own_policy) =
        path_from("LEADCYCLE_BENCH_POLICY", "examples/policies/default.toml");
    let (events, own_events) = path_from("LEADCYCLE_BENCH_EVENTS", "examples/data/sample.jsonl");
    let (events_list, malformed) = events_of(&events);
    eprintln!(
        "policy: {} under {} ({} events; {malformed} lines that are not events left out)",
        events.display(),
        policy.display(),
        events_list.len()
    );
    bench_one(c, "yours", &engine_of(&policy), &events_list);
    let default = Engine::new(Policy::default()).expect("the default policy is valid");
    bench_one(c, "default", &default, &events_list);
    if own_policy || own_events {
        return;
    }
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules");
    for name in ["disposition", "points", "requalify", "route"] {
        let engine = engine_of(&rules.join(format!("{name}.toml")));
        let (events, _) = events_of(&rules.join(format!("{name}.jsonl")));
        bench_one(c, &format!("rules-{name}"), &engine, &events);
    }
}

criterion_group!(benches, bench_policy);
criterion_main!(benches);
