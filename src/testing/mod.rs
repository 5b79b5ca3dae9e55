//! Property-test a policy: proptest strategies that generate event streams in a
//! policy's own words, and checks of the design's invariants over their replay.
//! Cargo feature `testing`; [`docs::testing`](crate::docs::testing) is the guide.
//!
//! A policy is code: its reasons send leads to programs, its thresholds qualify them,
//! its service levels recycle them, and its rhai hooks decide. The crate's own tests
//! check the invariants of the design (no lead lost, no lead left in a black hole,
//! recycled leads enrolled, removed ones left alone, the first touch kept,
//! determinism, idempotency, refusals that change nothing) under the default policy,
//! with the strategies of this module. A host checks them under its own policy the
//! same way, in its own test suite:
//!
//! ```
//! use leadcycle::testing::{self, StreamOptions};
//! use leadcycle::{Engine, Policy};
//! use proptest::prelude::*;
//!
//! let mut policy = Policy::default();
//! policy.recycle.reasons.insert("went_quiet".into(), "stalled".into());
//! let engine = Engine::new(policy).unwrap();
//!
//! proptest!(testing::proptest_config(16), |(s in testing::streams(&engine, StreamOptions::new(30)))| {
//!     testing::check_invariants(&engine, &s)?;
//! });
//! ```
//!
//! - [`streams`] generates [`EventStream`]s for an engine's policy, from its
//!   [`Vocabulary`]; [`StreamOptions`] says how long and whether late events and merges
//!   come in. [`gaps`] generates spans of time.
//! - [`check_invariants`] replays a stream (any slice of events) and checks every
//!   invariant one replay shows; it returns a [`Report`] of what the stream exercised,
//!   or the first [`InvariantViolation`], which names the [`Invariant`], the event and
//!   the lead. Each check is also a function of its own, and the ones that need inputs
//!   of their own are only that: [`check_snapshot_restore`] (a split point),
//!   [`check_idempotency`] (a stream's redelivery plan), [`check_partition`] (books
//!   by lead), [`check_tick_placement`] (a stream in time order).
//! - A failing case prints as its events' JSON lines, ready to replay with the
//!   `replay` example.

// The checks' assertions: each returns an `InvariantViolation` naming the invariant,
// the event's index and the lead.
macro_rules! fail {
    ($invariant:expr, $event:expr, $lead:expr, $($message:tt)+) => {
        return Err($crate::testing::InvariantViolation::new(
            $invariant,
            $event,
            $lead,
            format!($($message)+),
        ))
    };
}

macro_rules! ensure {
    ($cond:expr, $invariant:expr, $event:expr, $lead:expr, $($message:tt)+) => {
        if !$cond {
            fail!($invariant, $event, $lead, $($message)+);
        }
    };
}

macro_rules! ensure_eq {
    ($left:expr, $right:expr, $invariant:expr, $event:expr, $lead:expr, $($message:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    fail!(
                        $invariant,
                        $event,
                        $lead,
                        "{}\n  left: {:?}\n right: {:?}",
                        format_args!($($message)+),
                        left,
                        right
                    );
                }
            }
        }
    };
}

mod checks;
mod determinism;
mod idle;
mod replay;
mod report;
mod stream;
mod violation;
mod vocabulary;

pub use checks::{
    check_conservation, check_first_touch, check_no_black_hole, check_recycled_and_removed,
    check_rejected_unchanged,
};
pub use determinism::{
    check_idempotency, check_partition, check_rerun, check_snapshot_restore, check_tick_placement,
};
pub use report::{check_invariants, Report};
pub use stream::{gaps, streams, EventStream, StreamOptions};
pub use violation::{Invariant, InvariantViolation};
pub use vocabulary::Vocabulary;

use proptest::test_runner::Config;
use replay::json;

/// A proptest configuration for properties over streams: `cases` cases, unless the
/// environment says otherwise. `PROPTEST_CASES` replaces the count of every property;
/// `LEADCYCLE_CASES_FACTOR` (a whole number) multiplies each property's own count
/// instead, so a soak runs every property at, say, 100 times its CI count
/// (`LEADCYCLE_CASES_FACTOR=100 cargo test --release`). Shrinking may take up to 8192
/// steps, which long streams need. A failing case is saved as proptest does by default,
/// in a `*.proptest-regressions` file beside the test's source, and replayed first on
/// every later run: commit those files with the fix.
///
/// # Panics
///
/// When `LEADCYCLE_CASES_FACTOR` is set but is not a whole number from 1 up: a soak
/// that silently ran at the CI count would claim more than it checked.
pub fn proptest_config(cases: u32) -> Config {
    let cases = match std::env::var("PROPTEST_CASES") {
        Ok(v) => v.parse().unwrap_or(cases),
        Err(_) => cases.saturating_mul(cases_factor()),
    };
    Config {
        cases,
        max_shrink_iters: 8192,
        ..Config::default()
    }
}

/// `LEADCYCLE_CASES_FACTOR`, or 1 when it is not set.
fn cases_factor() -> u32 {
    match std::env::var("LEADCYCLE_CASES_FACTOR") {
        Err(_) => 1,
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(factor) if factor >= 1 => factor,
            _ => panic!(
                "LEADCYCLE_CASES_FACTOR is {v:?}: expected a whole number of at least 1 (how many times each property's own case count to run)"
            ),
        },
    }
}
