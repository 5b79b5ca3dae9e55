//! Goal 1 of issue 11 as one number: the replay's time over its floor's, the two
//! passes of `benches/replay.rs` (`replay/floor`, `replay/full`) run in turn.
//!
//! Criterion times each function in its own stretch of a minute or more, and on a
//! shared machine the floor alone moved 2.80-3.55 s between such stretches
//! (docs/performance.md, "Lines in batches, and the index's hash"), more than the
//! changes being measured. Here each round runs the floor and then the replay, seconds
//! apart, so a slow minute slows both; the result is the median of the rounds' ratios,
//! with the median of each pass. Every pass checks its counts of events, effects and
//! bytes against two checking passes that hash every byte written. Nothing asserts a
//! duration.
//!
//! ```sh
//! LEADCYCLE_REPLAY_EVENTS=/tmp/events-1m.jsonl cargo bench --bench replay_ratio
//! ```
//!
//! `LEADCYCLE_REPLAY_ROUNDS` sets the number of rounds (11 by default); the stream and
//! the policy are chosen as in `benches/replay.rs`.

#[path = "support/replay_passes.rs"]
mod passes;
#[path = "support/stream.rs"]
mod stream;

use passes::{checked_counts, engine, floor, full};
use std::hint::black_box;
use std::time::Instant;

/// The middle value (the upper middle of an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs one round only.
    let testing = !std::env::args().any(|a| a == "--bench");
    let rounds: usize = match std::env::var("LEADCYCLE_REPLAY_ROUNDS") {
        Ok(n) => n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .expect("LEADCYCLE_REPLAY_ROUNDS is a whole number above 0"),
        Err(_) if testing => 1,
        Err(_) => 11,
    };
    let stream = stream::load("LEADCYCLE_REPLAY_EVENTS", 5_000);
    let lines: Vec<&[u8]> = stream.lines().collect();
    let engine = engine();
    let (replay_check, floor_check) = checked_counts(&engine, &lines);
    println!(
        "replay_ratio: {}: {} lines, {} effects, rounds: {rounds}",
        stream.origin,
        lines.len(),
        replay_check.effects
    );

    let (mut floors, mut fulls, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        let started = Instant::now();
        assert_eq!(floor(black_box(&lines), false), floor_check);
        let floor_time = started.elapsed();
        let started = Instant::now();
        let (outcome, book) = full(&engine, black_box(&lines), false);
        let full_time = started.elapsed();
        // Dropped outside the measurement, as the example never drops its book.
        drop(book);
        assert_eq!(outcome, replay_check);
        let ratio = full_time.as_secs_f64() / floor_time.as_secs_f64();
        println!(
            "round {round:>2}: floor {:>8.3} s  full {:>8.3} s  full / floor {ratio:.3}x",
            floor_time.as_secs_f64(),
            full_time.as_secs_f64()
        );
        floors.push(floor_time.as_secs_f64());
        fulls.push(full_time.as_secs_f64());
        ratios.push(ratio);
    }
    println!(
        "median: floor {:.3} s  full {:.3} s  full / floor {:.3}x (median of the rounds' ratios)",
        median(floors),
        median(fulls),
        median(ratios)
    );
}
