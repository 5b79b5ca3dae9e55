//! Soak (issue 12, item 4): random policies, random streams with duplicates, late
//! events, merges and unsubscribes, snapshots and restores in the middle, and every
//! invariant of DESIGN.md checked throughout.
//!
//! - `random_policies_keep_every_invariant_across_restores` is the test-scale property
//!   that `cargo test` runs: a random policy, three interleaved streams, the whole of
//!   `testing::check_invariants` on them, a snapshot restored at a random point, and
//!   the online checker of `soak/watch.rs` with a restore every few events, the
//!   restored book run beside the original and compared event by event.
//! - `soak_millions_of_events` is the long run (ignored by default): millions of events
//!   generated lazily in lanes (`soak/lanes.rs`), checked online, with a checkpoint
//!   (evict removed leads, snapshot, restore, compare) every `SOAK_CHECKPOINT` events
//!   and resident memory reported as it goes. docs/testing.md ("Soak") has the command
//!   and a run's numbers:
//!
//!   ```sh
//!   SOAK_EVENTS=3000000 cargo test --release --test soak -- --ignored --nocapture
//!   ```

#[path = "soak/lanes.rs"]
mod lanes;
#[path = "soak/policies.rs"]
mod policies;
#[path = "soak/watch.rs"]
mod watch;

use lanes::{Lanes, Next, LEADS_PER_STREAM};
use leadcycle::testing::{self, proptest_config, EventStream, StreamOptions, Vocabulary};
use leadcycle::{Engine, Event, LeadId, Policy};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use watch::Watch;

/// A stream for a policy over leads of its own (`{prefix}1`..`{prefix}5`).
fn lane(engine: &Engine, prefix: &str, max_steps: usize) -> impl Strategy<Value = EventStream> {
    let mut words = Vocabulary::of(engine.policy());
    words.leads = (1..=LEADS_PER_STREAM)
        .map(|i| LeadId::from(format!("{prefix}{i}")))
        .collect();
    words.streams(engine, StreamOptions::new(max_steps))
}

/// Streams merged in time order, each stream's own order kept (a late event comes
/// where its stream has it).
fn interleave(streams: &[EventStream]) -> Vec<Event> {
    let mut next = vec![0; streams.len()];
    let mut out = Vec::with_capacity(streams.iter().map(|s| s.len()).sum());
    loop {
        let pick = (0..streams.len())
            .filter(|&s| next[s] < streams[s].len())
            .min_by_key(|&s| (streams[s][next[s]].at(), s));
        let Some(s) = pick else { return out };
        out.push(streams[s][next[s]].clone());
        next[s] += 1;
    }
}

/// A soak case: a random policy, and for it three interleaved streams, a restore
/// point, a checkpoint interval and which events to redeliver.
#[derive(Debug)]
struct Case {
    policy: Policy,
    events: Vec<Event>,
    split: usize,
    checkpoint_every: usize,
    redeliver: Vec<bool>,
}

fn cases() -> impl Strategy<Value = Case> {
    policies::policies().prop_flat_map(|policy| {
        let engine = Engine::new(policy.clone()).expect("the policy strategy gives valid policies");
        let streams = (
            lane(&engine, "a", 40),
            lane(&engine, "b", 40),
            lane(&engine, "c", 40),
        );
        (
            Just(policy),
            streams,
            any::<prop::sample::Index>(),
            1..24usize,
            prop::collection::vec(prop::bool::weighted(0.2), 120),
        )
            .prop_map(|(policy, (a, b, c), split, checkpoint_every, redeliver)| {
                let events = interleave(&[a, b, c]);
                Case {
                    split: split.index(events.len() + 1),
                    policy,
                    events,
                    checkpoint_every,
                    redeliver,
                }
            })
    })
}

proptest! {
    #![proptest_config(proptest_config(24))]

    /// Under any valid policy, interleaved streams with duplicates, late events,
    /// merges and unsubscribes keep every invariant of DESIGN.md, whole
    /// (`check_invariants`) and checked online; a book restored from a snapshot at any
    /// point continues exactly like the original; and evicting removed leads at each
    /// checkpoint loses no live lead.
    #[test]
    fn random_policies_keep_every_invariant_across_restores(case in cases()) {
        let engine = Engine::new(case.policy.clone()).expect("valid policy");
        testing::check_invariants(&engine, &case.events)?;
        testing::check_snapshot_restore(&engine, &case.events, case.split)?;

        let mut watch = Watch::new(&engine);
        for (i, e) in case.events.iter().enumerate() {
            if i % case.checkpoint_every == 0 {
                watch.checkpoint(i % (3 * case.checkpoint_every) == 0).map_err(TestCaseError::fail)?;
            }
            let redeliver = case.redeliver[i % case.redeliver.len()];
            watch.apply(e, redeliver).map_err(|m| TestCaseError::fail(format!("event {i}: {m}")))?;
        }
        watch.checkpoint(true).map_err(TestCaseError::fail)?;
    }
}

/// Resident memory of this process, in KiB (`VmRSS` of /proc/self/status).
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The long soak: `SOAK_EVENTS` events (3 million by default) in `SOAK_LANES` lanes
/// (256), a random policy drawn from seed `SOAK_SEED` (1), a checkpoint every
/// `SOAK_CHECKPOINT` events (50 000), a report line every `SOAK_REPORT` events
/// (250 000). Every invariant is checked online; the book never holds more than the
/// leads in play plus those removed since the last eviction.
#[test]
#[ignore = "long: run in release, see docs/testing.md (Soak)"]
fn soak_millions_of_events() {
    let total = env_or("SOAK_EVENTS", 3_000_000);
    let lane_count = env_or("SOAK_LANES", 256) as usize;
    let seed = env_or("SOAK_SEED", 1);
    let checkpoint_every = env_or("SOAK_CHECKPOINT", 50_000);
    let report_every = env_or("SOAK_REPORT", 250_000);

    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let policy = policies::policies()
        .new_tree(&mut runner)
        .expect("a policy")
        .current();
    println!(
        "policy (seed {seed}): {}",
        policy.to_toml_string().replace('\n', " | ")
    );
    let engine = Engine::new(policy).expect("the policy strategy gives valid policies");
    let mut lanes = Lanes::new(&engine, runner, lane_count, 60);
    let mut watch = Watch::new(&engine);
    let started = std::time::Instant::now();
    // The most leads the book may hold: the leads in play, and those a lane retired or
    // a stream removed since the last eviction (at most one stream's worth per
    // checkpoint interval's events, bounded loosely by the interval itself).
    let bound = lane_count * LEADS_PER_STREAM + checkpoint_every as usize;
    let mut peak_leads = 0;
    println!(
        "| events | streams | leads in book | evicted | checkpoints | resident MiB | seconds |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut next_report = 0;
    let mut next_checkpoint = checkpoint_every;
    let mut redeliver_turn = 0u64;
    while watch.events < total {
        match lanes.next() {
            Next::Event(e) => {
                redeliver_turn += 1;
                // Every seventh event with an id comes again right after itself.
                watch
                    .apply(&e, redeliver_turn % 7 == 0)
                    .unwrap_or_else(|m| {
                        panic!("after {} events: {m}\n{}", watch.events, testing_line(&e))
                    });
            }
            Next::Retire(leads, at) => {
                let live: Vec<LeadId> = leads.into_iter().filter(|id| watch.is_live(id)).collect();
                for id in live {
                    let retire = Event::contact_lost(id, at, lanes.lost_cause());
                    watch
                        .apply(&retire, false)
                        .unwrap_or_else(|m| panic!("after {} events: {m}", watch.events));
                }
            }
        }
        peak_leads = peak_leads.max(watch.book().len());
        if watch.events >= next_checkpoint {
            next_checkpoint += checkpoint_every;
            watch
                .checkpoint(true)
                .unwrap_or_else(|m| panic!("at the checkpoint after {} events: {m}", watch.events));
        }
        if watch.events >= next_report {
            next_report += report_every;
            println!(
                "| {} | {} | {} | {} | {} | {:.1} | {:.1} |",
                watch.events,
                lanes.streams,
                watch.book().len(),
                watch.evicted,
                watch.checkpoints,
                resident_kib().unwrap_or(0) as f64 / 1024.0,
                started.elapsed().as_secs_f64()
            );
        }
    }
    watch.checkpoint(true).expect("the final checkpoint");
    println!(
        "{} events ({} redeliveries) in {:.1} s; peak {} leads in the book; {} streams",
        watch.events,
        watch.redeliveries,
        started.elapsed().as_secs_f64(),
        peak_leads,
        lanes.streams
    );
    assert!(
        peak_leads <= bound,
        "the book grew to {peak_leads} leads, past {bound}"
    );
}

fn testing_line(e: &Event) -> String {
    serde_json::to_string(e).expect("an event serializes")
}

/// Found by the soak: under a policy whose SAL idle limit (10 days) is shorter than its
/// attempts window (12 days), the idle recycle moves the lead out of `sal` before the
/// attempts deadline comes, so no `attempts` breach is due, and the no-black-hole check
/// must not ask for one (it used to).
#[test]
fn an_idle_recycle_before_the_attempts_deadline_makes_that_deadline_moot(
) -> Result<(), testing::InvariantViolation> {
    use leadcycle::chrono::TimeDelta;
    use leadcycle::{EffectKind, LeadBook, SlaKind, Stage};

    let mut policy = Policy::default();
    policy.sla.sal.idle_days = Some(10.0);
    policy.sla.sal.attempts = Some(2);
    policy.sla.sal.attempts_days = Some(12.0);
    let engine = Engine::new(policy).expect("valid policy");
    let start = StreamOptions::default().start;
    let events = [
        Event::created("L1", start, "webinar"),
        Event::sales_accepted("L1", start + TimeDelta::hours(1), "R1"),
        Event::tick(start + TimeDelta::days(30)),
    ];
    testing::check_no_black_hole(&engine, &events, TimeDelta::days(1))?;

    let mut book = LeadBook::new();
    let effects: Vec<_> = events.iter().flat_map(|e| book.apply(&engine, e)).collect();
    assert_eq!(book.get("L1").map(|l| l.stage()), Some(Stage::Recycled));
    let breached = |kind: SlaKind| {
        effects
            .iter()
            .any(|f| matches!(&f.kind, EffectKind::SlaBreached { sla, .. } if *sla == kind))
    };
    assert!(breached(SlaKind::Idle), "{effects:?}");
    assert!(!breached(SlaKind::Attempts), "{effects:?}");
    Ok(())
}
