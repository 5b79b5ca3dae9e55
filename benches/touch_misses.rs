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
use leadcycle::{Engine, LeadBook, LeadId};
use std::collections::HashMap;
use std::hint::black_box;

#[path = "support/touch_book.rs"]
mod touch_book;
use touch_book::{created, engine, floor_map, floor_touch, lead_id, t0, touch, Small};

#[path = "support/keys.rs"]
mod keys;
use keys::Keys;

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

/// The floor's touches callgrind counts (`--toggle-collect=*measured_floor_touches*`).
#[inline(never)]
fn measured_floor_touches(map: &mut HashMap<String, Small>, ids: &[String], m: usize) {
    let mut keys = Keys::new();
    let mut at = t0().timestamp_millis();
    for _ in 0..m {
        at += 1;
        floor_touch(map, black_box(&ids[keys.next_index(ids.len())]), at);
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
            let (ids, mut map) = floor_map(n, t0().timestamp_millis());
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
                .filter_map(|lead| lead.touch_counts().get("email_click").map(u64::from))
                .sum();
            assert_eq!(clicks, (warm + m) as u64, "every touch was counted");
        }
        Ok(other) => panic!("LEADCYCLE_MISSES is book or floor, not {other:?}"),
    }
}
