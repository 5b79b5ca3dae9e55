//! `Engine::disposition_of`: the disposition a recycling event would get, asked before
//! the event is applied. `tests/rules_properties.rs` checks over random streams that it
//! is what the step then does; these pin its edges.

use leadcycle::chrono::{DateTime, TimeDelta, Utc};
use leadcycle::{Disposition, EffectKind, Engine, Event, Lead, Policy, Reason};

fn t(hours: i64) -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::hours(hours)
}

fn engine() -> Engine {
    Engine::new(Policy::default()).expect("the default policy is valid")
}

fn lead(engine: &Engine) -> Lead {
    engine
        .create(&Event::created("L1", t(0), "webinar"))
        .expect("created")
        .0
}

#[test]
fn an_event_that_does_not_recycle_has_no_disposition_and_adds_no_effect() {
    let engine = engine();
    let lead = lead(&engine);
    let mut out = Vec::new();
    for event in [
        Event::touch("L1", t(1), "email_open"),
        Event::unsubscribed("L1", t(1)),
        Event::created("L1", t(1), "webinar"),
    ] {
        assert_eq!(
            engine.disposition_of(&lead, &event, &mut out),
            None,
            "{event:?}"
        );
    }
    assert!(out.is_empty());
}

#[test]
fn a_reason_the_policy_removes_for_is_a_removal_whatever_program_the_rep_names() {
    let engine = engine();
    let lead = lead(&engine);
    let event = Event::disqualified("L1", t(1), "R7", "bad_data").with_program("timing_drip");
    let mut out = Vec::new();
    assert_eq!(
        engine.disposition_of(&lead, &event, &mut out),
        Some(Disposition::Remove {
            reason: Reason::named("bad_data")
        })
    );
}

#[test]
fn a_lead_that_unsubscribed_is_removed_not_nurtured() {
    let engine = engine();
    let mut lead = lead(&engine);
    engine
        .step(&mut lead, &Event::unsubscribed("L1", t(1)))
        .expect("unsubscribed");
    let event = Event::disqualified("L1", t(2), "R7", "bad_timing");
    assert_eq!(
        engine.disposition_of(&lead, &event, &mut Vec::new()),
        Some(Disposition::Remove {
            reason: Reason::Unsubscribed
        })
    );
}

#[test]
fn the_reps_extension_program_wins_over_the_reasons_program() {
    let engine = engine();
    let lead = lead(&engine);
    let event = Event::disqualified("L1", t(1), "R7", "bad_timing").with_program("general_nurture");
    assert_eq!(
        engine.disposition_of(&lead, &event, &mut Vec::new()),
        Some(Disposition::Nurture {
            program: "general_nurture",
            step: 0
        })
    );
}

#[test]
fn the_answer_before_a_rejection_is_the_nurture_its_step_then_assigns() {
    let engine = engine();
    let mut lead = lead(&engine);
    for event in [
        Event::touch("L1", t(1), "demo_request"),
        Event::sales_accepted("L1", t(2), "R7"),
    ] {
        engine.step(&mut lead, &event).expect("applies");
    }
    let rejected = Event::sales_rejected("L1", t(3), "R7", "no_budget");
    let mut out = Vec::new();
    let told = engine.disposition_of(&lead, &rejected, &mut out);
    let effects = engine
        .step(&mut lead, &rejected)
        .expect("a SAL can be rejected");
    let assigned = effects.iter().find_map(|e| match &e.kind {
        EffectKind::NurtureAssigned { program, step, .. } => Some((program.as_str(), *step)),
        _ => None,
    });
    assert_eq!(
        told,
        Some(Disposition::Nurture {
            program: "budget_cycle",
            step: 0
        })
    );
    assert_eq!(assigned, Some(("budget_cycle", 0)), "{effects:?}");
    assert!(out.is_empty());
}
