//! What a touch reads from memory: a driver for a cache simulator, not a timer.
//!
//! This VM has no hardware cache counters, and timings of a 1M-lead book move by 20-30%
//! with the machine's load. Callgrind's cache simulation counts the misses of a touch
//! exactly, run after run, so a change to the lead's layout can be judged by the lines
//! it makes a touch read (docs/performance.md, issue 11). Run it with
//! `scripts/touch_misses.sh`, which builds this bench and runs it under callgrind.
//!
//! `LEADCYCLE_MISSES=book` (the default) builds a book of `N` leads as
//! `benches/step.rs` does, applies `WARM` touches to pseudo-random leads (the bench's
//! earlier iterations: they grow the leads' ledgers and touch counts), then the `M`
//! touches that `measured_book_touches` counts. `LEADCYCLE_MISSES=floor` runs the same
//! keys on the bench's bare `HashMap` floor in `measured_floor_touches`. Every touch
//! checks its result, as in the criterion benches.
//!
//! Run as a test (`cargo test --all-targets`, or without `--bench`), the sizes are
//! small, so CI stays fast.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Engine, Event, LeadBook, LeadId, Policy, Profile};
use std::collections::HashMap;
use std::hint::black_box;

fn t0() -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse().expect("a valid time")
}

/// The policy of `benches/step.rs`: thresholds and cap out of reach, so every touch
/// only scores.
fn engine() -> Engine {
    let mut policy = Policy::default();
    policy.scoring.mql_threshold = 1e15;
    policy.scoring.requalify_threshold = 1e15;
    policy.scoring.engagement_cap = 1e12;
    Engine::new(policy).expect("the bench policy is valid")
}

fn created(lead: &str, at: DateTime<Utc>) -> Event {
    let profile: Profile = [
        ("seniority".to_owned(), "vp".into()),
        ("employees".to_owned(), 350.0.into()),
    ]
    .into_iter()
    .collect();
    Event::created(lead, at, "webinar")
        .with_campaign("spring-launch")
        .with_channel("paid_social")
        .with_profile(profile)
}

fn touch(lead: &str, at: DateTime<Utc>) -> Event {
    Event::touch(lead, at, "email_click")
        .with_campaign("spring-nurture")
        .with_channel("email")
}

/// xorshift64*, the key sequence of `benches/step.rs`.
struct Keys(u64);

impl Keys {
    fn new() -> Self {
        Keys(0x9E37_79B9_7F4A_7C15)
    }

    fn next_index(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as usize % n
    }
}

fn lead_id(i: usize) -> String {
    format!("L{i:07}")
}

/// The state a run continues from: the book, the ids, the clock and the key sequence.
struct Run {
    engine: Engine,
    book: LeadBook,
    ids: Vec<LeadId>,
    at: DateTime<Utc>,
    keys: Keys,
}

impl Run {
    fn new(n: usize) -> Self {
        let engine = engine();
        let mut book = LeadBook::new();
        let mut out = Vec::new();
        for i in 0..n {
            book.apply_into(&engine, &created(&lead_id(i), t0()), &mut out);
        }
        assert_eq!(book.len(), n);
        Run {
            engine,
            book,
            ids: (0..n).map(|i| lead_id(i).into()).collect(),
            at: t0(),
            keys: Keys::new(),
        }
    }

    /// `m` touches of pseudo-random leads, each checked to only score.
    fn touches(&mut self, m: usize) {
        let mut event = touch("", t0());
        let mut out = Vec::new();
        for _ in 0..m {
            self.at += TimeDelta::milliseconds(1);
            let i = self.keys.next_index(self.ids.len());
            let slot = &mut self.ids[i];
            std::mem::swap(event.lead_mut().expect("a touch names its lead"), slot);
            event.set_at(self.at);
            self.book
                .apply_into(&self.engine, black_box(&event), &mut out);
            std::mem::swap(event.lead_mut().expect("a touch names its lead"), slot);
            assert!(
                out.is_empty(),
                "the touch changed more than scores: {out:?}"
            );
        }
    }
}

/// The touches callgrind counts (`--toggle-collect=*measured_book_touches*`).
#[inline(never)]
fn measured_book_touches(run: &mut Run, m: usize) {
    run.touches(m);
}

/// What the floor stores per key, as in `benches/step.rs`.
struct Small {
    score: f64,
    count: u32,
    at: i64,
}

/// The floor's touches callgrind counts (`--toggle-collect=*measured_floor_touches*`).
#[inline(never)]
fn measured_floor_touches(map: &mut HashMap<String, Small>, ids: &[String], m: usize) {
    let mut keys = Keys::new();
    let mut at = t0().timestamp_millis();
    for _ in 0..m {
        at += 1;
        let id: &str = black_box(&ids[keys.next_index(ids.len())]);
        let small = map.get_mut(id).expect("every key is in the map");
        assert!(small.at < at, "times only increase");
        small.score += 3.0;
        small.count += 1;
        small.at = at;
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a count, not {v:?}"))
    })
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (n, warm, m) = if measuring {
        (
            env_or("N", 1_000_000),
            env_or("WARM", 2_000_000),
            env_or("M", 20_000),
        )
    } else {
        (2_000, 2_000, 200)
    };
    match std::env::var("LEADCYCLE_MISSES").as_deref() {
        Ok("floor") => {
            let ids: Vec<String> = (0..n).map(lead_id).collect();
            let start = t0().timestamp_millis() - 1;
            let mut map: HashMap<String, Small> = ids
                .iter()
                .map(|id| {
                    let small = Small {
                        score: 0.0,
                        count: 0,
                        at: start,
                    };
                    (id.clone(), small)
                })
                .collect();
            measured_floor_touches(&mut map, &ids, m);
            let touches: u64 = map.values().map(|s| u64::from(s.count)).sum();
            assert_eq!(touches, m as u64, "every touch reached one key");
        }
        Ok("book") | Err(_) => {
            let mut run = Run::new(n);
            run.touches(warm);
            measured_book_touches(&mut run, m);
            let clicks: u64 = run
                .book
                .iter()
                .filter_map(|lead| lead.touch_counts().get("email_click"))
                .sum();
            assert_eq!(clicks, (warm + m) as u64, "every touch was counted");
        }
        Ok(other) => panic!("LEADCYCLE_MISSES is book or floor, not {other:?}"),
    }
}
