//! What each fuzz target does with one input, as plain functions: the fuzz targets
//! (fuzz_targets/*.rs, on nightly) call them with the fuzzer's inputs, and
//! tests/fuzz_regressions.rs (stable, `cargo test`) calls them with every kept input,
//! so a crash the fuzzer found replays through the same code.
//!
//! A function returns normally whatever the input; it panics only when the library
//! did something it must never do: panic itself, or break one of the properties
//! checked here (a book's snapshot restores to the same book that continues the same
//! way; a policy written as TOML reads back as itself).

use leadcycle::{Effect, Engine, Event, LeadBook, Policy, Snapshot};
use std::sync::OnceLock;

// The replay example's own reading of a line (`event_of_line`): the same code path.
#[allow(dead_code)]
#[path = "../examples/shared/cli.rs"]
mod cli;

/// The events the policy, hook and snapshot targets run through their engine.
const SAMPLE: &str = include_str!("../examples/data/sample.jsonl");
/// The policy of `[accounts]` and alerts: the line target runs each input under the
/// default policy and under this one, so the account roll-up is fuzzed too.
const ACCOUNTS_POLICY: &str = include_str!("../examples/policies/accounts.toml");
/// The events each hook's example runs, by hook (`rules::Rules::HOOKS` order).
const HOOK_EVENTS: [&str; 4] = [
    include_str!("../examples/rules/disposition.jsonl"),
    include_str!("../examples/rules/route.jsonl"),
    include_str!("../examples/rules/points.jsonl"),
    include_str!("../examples/rules/requalify.jsonl"),
];
/// A tick long after every event of the samples: every deadline left fires.
const LAST_TICK: &str = r#"{"type":"tick","at":"2031-01-01T00:00:00Z"}"#;

/// The engines built once per process: the default policy's and the accounts policy's.
fn engines() -> &'static [Engine; 2] {
    static ENGINES: OnceLock<[Engine; 2]> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let accounts = Policy::from_toml_str(ACCOUNTS_POLICY).expect("the accounts policy reads");
        [
            Engine::new(Policy::default()).expect("the default policy is valid"),
            Engine::new(accounts).expect("the accounts policy is valid"),
        ]
    })
}

/// `json_lines`: the input as the replay example's events input, one JSON object per
/// line, applied to a book under the default policy and under the accounts policy, as
/// `replay` applies them (a byte-order mark first skipped, blank lines skipped, a line
/// that is not an event a `rejected` effect). Then the book's snapshot must restore.
pub fn json_lines(data: &[u8]) {
    for engine in engines() {
        let mut book = LeadBook::new();
        apply_lines(&mut book, engine, data);
        check_snapshot_restores(&book, engine);
    }
}

/// `policy_toml`: the input as a policy file. A policy that reads and builds an engine
/// must write back as TOML that reads as the same policy (its fingerprint), and must
/// run the sample events (whatever its numbers, nothing may panic or hang).
pub fn policy_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::from_toml_str(text) else {
        return;
    };
    let Ok(engine) = Engine::new(policy) else {
        return;
    };
    let written = engine.policy().to_toml_string();
    let again = Policy::from_toml_str(&written)
        .unwrap_or_else(|e| panic!("a valid policy, written as TOML, reads back: {e}\n{written}"));
    assert_eq!(
        again.fingerprint(),
        engine.policy_fingerprint(),
        "a policy written as TOML reads back as itself:\n{written}"
    );
    let mut book = LeadBook::new();
    apply_lines(&mut book, &engine, SAMPLE.as_bytes());
    apply_lines(&mut book, &engine, LAST_TICK.as_bytes());
    check_snapshot_restores(&book, &engine);
}

/// `rhai_hook`: the first byte picks a hook (`disposition`, `route`, `points`,
/// `requalify`), the rest is its rhai source, in the default policy's `[rules]`. A hook
/// that compiles runs the events of that hook's example (examples/rules/): a hook that
/// fails, loops or runs out of its limits falls back to the policy; nothing panics.
pub fn rhai_hook(data: &[u8]) {
    let Some((&pick, source)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(source) else {
        return;
    };
    let hook = usize::from(pick) % HOOK_EVENTS.len();
    let mut policy = Policy::default();
    let slot = match hook {
        0 => &mut policy.rules.disposition,
        1 => &mut policy.rules.route,
        2 => &mut policy.rules.points,
        _ => &mut policy.rules.requalify,
    };
    *slot = Some(source.to_owned());
    let Ok(engine) = Engine::new(policy) else {
        return;
    };
    let mut book = LeadBook::new();
    apply_lines(&mut book, &engine, HOOK_EVENTS[hook].as_bytes());
    apply_lines(&mut book, &engine, LAST_TICK.as_bytes());
    check_snapshot_restores(&book, &engine);
}

/// `snapshot`: the input as a state file for the default policy's engine, read two
/// ways: sealed (`Snapshot::unseal`, as `replay --state-in` reads it), and as a bare
/// JSON snapshot (the body, which the checksum otherwise keeps the fuzzer out of). A
/// snapshot that restores must run the sample events and a last tick.
pub fn snapshot(data: &[u8]) {
    let engine = &engines()[0];
    let _ = leadcycle::SnapshotHeader::read(data);
    if let Ok(body) = Snapshot::unseal(data, engine) {
        restore_and_run(body, engine);
    }
    restore_and_run(data, engine);
}

/// Restores the JSON snapshot `body` and, when it restores, runs the sample on it.
fn restore_and_run(body: &[u8], engine: &Engine) {
    let Ok(snapshot) = serde_json::from_slice::<Snapshot>(body) else {
        return;
    };
    let Ok(mut book) = LeadBook::restore(snapshot, engine) else {
        return;
    };
    apply_lines(&mut book, engine, SAMPLE.as_bytes());
    apply_lines(&mut book, engine, LAST_TICK.as_bytes());
}

/// Applies every line of `input` to the book as the replay example does, and returns
/// the effects; each must serialize to JSON (the replay prints it).
fn apply_lines(book: &mut LeadBook, engine: &Engine, input: &[u8]) -> Vec<Effect> {
    let input = input.strip_prefix(cli::BOM).unwrap_or(input);
    let mut effects = Vec::new();
    for (index, line) in input.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match cli::event_of_line(index as u64 + 1, line) {
            Ok(event) => book.apply_into(engine, &event, &mut effects),
            Err(malformed) => effects.push(malformed),
        }
    }
    for effect in &effects {
        serde_json::to_vec(effect)
            .unwrap_or_else(|e| panic!("every effect is JSON ({e}): {effect:?}"));
    }
    effects
}

/// The book's snapshot, sealed as JSON, unseals and restores to the same book, which
/// then gives the same effects as the book itself for a last tick.
fn check_snapshot_restores(book: &LeadBook, engine: &Engine) {
    let snapshot = book.snapshot();
    let body = serde_json::to_vec(&snapshot).expect("a snapshot is JSON");
    let sealed = snapshot.seal(&body);
    let body = Snapshot::unseal(&sealed, engine).expect("a sealed snapshot unseals");
    let read: Snapshot = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("a snapshot's JSON reads back ({e})"));
    assert_eq!(read, snapshot, "a snapshot reads back as itself");
    let mut restored = LeadBook::restore(read, engine).expect("a book's own snapshot restores");
    let mut original = book.clone();
    let tick: Event = serde_json::from_str(LAST_TICK).expect("the last tick is an event");
    assert_eq!(
        restored.apply(engine, &tick),
        original.apply(engine, &tick),
        "a restored book continues as the original"
    );
}
