//! Step and book throughput, with a floor measured in the same run.
//!
//! - `step/touch/inquiry`, `step/touch/recycled`: [`Engine::step`] on one lead for a
//!   `touch` that does not qualify it (the policy's thresholds are out of reach), so
//!   every iteration measures the same steady-state path.
//! - `book/ingest/100k`, `book/ingest/1M`: [`LeadBook::apply_into`] of one `touch` to a
//!   pseudo-random lead of a book pre-filled with N leads.
//! - `book/read/100k/lead`, `.../lines`, `.../blocks` (and `1M`): what a touch reads,
//!   without the engine: the lead found by id, then also the record's other lines a
//!   touch reads, then also the heap blocks it reads.
//! - `book/ingest_32/100k/plain`, `.../warm` (and `1M`): the same touches 32 at a
//!   time, applied as they come, or after [`LeadBook::warm`] read their leads.
//! - `floor/hashmap/100k`, `floor/hashmap/1M`: the same key sequence on a bare
//!   `HashMap<String, Small>`: find the lead by `&str` and touch a number. No book can
//!   go below this.
//!
//! Every iteration checks its result, so a broken engine cannot bench fast. Times only
//! ever increase (1 ms per event), so no event is out of order, and no deadline falls
//! due during a run (the first one is days away). Results are reported in
//! `docs/performance.md`; nothing here asserts a duration.
//!
//! Run with `cargo bench --bench step`; `cargo bench --bench step -- --test` runs each
//! routine once as a smoke test.

use chrono::TimeDelta;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leadcycle::{Engine, Event, LeadBook, LeadId, Stage};
use std::time::Duration;

#[path = "support/touch_book.rs"]
mod touch_book;
use touch_book::{created, engine, floor_map, floor_touch, lead_id, t0, touch};

#[path = "support/keys.rs"]
mod keys;
use keys::Keys;

/// The time advance between two events: small enough that no deadline is reached (a
/// run's tens of millions of iterations are hours of lead time; the nearest deadline,
/// the recycled lead's next nurture step, is 14 days out), large enough that engagement
/// decays (the decay is computed in whole milliseconds).
const TICK: TimeDelta = TimeDelta::milliseconds(1);

fn bench_step(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("step/touch");
    group.throughput(Throughput::Elements(1));
    group.sample_size(50);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(5));

    // An inquiry lead, created with a profile.
    let (mut inquiry, _) = engine.create(&created("L1", t0())).expect("created");
    assert_eq!(inquiry.stage(), Stage::Inquiry);

    // A recycled lead enrolled in a nurture program: a hand-raiser makes it an MQL, a
    // rep accepts it, then disqualifies it for bad timing.
    let (mut recycled, _) = engine.create(&created("L2", t0())).expect("created");
    let hour = |h: i64| t0() + TimeDelta::hours(h);
    for event in [
        Event::touch("L2", hour(1), "demo_request"),
        Event::sales_accepted("L2", hour(2), "R7"),
        Event::disqualified("L2", hour(3), "R7", "bad_timing"),
    ] {
        engine
            .step(&mut recycled, &event)
            .expect("the setup events apply");
    }
    assert_eq!(recycled.stage(), Stage::Recycled);
    assert!(recycled.nurture().is_some());

    for (name, lead) in [("inquiry", &mut inquiry), ("recycled", &mut recycled)] {
        let stage = lead.stage();
        let mut event = touch(lead.id().as_str(), lead.clock());
        let mut steps = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                steps += 1;
                event.set_at(event.at() + TICK);
                let effects = engine
                    .step(black_box(&mut *lead), black_box(&event))
                    .expect("a touch in order applies");
                assert!(effects.is_empty(), "the touch changed more than scores");
                assert_eq!(lead.stage(), stage);
                effects
            })
        });
        // The lead was stepped once per iteration (none when a filter skips the bench).
        let clicks = lead.touch_counts().get("email_click");
        assert_eq!(clicks.unwrap_or(0), steps);
    }
    group.finish();
}

/// How many touches `book/ingest_32` applies at a time.
const BATCH: usize = 32;

/// The sizes benched, with their names in the bench ids.
const SIZES: [(usize, &str); 2] = [(100_000, "100k"), (1_000_000, "1M")];

/// Per size, the book and then the floor, one right after the other, so that the two
/// numbers of a ratio are measured under the same machine load.
fn bench_ingest(c: &mut Criterion) {
    let engine = engine();
    for (n, name) in SIZES {
        book_ingest(c, &engine, n, name);
        floor_hashmap(c, n, name);
    }
}

fn book_ingest(c: &mut Criterion, engine: &Engine, n: usize, name: &str) {
    // Built once, outside the measured loop: criterion calls the routine once per sample.
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for i in 0..n {
        book.apply_into(engine, &created(&lead_id(i), t0()), &mut out);
    }
    assert_eq!(book.len(), n);
    assert!(out
        .iter()
        .all(|e| matches!(e.kind, leadcycle::EffectKind::Transition { .. })));
    out.clear();
    // One touch event whose lead id is swapped in from `ids` and back, so the measured
    // loop builds no strings and reads its key the way the floor does: one id from a
    // vector, at a pseudo-random index.
    let mut ids: Vec<LeadId> = (0..n).map(|i| lead_id(i).into()).collect();
    let mut event = touch("", t0());
    let mut keys = Keys::new();
    let mut at = t0();
    let mut ran = 0_u64;

    let mut group = c.benchmark_group("book/ingest");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));
    group.bench_function(name, |b| {
        b.iter(|| {
            at += TICK;
            ran += 1;
            let slot = &mut ids[keys.next_index(n)];
            let lead = event.lead_mut().expect("a touch names its lead");
            std::mem::swap(lead, slot);
            event.set_at(at);
            book.apply_into(engine, black_box(&event), &mut out);
            let lead = event.lead_mut().expect("a touch names its lead");
            std::mem::swap(lead, slot);
            // A refused event would leave a `rejected` effect; a qualified lead a
            // transition. Neither may happen.
            assert!(
                out.is_empty(),
                "the touch changed more than scores: {out:?}"
            );
        })
    });
    group.finish();

    // What a touch reads, without the engine: finding the lead (its clock), also the
    // record's other lines a touch reads, and also the heap blocks it reads (the touch
    // counts' entry, the ledger's newest entry). The part of `book/ingest` that no
    // engine work can remove: a ratio to the floor near 1 here says the cost of a
    // touch is in the engine's work, not in finding or reading the lead.
    let mut group = c.benchmark_group("book/read");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));
    let start = t0();
    let mut read = |b: &mut criterion::Bencher, part: fn(&leadcycle::Lead) -> f64| {
        b.iter(|| {
            let id = &ids[keys.next_index(n)];
            let lead = book.get(black_box(id.as_str())).expect("every id is held");
            assert!(
                lead.clock() >= start,
                "a lead's clock starts at its creation"
            );
            part(lead)
        })
    };
    group.bench_function(format!("{name}/lead"), |b| read(b, |_| 0.0));
    group.bench_function(format!("{name}/lines"), |b| {
        read(b, |lead| {
            let score = lead.score();
            let at = score.at.max(lead.last_touch().at).timestamp_millis();
            at as f64
                + score.engagement
                + score.ledger.entries.len() as f64
                + lead.touch_counts().len() as f64
        })
    });
    group.bench_function(format!("{name}/blocks"), |b| {
        read(b, |lead| {
            let score = lead.score();
            let at = score.at.max(lead.last_touch().at).timestamp_millis();
            let newest = score.ledger.entries.back().map_or(0.0, |e| e.points);
            let clicks = lead.touch_counts().get("email_click").unwrap_or(0);
            at as f64 + score.engagement + newest + f64::from(clicks)
        })
    });
    group.finish();

    // The same touches 32 at a time, applied as they come and after warming the batch
    // (`LeadBook::warm`): per touch, so the numbers read beside `book/ingest`.
    let mut group = c.benchmark_group(format!("book/ingest_32/{name}"));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));
    let mut batch: Vec<Event> = (0..BATCH).map(|_| touch("", t0())).collect();
    for warm in [false, true] {
        group.bench_function(if warm { "warm" } else { "plain" }, |b| {
            b.iter(|| {
                for event in &mut batch {
                    at += TICK;
                    ran += 1;
                    *event.lead_mut().expect("a touch names its lead") =
                        ids[keys.next_index(n)].clone();
                    event.set_at(at);
                }
                if warm {
                    book.warm(black_box(&batch));
                }
                for event in &batch {
                    book.apply_into(engine, black_box(event), &mut out);
                    assert!(
                        out.is_empty(),
                        "the touch changed more than scores: {out:?}"
                    );
                }
            })
        });
    }
    group.finish();
    assert_eq!(book.len(), n);
    assert_eq!(book.watermark(), None, "no tick was applied");
    // A filter that leaves this size out (`-- book/ingest/1M`) runs no iteration here.
    let touched = book
        .leads()
        .iter()
        .filter(|lead| lead.touch_counts().contains("email_click"))
        .count();
    assert_eq!(
        touched > 0,
        ran > 0,
        "{touched} leads touched in {ran} iterations"
    );
}

fn floor_hashmap(c: &mut Criterion, n: usize, name: &str) {
    let start = t0().timestamp_millis();
    let (ids, mut map) = floor_map(n, start);
    let mut keys = Keys::new();
    let mut at = start;
    let mut ran = 0_u64;

    let mut group = c.benchmark_group("floor/hashmap");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));
    group.bench_function(name, |b| {
        b.iter(|| {
            at += 1;
            ran += 1;
            floor_touch(&mut map, black_box(&ids[keys.next_index(n)]), at);
        })
    });
    group.finish();
    let touches: u64 = map.values().map(|s| u64::from(s.count)).sum();
    assert_eq!(touches, ran, "every iteration touched one key");
    assert!(map.values().all(|s| s.score.is_finite()));
}

criterion_group!(benches, bench_step, bench_ingest);
criterion_main!(benches);
