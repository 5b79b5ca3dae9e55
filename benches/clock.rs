//! Advancing the clock costs what falls due, not the leads held (issue 11, item 5).
//!
//! Two books, of 1M leads and of `LEADCYCLE_CLOCK_LEADS` leads (default 2M; the
//! write-up in docs/performance.md used 10M, which needs some 10 GB), are built the
//! same way: every lead is created and raises its hand (`demo_request`), so it is an
//! MQL with a respond deadline two days later and an idle deadline after that. The
//! first 1M leads of each book are created ten per second; the rest of the larger
//! book a month later, so their deadlines wait in the queue, out of reach.
//!
//! Each measured iteration is one `tick` one second after the last: it fires exactly
//! the ten respond deadlines of one second (checked: ten `sla_breached`, one per lead,
//! nothing else), so both books fire the same deadlines, tick after tick, and
//! `clock/tick/LARGE / clock/tick/1M` is the ratio the issue bounds (at most 1.5).
//!
//! The books are built from a compact generator: leads without a profile, campaign or
//! channel, so a 10M book fits the machine. Run as a test (`cargo test --all-targets`
//! or `-- --test`), the books have 2,000 and 4,000 leads.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use leadcycle::{EffectKind, Engine, Event, LeadBook, Policy, Stage};
use std::time::{Duration, Instant};

/// Deadlines that fall due per tick.
const DUE_PER_TICK: usize = 10;
/// Leads whose deadlines the ticks reach: enough for every tick criterion asks for.
const DUE_LEADS: usize = 1_000_000;
/// The same, when criterion runs each bench once as a test (`cargo test
/// --all-targets`, `-- --test`): small books, so CI stays fast.
const DUE_LEADS_IN_TESTS: usize = 2_000;

/// Whether criterion was asked to measure (`cargo bench` passes `--bench`) rather than
/// to run each routine once.
fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench") && !std::env::args().any(|a| a == "--test")
}

fn due_leads() -> usize {
    if measuring() {
        DUE_LEADS
    } else {
        DUE_LEADS_IN_TESTS
    }
}

fn t0() -> DateTime<Utc> {
    "2026-01-05T00:00:00Z".parse().expect("a valid time")
}

/// When lead `i` is created: ten per second for the first `DUE_LEADS`, a month later
/// for the rest.
fn created_at(i: usize) -> DateTime<Utc> {
    if i < due_leads() {
        t0() + TimeDelta::seconds((i / DUE_PER_TICK) as i64)
    } else {
        t0() + TimeDelta::days(30) + TimeDelta::seconds((i / DUE_PER_TICK) as i64)
    }
}

fn build(engine: &Engine, leads: usize) -> LeadBook {
    let started = Instant::now();
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for i in 0..leads {
        let id = format!("L{i:08}");
        let at = created_at(i);
        book.apply_into(engine, &Event::created(id.as_str(), at, "web"), &mut out);
        book.apply_into(
            engine,
            &Event::touch(id.as_str(), at, "demo_request"),
            &mut out,
        );
        out.clear();
    }
    let first = book.iter().next().expect("a lead");
    assert_eq!(first.stage(), Stage::Mql, "a hand-raiser is an MQL");
    assert_eq!(first.next_deadline(), Some(t0() + TimeDelta::days(2)));
    eprintln!(
        "clock: built a book of {leads} leads in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    book
}

fn bench_size(c: &mut Criterion, engine: &Engine, leads: usize) {
    let mut book = build(engine, leads);
    // The first tick fires the leads created at t0 (respond_days = 2).
    let first_due = t0() + TimeDelta::days(2);
    let mut next = 0usize;
    let mut out = Vec::new();
    let mut group = c.benchmark_group("clock/tick");
    group.sample_size(10);
    // Every tick uses up ten due leads of the 1M: at ~8 µs a tick on a quiet machine,
    // 0.4 s of warm-up and measurement take ~50k ticks, half the book (a second of
    // measurement ran out of due leads).
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_millis(300));
    group.bench_function(format!("{leads}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                assert!(
                    (next + 1) * DUE_PER_TICK <= due_leads(),
                    "the bench ran out of due leads: raise DUE_LEADS"
                );
                let tick = Event::tick(first_due + TimeDelta::seconds(next as i64));
                out.clear();
                let start = Instant::now();
                book.apply_into(engine, &tick, &mut out);
                spent += start.elapsed();
                assert_eq!(out.len(), DUE_PER_TICK, "tick {next}: {out:?}");
                assert!(out
                    .iter()
                    .all(|e| matches!(e.kind, EffectKind::SlaBreached { .. })));
                next += 1;
            }
            spent
        })
    });
    group.finish();
    eprintln!("clock: {next} ticks on {leads} leads");
    // Freeing a 10M book takes seconds; the process ends soon anyway.
    std::mem::forget(book);
}

fn bench_clock(c: &mut Criterion) {
    let engine = Engine::new(Policy::default()).expect("the default policy is valid");
    let large: usize = std::env::var("LEADCYCLE_CLOCK_LEADS")
        .map(|n| {
            n.parse()
                .expect("LEADCYCLE_CLOCK_LEADS is a number of leads")
        })
        .unwrap_or(2 * DUE_LEADS);
    let (due, large) = if measuring() {
        (DUE_LEADS, large)
    } else {
        (DUE_LEADS_IN_TESTS, 2 * DUE_LEADS_IN_TESTS)
    };
    assert!(large >= due, "LEADCYCLE_CLOCK_LEADS must be at least {due}");
    bench_size(c, &engine, due);
    bench_size(c, &engine, large);
}

criterion_group!(benches, bench_clock);
criterion_main!(benches);
