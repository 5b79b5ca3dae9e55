//! Random policies for the soak: the default policy with its thresholds, hysteresis,
//! decay, service levels, programs, chains, remove reasons and dedupe window drawn at
//! random. Every policy the strategy gives is valid (the soak asserts `Engine::new`
//! accepts it), so a soak case never fails for a policy the engine would have refused.

use leadcycle::Policy;
use proptest::prelude::*;
use proptest::sample::Index;

/// Service levels for one stage: respond, attempts (with their window) and idle, each
/// on or off.
type StageSlas = (Option<f64>, Option<(u32, f64)>, Option<f64>);

fn days(range: std::ops::Range<u32>) -> impl Strategy<Value = f64> {
    range.prop_map(f64::from)
}

fn stage_slas() -> impl Strategy<Value = StageSlas> {
    (
        prop::option::weighted(0.6, days(1..6)),
        prop::option::weighted(0.4, (1..6u32, days(3..30))),
        prop::option::weighted(0.8, days(2..150)),
    )
}

/// One program's knobs: cadence, resume, and where it hands the lead on (an index into
/// the program names, or none).
type ProgramKnobs = (f64, bool, Option<Index>);

fn program_knobs() -> impl Strategy<Value = ProgramKnobs> {
    (
        days(1..40),
        prop::bool::weighted(0.8),
        prop::option::weighted(0.6, any::<Index>()),
    )
}

/// Valid policies around the default one.
pub fn policies() -> impl Strategy<Value = Policy> {
    let scoring = (
        days(20..160), // mql_threshold
        days(20..160), // requalify_threshold
        days(0..40),   // hysteresis
        days(3..120),  // half_life_days
        days(40..300), // engagement_cap
        days(1..30),   // dedupe_window_days
        any::<bool>(), // strict_events
    );
    let slas = prop::collection::vec(stage_slas(), 4);
    let programs = prop::collection::vec(program_knobs(), Policy::default().programs.len());
    // Which of the default's recycle reasons remove the lead instead.
    let removing = prop::collection::vec(prop::bool::weighted(0.2), 8);
    (scoring, slas, programs, removing).prop_map(|(scoring, slas, programs, removing)| {
        let mut p = Policy::default();
        let (mql, requalify, hysteresis, half_life, cap, dedupe, strict) = scoring;
        p.scoring.mql_threshold = mql;
        p.scoring.requalify_threshold = requalify;
        p.scoring.hysteresis = hysteresis;
        p.scoring.half_life_days = half_life;
        p.scoring.engagement_cap = cap;
        p.dedupe_window_days = dedupe;
        p.strict_events = strict;
        let stages = [
            &mut p.sla.mql,
            &mut p.sla.sal,
            &mut p.sla.sql,
            &mut p.sla.opportunity,
        ];
        for (sla, (respond, attempts, idle)) in stages.into_iter().zip(slas) {
            sla.respond_days = respond;
            sla.attempts = attempts.map(|(n, _)| n);
            sla.attempts_days = attempts.map(|(_, d)| d);
            sla.idle_days = idle;
        }
        let names: Vec<String> = p.programs.keys().cloned().collect();
        for ((cadence, resume, then), program) in programs.into_iter().zip(p.programs.values_mut())
        {
            program.cadence_days = cadence;
            program.resume = resume;
            // A chain may loop (a -> b -> a): the lead then stays in nurture for good,
            // which the engine allows; the soak retires such leads itself.
            program.then = then.map(|i| names[i.index(names.len())].clone());
        }
        let reasons: Vec<String> = p.recycle.reasons.keys().cloned().collect();
        for (reason, remove) in reasons.into_iter().zip(removing) {
            if remove {
                p.recycle.reasons.remove(&reason);
                p.recycle.remove_reasons.push(reason);
            }
        }
        p
    })
}
