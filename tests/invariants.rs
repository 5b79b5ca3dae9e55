//! The invariants of DESIGN.md ("Invariants", 1-7), checked with proptest over random
//! event streams under `Policy::default()`, and under a host's policy of its own.
//!
//! The streams and the checks are `leadcycle::testing` (cargo feature `testing`, which
//! the crate's dev-dependency on itself turns on): the same strategies and checks a
//! host uses on its own policy (`docs/testing.md`). The generator makes realistic,
//! colliding streams in the policy's words: a handful of leads (ids from a small pool,
//! so events collide and some name a lead that was never created), every event type of
//! CONTRACT.md with random reps, recycle reasons (with a program, remove reasons, and
//! reasons the policy does not know), extension programs (known and unknown), touch
//! kinds (scored, hand-raisers, unknown), consumed content, profile sets, merges (into
//! other leads and into the lead itself), event ids from a small pool plus verbatim
//! redeliveries of earlier events, ticks, time steps from minutes to months and
//! occasional out-of-order times. A failing case prints as the JSON lines of its stream
//! (the idempotency property's second deliveries noted after the events), ready to
//! feed to the `replay` example.
//!
//! Every property also checks that the engine does not panic: the test profile keeps
//! debug assertions on, and `Engine` asserts every stage move against the waterfall.
//! `PROPTEST_CASES=100000 cargo test --release --test invariants` is a soak.

use leadcycle::chrono::TimeDelta;
use leadcycle::testing::{self, proptest_config, streams, StreamOptions, Vocabulary};
use leadcycle::{EffectType, Engine, Event, LeadBook, LeadId, Policy, Stage};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Policy::default()).expect("the default policy is valid"))
}

/// Every kind of stream: late events, redeliveries and merges included.
fn any(max_steps: usize) -> impl Strategy<Value = testing::EventStream> {
    streams(engine(), StreamOptions::new(max_steps))
}

/// A split point `share` of the way into a stream of `len` events, kept off both
/// ends when the stream has two or more events: at least one event runs before the
/// snapshot and at least one after the restore.
fn inside(len: usize, share: f64) -> usize {
    if len < 2 {
        return len;
    }
    // `share` is in [0, 1): 1 + floor(share * (len - 1)) is in 1..len.
    1 + (share * (len - 1) as f64) as usize
}

#[test]
fn the_restore_split_falls_inside_the_stream() {
    assert_eq!(inside(0, 0.5), 0);
    assert_eq!(inside(1, 0.9), 1);
    assert_eq!(inside(2, 0.0), 1);
    assert_eq!(inside(2, 0.999), 1);
    assert_eq!(inside(10, 0.0), 1);
    assert_eq!(inside(10, 0.5), 5);
    assert_eq!(inside(10, 0.999), 9);
}

/// How many books the partition property splits a stream across.
const BOOKS: usize = 3;

/// The lead pool of the default policy's vocabulary.
fn leads() -> &'static [LeadId] {
    static LEADS: OnceLock<Vec<LeadId>> = OnceLock::new();
    LEADS.get_or_init(|| Vocabulary::of(engine().policy()).leads)
}

proptest! {
    #![proptest_config(proptest_config(256))]

    /// Invariant 1: every created lead is in exactly one stage, the one its
    /// transitions lead to, and the stage counts add up to the leads created.
    #[test]
    fn inv1_conservation(s in any(60)) {
        testing::check_conservation(engine(), &s)?;
    }

    /// Invariant 2: after a tick at t no lead has a deadline at or before t, and every
    /// deadline that was due is reported (`sla_breached`, the idle recycle, the nurture
    /// step) or the lead was moved; after an event, its lead has nothing due at or
    /// before the event's time either.
    #[test]
    fn inv2_no_black_hole(s in any(60), extra in testing::gaps()) {
        testing::check_no_black_hole(engine(), &s, extra + TimeDelta::days(1))?;
    }

    /// Invariant 3: a recycled lead always has a nurture enrollment; a removed lead
    /// never gets a nurture assignment, a step, a routing or a transition after its
    /// removal.
    #[test]
    fn inv3_recycled_enrolled_removed_left_alone(s in any(60)) {
        testing::check_recycled_and_removed(engine(), &s, TimeDelta::days(400))?;
    }

    /// Invariant 4: the first touch never changes, except that a merge may replace it
    /// with the survivor's duplicate's earlier one.
    #[test]
    fn inv4_first_touch_kept(s in any(60)) {
        testing::check_first_touch(engine(), &s)?;
    }

    /// Invariant 5: the same stream gives byte-identical effects twice.
    #[test]
    fn inv5_determinism_rerun(s in any(60)) {
        testing::check_rerun(engine(), &s)?;
    }

    /// Invariant 5: a snapshot taken mid-stream, written as JSON and restored, then
    /// continued, gives the same effects as one uninterrupted run. The split is a
    /// share of the stream's own length, so it falls inside the stream (after at
    /// least one event and before at least one, when there are two), not mostly at
    /// its ends.
    #[test]
    fn inv5_determinism_snapshot_restore(s in any(60), share in 0.0..1.0f64) {
        let split = inside(s.len(), share);
        testing::check_snapshot_restore(engine(), &s, split)?;
    }

    /// Invariant 5: a stream partitioned by lead across books (ticks to every book)
    /// gives each lead the same effects as one book.
    #[test]
    fn inv5_determinism_partitioned_by_lead(
        s in streams(engine(), StreamOptions::new(60).without_merges()),
        assign in prop::collection::vec(0..BOOKS, leads().len()),
    ) {
        let book_of = |id: &LeadId| assign[leads().iter().position(|l| l == id).unwrap()];
        testing::check_partition(engine(), &s, BOOKS, book_of)?;
    }

    /// Invariant 5 (CONTRACT.md, "Time"): a lead's effects do not depend on where the
    /// ticks fall: every tick, or only a final one, gives the same effects per lead, a
    /// refusal judged after the lead's due deadlines (`illegal_transition`,
    /// `unknown_program`, `removed_lead`, a merge's included) in its place among them.
    #[test]
    fn inv5_determinism_tick_placement(s in streams(engine(), StreamOptions::new(60).in_order())) {
        testing::check_tick_placement(engine(), &s)?;
    }

    /// Invariant 6: delivering every applied event that has an id a second time (right
    /// after, or later) never applies it twice: each copy fires nothing and is refused
    /// as `duplicate_event` while its lead remembers the id (applied within
    /// `dedupe_window_days` before the lead's clock), and by the time rule or the lead's
    /// own refusal once it is forgotten; the run ends in the same state as delivering
    /// each event once.
    #[test]
    fn inv6_idempotency(s in any(60)) {
        testing::check_idempotency(engine(), &s)?;
    }

    /// Invariant 7: a rejected event changes nothing itself: the book afterwards is byte
    /// for byte the book the lead's own due deadlines alone give (both leads' for a
    /// merge; none for a refusal judged before its stage is looked at), and its effects
    /// are exactly those deadlines' effects, then the one `rejected`.
    #[test]
    fn inv7_rejected_leaves_book_unchanged(s in any(60)) {
        testing::check_rejected_unchanged(engine(), &s)?;
    }
}

proptest! {
    #![proptest_config(proptest_config(128))]

    /// The engine never panics, on longer streams and with a long final tick.
    #[test]
    fn never_panics(s in any(120)) {
        let mut book = LeadBook::new();
        for e in s.iter() {
            book.apply(engine(), e);
        }
        let end = s.end().unwrap_or(StreamOptions::default().start);
        book.apply(engine(), &Event::tick(end + TimeDelta::days(730)));
    }
}

// ---------------------------------------------------------------------------------
// A host's own policy, tested as docs/testing.md shows
// ---------------------------------------------------------------------------------

/// A policy with its own reasons, programs, touch kinds and fit rules: nothing of the
/// default's vocabulary but what it writes.
const HOST_POLICY: &str = r#"
[scoring]
mql_threshold = 60
requalify_threshold = 70
hand_raisers = ["trial_request"]

[scoring.engagement]
trial_request = 30
docs_visit = 6
meetup_attended = 12

[[scoring.fit]]
attr = "team_size"
at_least = 20
points = 20

[recycle]
remove_reasons = ["student"]
default_program = "keep_warm"
passive_program = "keep_warm"
customer_program = "welcome"
[recycle.reasons]
no_champion = "find_champion"
too_early = "keep_warm"

[programs.find_champion]
cadence_days = 10
steps = ["champion-guide", "team-demo"]
then = "keep_warm"

[programs.keep_warm]
cadence_days = 20
steps = ["changelog", "case-study", "meetup-invite"]

[programs.welcome]
cadence_days = 5
resume = false
steps = ["hello", "first-project"]
"#;

fn host_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let policy = Policy::from_toml_str(HOST_POLICY).expect("the host policy reads");
        Engine::new(policy).expect("the host policy is valid")
    })
}

/// A host's policy keeps every invariant one replay shows: the few lines a host writes
/// in its own test suite (docs/testing.md).
#[test]
fn host_policy_keeps_the_invariants() {
    let policy = Policy::from_toml_str(HOST_POLICY).expect("the policy reads");
    let engine = Engine::new(policy).expect("the policy is valid");
    let streams = testing::streams(&engine, StreamOptions::default());
    proptest!(proptest_config(64), |(s in streams)| {
        testing::check_invariants(&engine, &s)?;
    });
}

/// The streams speak the host policy's words: its reasons, programs, kinds and content
/// come in, and walk its leads through recycling into its own programs.
#[test]
fn host_streams_use_the_policy_vocabulary() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let words = Vocabulary::of(host_engine().policy());
    for (list, word) in [
        (&words.reasons, "no_champion"),
        (&words.reasons, "student"),
        (&words.programs, "find_champion"),
        (&words.kinds, "trial_request"),
        (&words.kinds, "meetup_attended"),
        (&words.contents, "champion-guide"),
    ] {
        assert!(list.iter().any(|w| w == word), "{word} is not in {list:?}");
    }
    assert!(!words.reasons.iter().any(|r| r == "bad_timing"));
    assert_eq!(words.warm_kinds, ["meetup_attended", "docs_visit"]);
    assert_eq!(words.good_fit.get("team_size"), Some(&35.0.into()));

    let strategy = streams(host_engine(), StreamOptions::default());
    let mut runner = TestRunner::deterministic();
    let mut text = String::new();
    let mut report = testing::Report::default();
    for _ in 0..40 {
        let s = strategy.new_tree(&mut runner).unwrap().current();
        text.push_str(&s.to_string());
        let r = testing::Report::of(host_engine(), &s);
        for (ty, n) in r.effects {
            *report.effects.entry(ty).or_default() += n;
        }
        for (stage, n) in r.stages {
            *report.stages.entry(stage).or_default() += n;
        }
    }
    for word in [
        "\"reason\":\"no_champion\"",
        "\"reason\":\"student\"",
        "\"program\":\"find_champion\"",
        "\"kind\":\"trial_request\"",
        "\"content\":\"champion-guide\"",
        "\"team_size\":35.0",
    ] {
        assert!(text.contains(word), "no generated event has {word}");
    }
    // Leads reach the end of the waterfall and are recycled into the host's programs.
    assert!(report.leads_in(Stage::Customer) > 0, "{report:?}");
    assert!(report.leads_in(Stage::Recycled) > 0, "{report:?}");
    assert!(
        report.effects_of(EffectType::NurtureStepDue) > 0,
        "{report:?}"
    );
    assert!(report.effects_of(EffectType::Routed) > 0, "{report:?}");
}
