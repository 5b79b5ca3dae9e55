//! A lead stored under one policy and stepped under a later one (docs/semantics.md,
//! "Nurture"): a lengthened program wakes a lead that was exhausted there, and a
//! program the policy no longer defines is treated as having no steps.

use chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{EffectKind, Engine, Event, Lead, NurtureEnd, Policy};

fn engine(programs: &str, default: &str) -> Engine {
    let text = format!(
        "[recycle]\nremove_reasons = []\ndefault_program = \"{default}\"\npassive_program = \"{default}\"\ncustomer_program = \"{default}\"\n[recycle.reasons]\n{programs}"
    );
    let policy = Policy::from_toml_str(&text).expect("test policy is valid");
    Engine::new(policy).expect("test policy is valid")
}

fn t(hours: i64) -> DateTime<Utc> {
    "2026-01-05T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::hours(hours)
}

fn touch(kind: &str, at: DateTime<Utc>) -> Event {
    Event::touch("L1", at, kind)
}

/// A lead recycled at hour 2 into `p1` (its first step sent at once).
fn recycled_into_p1(engine: &Engine) -> Lead {
    let (mut lead, _) = engine.create(&Event::created("L1", t(0), "web")).unwrap();
    engine
        .step(&mut lead, &touch("demo_request", t(1)))
        .unwrap();
    let disqualified = Event::disqualified("L1", t(2), "R1", "bad_timing");
    engine.step(&mut lead, &disqualified).unwrap();
    assert_eq!(lead.nurture().unwrap().program, "p1");
    lead
}

#[test]
fn lengthened_program_wakes_a_lead_exhausted_there() {
    let one_step = engine("[programs.p1]\ncadence_days = 1\nsteps = [\"a\"]\n", "p1");
    let mut lead = recycled_into_p1(&one_step);
    // p1 completes after a day and hands the lead to the default, p1 itself: exhausted.
    let effects = one_step.advance(&mut lead, t(2 + 24));
    assert!(effects
        .iter()
        .any(|e| matches!(e.kind, EffectKind::NurtureAssigned { step: 1, .. })));
    assert_eq!(
        lead.next_deadline(),
        None,
        "an exhausted lead has nothing due"
    );

    let two_steps = engine(
        "[programs.p1]\ncadence_days = 1\nsteps = [\"a\", \"b\"]\n",
        "p1",
    );
    two_steps
        .step(&mut lead, &touch("email_open", t(30)))
        .unwrap();
    assert_eq!(
        lead.next_deadline(),
        Some(t(30)),
        "the new step falls due at once"
    );
    let effects = two_steps.advance(&mut lead, t(30));
    let sent: Vec<&str> = effects
        .iter()
        .filter_map(|e| match &e.kind {
            EffectKind::NurtureStepDue { content, .. } => Some(content.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, ["b"]);
}

#[test]
fn program_no_longer_defined_completes_and_hands_the_lead_on() {
    let before = engine(
        "[programs.p1]\ncadence_days = 1\nsteps = [\"a\", \"b\"]\n",
        "p1",
    );
    let mut lead = recycled_into_p1(&before);
    let after = engine("[programs.p2]\ncadence_days = 1\nsteps = [\"c\"]\n", "p2");
    let effects = after.advance(&mut lead, t(2 + 24));
    let kinds: Vec<&EffectKind> = effects.iter().map(|e| &e.kind).collect();
    assert!(
        matches!(
            kinds.as_slice(),
            [
                EffectKind::NurtureEnded { program, step: 0, why: NurtureEnd::Completed, .. },
                EffectKind::NurtureAssigned { reason, .. },
                EffectKind::NurtureStepDue { content, .. },
            ] if program == "p1" && reason == "completed" && content == "c"
        ),
        "{kinds:?}"
    );
    assert_eq!(lead.nurture().unwrap().program, "p2");
}

#[test]
fn a_shorter_dedupe_window_forgets_older_ids_at_the_next_step_even_at_the_same_time() {
    let window = |days: u32| {
        let policy = Policy::from_toml_str(&format!("dedupe_window_days = {days}"))
            .expect("test policy is valid");
        Engine::new(policy).expect("test policy is valid")
    };
    let month = window(30);
    let (mut lead, _) = month
        .create(&Event::created("L1", t(0), "web").with_id("e0"))
        .unwrap();
    month
        .step(&mut lead, &touch("email_open", t(24)).with_id("e1"))
        .unwrap();
    month
        .step(&mut lead, &touch("email_open", t(96)).with_id("e2"))
        .unwrap();
    let ids = |lead: &Lead| -> Vec<String> {
        lead.applied_ids()
            .iter()
            .map(|a| a.id.as_str().to_owned())
            .collect()
    };
    assert_eq!(ids(&lead), ["e0", "e1", "e2"]);
    // Under a one-day window, a step at the lead's own clock leaves only the ids of the
    // last day before it: e0 (4 days back) and e1 (3 days back) are forgotten.
    let day = window(1);
    day.step(&mut lead, &touch("email_open", t(96)).with_id("e3"))
        .unwrap();
    assert_eq!(lead.clock(), t(96), "the clock did not move");
    assert_eq!(ids(&lead), ["e2", "e3"]);
}
