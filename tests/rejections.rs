//! One test per `rejected.kind`, through the engine directly (`Engine::create`,
//! `Engine::step`, `Engine::merge`), not the book: each asserts the `StepError` variant
//! and its `kind()`, and what the refusal left behind (CONTRACT.md, "Time"). Each
//! refused event comes after a deadline that is due:
//!
//! - a refusal judged before the lead's deadlines are looked at (`malformed`,
//!   `duplicate_lead`, `duplicate_event`, `out_of_order`, `removed_lead` for a lead
//!   already removed) leaves the lead exactly as it was, and the deadline still due;
//! - a refusal judged against the lead's stage (`illegal_transition`,
//!   `unknown_program`, `removed_lead` when a deadline removed the lead) comes after
//!   the deadlines fired: the lead and the effects are exactly what advancing the lead
//!   to the event's time gives, and the refusal names the stage the lead is really in.
//!
//! Two kinds only arise in a `LeadBook`, which owns the lead ids and the tick watermark:
//! `unknown_lead` (the engine is always handed a lead) and `out_of_order` against the
//! last tick. Those are tested through `LeadBook::try_apply`, with the book's snapshot
//! compared before and after.

use leadcycle::{Effect, Engine, Event, EventType, Lead, LeadBook, Policy, RejectKind};
use leadcycle::{Stage, StepError};

fn engine() -> Engine {
    Engine::new(Policy::default()).expect("the default policy is valid")
}

fn ev(json: &str) -> Event {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test event {json}: {e}"))
}

/// L-`id` created on Jan 5 at 10:00 and made an MQL by a demo request at 11:00: its
/// respond deadline is Jan 7, 11:00.
fn mql(engine: &Engine, id: &str) -> Lead {
    let created = ev(&format!(
        r#"{{"type":"created","lead":"{id}","at":"2026-01-05T10:00:00Z","source":"webinar"}}"#
    ));
    let (mut lead, _) = engine.create(&created).expect("created");
    step(
        engine,
        &mut lead,
        &format!(
            r#"{{"type":"touch","lead":"{id}","at":"2026-01-05T11:00:00Z","kind":"demo_request","id":"e-1"}}"#
        ),
    );
    assert_eq!(lead.stage(), Stage::Mql);
    lead
}

fn step(engine: &Engine, lead: &mut Lead, json: &str) -> Vec<Effect> {
    engine
        .step(lead, &ev(json))
        .unwrap_or_else(|e| panic!("{json} refused: {e}"))
}

/// An effect already in the buffer before a refused step: it must stay first.
fn marker() -> Effect {
    serde_json::from_str(
        r#"{"type":"rule_failed","hook":"marker","error":"an effect already in the buffer","fallback":"kept","lead":null,"at":null}"#,
    )
    .expect("a valid effect")
}

/// Steps `lead` with `event`, which must be refused before its deadlines are looked at:
/// the lead and the effect buffer are left exactly as they were.
fn refused(engine: &Engine, lead: &mut Lead, event: &Event) -> StepError {
    let before = lead.clone();
    let mut out = vec![marker()];
    let err = engine
        .step_into(lead, event, &mut out)
        .expect_err("the event must be refused");
    assert_eq!(*lead, before, "a refused event changed the lead");
    assert_eq!(out, vec![marker()], "a refused event left effects behind");
    let rejection = engine.step(lead, event).expect_err("refused again");
    assert_eq!(rejection.error, err);
    assert!(rejection.fired.is_empty(), "{:?}", rejection.fired);
    err
}

/// Steps `lead` with `event`, which must be refused for the stage the lead is in once
/// its due deadlines fired: those fired first and stand, so the lead and the effects
/// are exactly what advancing the lead to the event's time gives.
fn refused_after_deadlines(engine: &Engine, lead: &mut Lead, event: &Event) -> StepError {
    let mut expected = lead.clone();
    let fired = engine.advance(&mut expected, event.at());
    assert!(
        !fired.is_empty(),
        "the test needs a deadline due before the event"
    );
    let mut again = lead.clone();
    let mut out = vec![marker()];
    let err = engine
        .step_into(lead, event, &mut out)
        .expect_err("the event must be refused");
    assert_eq!(
        *lead, expected,
        "the lead is where its deadlines alone take it"
    );
    assert_eq!(out[0], marker());
    assert_eq!(
        out[1..],
        fired[..],
        "the deadlines' effects stand, in order"
    );
    let rejection = engine.step(&mut again, event).expect_err("refused");
    assert_eq!(rejection.error, err);
    assert_eq!(rejection.fired, fired);
    let effects = rejection.into_effects(event);
    assert!(matches!(
        effects.last().map(|e| &e.kind),
        Some(leadcycle::EffectKind::Rejected { .. })
    ));
    err
}

/// The lead has a deadline due at or before the event: had the refused event fired
/// deadlines, the lead would have changed.
fn assert_due(lead: &Lead, event: &Event) {
    let due = lead.next_deadline().expect("the lead has a deadline");
    assert!(
        due <= event.at(),
        "deadline {due} is not due at {}",
        event.at()
    );
}

/// The deadline that was due is still there to fire, and fires.
fn assert_still_fires(engine: &Engine, lead: &mut Lead, event: &Event) {
    let effects = engine.advance(lead, event.at());
    assert!(
        !effects.is_empty(),
        "the due deadline should still fire after the refusal"
    );
}

fn assert_kind(err: &StepError, kind: RejectKind, wire: &str) {
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(kind.as_str(), wire);
    assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(wire));
}

#[test]
fn unknown_lead_is_refused_by_the_book_and_changes_nothing() {
    let engine = engine();
    let mut book = LeadBook::new();
    let created =
        ev(r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#);
    let mut out = Vec::new();
    book.try_apply(&engine, &created, &mut out).unwrap();
    let before = book.snapshot();

    for json in [
        r#"{"type":"touch","lead":"L9","at":"2026-01-06T10:00:00Z","kind":"email_click"}"#,
        // A merge needs the survivor too.
        r#"{"type":"merged","lead":"L1","at":"2026-01-06T10:00:00Z","into":"L9"}"#,
    ] {
        let mut out = Vec::new();
        let err = book
            .try_apply(&engine, &ev(json), &mut out)
            .expect_err(json);
        assert!(
            matches!(&err, StepError::UnknownLead { lead, .. } if lead.as_str() == "L9"),
            "{err:?}"
        );
        assert_kind(&err, RejectKind::UnknownLead, "unknown_lead");
        assert!(out.is_empty());
        assert_eq!(book.snapshot(), before);
    }
}

#[test]
fn duplicate_lead_created_event_on_an_existing_lead() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event =
        ev(r#"{"type":"created","lead":"L1","at":"2026-01-08T10:00:00Z","source":"list_import"}"#);
    assert_due(&lead, &event);
    let err = refused(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::DuplicateLead { lead } if lead.as_str() == "L1"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::DuplicateLead, "duplicate_lead");
    assert_still_fires(&engine, &mut lead, &event);
}

#[test]
fn duplicate_event_id_already_applied() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    // e-1 was the demo request; redelivered two days later.
    let event = ev(
        r#"{"type":"touch","lead":"L1","at":"2026-01-08T10:00:00Z","kind":"demo_request","id":"e-1"}"#,
    );
    assert_due(&lead, &event);
    let err = refused(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::DuplicateEvent { lead, id } if lead.as_str() == "L1" && id.as_str() == "e-1"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::DuplicateEvent, "duplicate_event");
    assert_still_fires(&engine, &mut lead, &event);
}

#[test]
fn illegal_transition_from_the_leads_stage() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event = ev(
        r#"{"type":"opportunity_won","lead":"L1","at":"2026-01-08T10:00:00Z","opportunity":"O-1"}"#,
    );
    assert_due(&lead, &event);
    let err = refused_after_deadlines(&engine, &mut lead, &event);
    assert!(
        matches!(
            &err,
            StepError::IllegalTransition {
                lead,
                stage: Stage::Mql,
                event: EventType::OpportunityWon,
                legal_from: [Stage::Opportunity],
            } if lead.as_str() == "L1"
        ),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::IllegalTransition, "illegal_transition");
}

#[test]
fn illegal_transition_is_judged_after_the_leads_due_deadlines() {
    // After its idle limit (Jan 12, 11:00) the MQL was passively recycled, so
    // `sales_qualified` (legal from mql, sal) on Jan 13 is illegal, and the stage named
    // is the one the deadlines moved it to. The recycle stands.
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event =
        ev(r#"{"type":"sales_qualified","lead":"L1","at":"2026-01-13T10:00:00Z","rep":"R7"}"#);
    assert_due(&lead, &event);
    let err = refused_after_deadlines(&engine, &mut lead, &event);
    assert!(
        matches!(
            &err,
            StepError::IllegalTransition {
                stage: Stage::Recycled,
                event: EventType::SalesQualified,
                ..
            }
        ),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::IllegalTransition, "illegal_transition");
    assert_eq!(lead.stage(), Stage::Recycled);
}

#[test]
fn out_of_order_event_older_than_the_leads_last_event() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    step(
        &engine,
        &mut lead,
        r#"{"type":"touch","lead":"L1","at":"2026-01-06T10:00:00Z","kind":"email_click"}"#,
    );
    let event =
        ev(r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"email_open"}"#);
    let err = refused(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::OutOfOrder { lead: Some(l), event: EventType::Touch, after, .. }
            if l.as_str() == "L1" && *after == lead.clock()),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::OutOfOrder, "out_of_order");
}

#[test]
fn out_of_order_merge_older_than_the_survivors_last_event() {
    let engine = engine();
    let mut dup = mql(&engine, "L2");
    let mut survivor = mql(&engine, "L1");
    step(
        &engine,
        &mut survivor,
        r#"{"type":"touch","lead":"L1","at":"2026-01-06T10:00:00Z","kind":"email_click"}"#,
    );
    let event = ev(r#"{"type":"merged","lead":"L2","at":"2026-01-06T09:00:00Z","into":"L1"}"#);
    let (dup_before, survivor_before) = (dup.clone(), survivor.clone());
    let rejection = engine
        .merge(&mut dup, &mut survivor, &event)
        .expect_err("refused");
    assert!(rejection.fired.is_empty(), "nothing fires for out_of_order");
    let err = rejection.error;
    assert!(
        matches!(&err, StepError::OutOfOrder { lead: Some(l), event: EventType::Merged, .. } if l.as_str() == "L1"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::OutOfOrder, "out_of_order");
    assert_eq!(dup, dup_before);
    assert_eq!(survivor, survivor_before);
}

#[test]
fn out_of_order_against_the_last_tick_is_refused_by_the_book() {
    let engine = engine();
    let mut book = LeadBook::new();
    for json in [
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
        r#"{"type":"tick","at":"2026-01-08T00:00:00Z"}"#,
    ] {
        book.try_apply(&engine, &ev(json), &mut Vec::new()).unwrap();
    }
    let before = book.snapshot();
    for json in [
        // Older than the last tick, though not than the lead's own last event.
        r#"{"type":"touch","lead":"L1","at":"2026-01-07T10:00:00Z","kind":"email_click"}"#,
        // A tick older than the last tick.
        r#"{"type":"tick","at":"2026-01-07T00:00:00Z"}"#,
    ] {
        let mut out = Vec::new();
        let err = book
            .try_apply(&engine, &ev(json), &mut out)
            .expect_err(json);
        assert!(
            matches!(&err, StepError::OutOfOrder { what, .. } if *what == "the last tick"),
            "{err:?}"
        );
        assert_kind(&err, RejectKind::OutOfOrder, "out_of_order");
        assert!(out.is_empty());
        assert_eq!(book.snapshot(), before);
    }
}

#[test]
fn unknown_program_chosen_by_the_rep() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event = ev(
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-08T10:00:00Z","rep":"R7","reason":"bad_timing","program":"vip_drip"}"#,
    );
    assert_due(&lead, &event);
    let err = refused_after_deadlines(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::UnknownProgram { lead, program, event: EventType::Disqualified, .. }
            if lead.as_str() == "L1" && program == "vip_drip"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::UnknownProgram, "unknown_program");
}

#[test]
fn removed_lead_takes_no_more_events() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    step(
        &engine,
        &mut lead,
        r#"{"type":"contact_lost","lead":"L1","at":"2026-01-06T10:00:00Z","cause":"bounced"}"#,
    );
    assert_eq!(lead.stage(), Stage::Removed);
    assert_eq!(lead.next_deadline(), None, "a removed lead has no deadline");
    let event =
        ev(r#"{"type":"touch","lead":"L1","at":"2026-01-08T10:00:00Z","kind":"email_click"}"#);
    let err = refused(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::RemovedLead { lead, reason, event: EventType::Touch }
            if lead.as_str() == "L1" && reason == "bounced"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::RemovedLead, "removed_lead");
}

#[test]
fn removed_lead_when_its_own_idle_timer_would_remove_it_first() {
    // An unsubscribed SAL is removed, not recycled, at its idle limit (Jan 27, 10:00).
    // A call after that is refused as `removed_lead`, after the removal it names.
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    step(
        &engine,
        &mut lead,
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-06T10:00:00Z","rep":"R7"}"#,
    );
    step(
        &engine,
        &mut lead,
        r#"{"type":"unsubscribed","lead":"L1","at":"2026-01-07T10:00:00Z"}"#,
    );
    let event =
        ev(r#"{"type":"sales_attempt","lead":"L1","at":"2026-02-01T10:00:00Z","rep":"R7"}"#);
    assert_due(&lead, &event);
    let err = refused_after_deadlines(&engine, &mut lead, &event);
    assert!(
        matches!(&err, StepError::RemovedLead { reason, .. } if reason == "unsubscribed"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::RemovedLead, "removed_lead");
    assert_eq!(lead.stage(), Stage::Removed);
}

#[test]
fn removed_lead_as_duplicate_or_survivor_of_a_merge() {
    let engine = engine();
    let mut removed = mql(&engine, "L1");
    step(
        &engine,
        &mut removed,
        r#"{"type":"contact_lost","lead":"L1","at":"2026-01-06T10:00:00Z","cause":"bounced"}"#,
    );
    let live = mql(&engine, "L2");
    // Both leads' due deadlines (the live lead's respond deadline, Jan 7) fire before
    // either is checked for removal, and stand; then the removed lead is named, the
    // event's own lead first. So which lead is named, and what fired, never depends on
    // whether a tick came between.
    for (dup_is_removed, json) in [
        (
            true,
            r#"{"type":"merged","lead":"L1","at":"2026-01-08T10:00:00Z","into":"L2"}"#,
        ),
        (
            false,
            r#"{"type":"merged","lead":"L2","at":"2026-01-08T10:00:00Z","into":"L1"}"#,
        ),
    ] {
        let event = ev(json);
        let (mut removed, mut live) = (removed.clone(), live.clone());
        assert_due(&live, &event);
        let mut expected_live = live.clone();
        let fired = engine.advance(&mut expected_live, event.at());
        let removed_before = removed.clone();
        let rejection = if dup_is_removed {
            engine.merge(&mut removed, &mut live, &event)
        } else {
            engine.merge(&mut live, &mut removed, &event)
        }
        .expect_err(json);
        let err = &rejection.error;
        assert!(
            matches!(err, StepError::RemovedLead { lead, event: EventType::Merged, .. } if lead.as_str() == "L1"),
            "{err:?}"
        );
        assert_kind(err, RejectKind::RemovedLead, "removed_lead");
        assert_eq!(removed, removed_before);
        assert_eq!(live, expected_live, "the live lead's deadline fired");
        assert_eq!(rejection.fired, fired);
    }
}

#[test]
fn removed_lead_names_the_duplicate_a_deadline_removed_before_a_removed_survivor() {
    // L2 unsubscribed as a SAL: its idle limit (Jan 27, 10:00) removes it. The survivor
    // L1 was removed already. A merge on Feb 1 fires L2's deadlines first, then names
    // L2, the event's own lead — as it would had a tick removed L2 before the merge.
    let engine = engine();
    let mut survivor = mql(&engine, "L1");
    step(
        &engine,
        &mut survivor,
        r#"{"type":"contact_lost","lead":"L1","at":"2026-01-06T10:00:00Z","cause":"bounced"}"#,
    );
    let mut dup = mql(&engine, "L2");
    step(
        &engine,
        &mut dup,
        r#"{"type":"sales_accepted","lead":"L2","at":"2026-01-06T10:00:00Z","rep":"R7"}"#,
    );
    step(
        &engine,
        &mut dup,
        r#"{"type":"unsubscribed","lead":"L2","at":"2026-01-07T10:00:00Z"}"#,
    );
    let event = ev(r#"{"type":"merged","lead":"L2","at":"2026-02-01T10:00:00Z","into":"L1"}"#);
    let mut ticked = dup.clone();
    let fired = engine.advance(&mut ticked, event.at());
    assert_eq!(ticked.stage(), Stage::Removed);
    let rejection = engine
        .merge(&mut dup, &mut survivor, &event)
        .expect_err("refused");
    assert!(
        matches!(&rejection.error, StepError::RemovedLead { lead, reason, .. }
            if lead.as_str() == "L2" && reason == "unsubscribed"),
        "{:?}",
        rejection.error
    );
    assert_eq!(rejection.fired, fired);
    assert_eq!(dup, ticked);
    // With the removal fired by a tick first, the merge names the same lead.
    let mut survivor_again = survivor.clone();
    let again = engine
        .merge(&mut ticked, &mut survivor_again, &event)
        .expect_err("refused");
    assert_eq!(again.error, rejection.error);
    assert!(again.fired.is_empty());
}

#[test]
fn malformed_merge_into_itself() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let mut same = lead.clone();
    let event = ev(r#"{"type":"merged","lead":"L1","at":"2026-01-08T10:00:00Z","into":"L1"}"#);
    assert_due(&lead, &event);
    let before = lead.clone();
    let rejection = engine
        .merge(&mut lead, &mut same, &event)
        .expect_err("refused");
    assert!(
        rejection.fired.is_empty(),
        "nothing fires for a malformed event"
    );
    let err = rejection.error;
    assert!(
        matches!(&err, StepError::Malformed { lead: Some(l), .. } if l.as_str() == "L1"),
        "{err:?}"
    );
    assert_kind(&err, RejectKind::Malformed, "malformed");
    assert_eq!(lead, before);
    assert_eq!(same, before);
    assert_still_fires(&engine, &mut lead, &event);
}

// ---------------------------------------------------------------------------------
// `malformed`, one test per shape. An event value always has the shape the contract
// gives it (a tick names no lead, every other type names one): the JSON parser refuses
// the others (tests/contract.rs, `tick_with_a_lead_...`, `event_other_than_tick_...`)
// and the typed API cannot build them. What is left is judged before the deadlines.

/// Asserts a refusal judged before the deadlines is `malformed`, and its message.
fn assert_malformed(err: &StepError, says: &[&str]) {
    assert_kind(err, RejectKind::Malformed, "malformed");
    let message = err.to_string();
    for part in says {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

#[test]
fn malformed_event_for_another_lead_than_the_one_stepped() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event =
        ev(r#"{"type":"touch","lead":"L2","at":"2026-01-08T10:00:00Z","kind":"email_click"}"#);
    assert_due(&lead, &event);
    let err = refused(&engine, &mut lead, &event);
    assert_malformed(&err, &["for lead L2 was applied to lead L1"]);
    assert_still_fires(&engine, &mut lead, &event);
}

#[test]
fn malformed_merge_stepped_without_its_survivor() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let event = ev(r#"{"type":"merged","lead":"L1","at":"2026-01-08T10:00:00Z","into":"L2"}"#);
    assert_due(&lead, &event);
    let err = refused(&engine, &mut lead, &event);
    assert_malformed(&err, &["lead L1", "Engine::merge"]);
}

#[test]
fn malformed_merge_given_another_survivor_than_it_names() {
    let engine = engine();
    let (mut lead, mut other) = (mql(&engine, "L1"), mql(&engine, "L3"));
    let (lead_before, other_before) = (lead.clone(), other.clone());
    let event = ev(r#"{"type":"merged","lead":"L1","at":"2026-01-08T10:00:00Z","into":"L2"}"#);
    let rejection = engine
        .merge(&mut lead, &mut other, &event)
        .expect_err("refused");
    assert!(rejection.fired.is_empty());
    assert_malformed(&rejection.error, &["names survivor L2", "lead L3"]);
    assert_eq!((lead, other), (lead_before, other_before));
}

#[test]
fn malformed_event_of_another_type_given_to_engine_merge() {
    let engine = engine();
    let (mut lead, mut other) = (mql(&engine, "L1"), mql(&engine, "L2"));
    let (lead_before, other_before) = (lead.clone(), other.clone());
    for json in [
        r#"{"type":"touch","lead":"L1","at":"2026-01-08T10:00:00Z","kind":"email_click"}"#,
        r#"{"type":"tick","at":"2026-01-08T10:00:00Z"}"#,
    ] {
        let rejection = engine
            .merge(&mut lead, &mut other, &ev(json))
            .expect_err("refused");
        assert!(rejection.fired.is_empty());
        assert_malformed(&rejection.error, &["Engine::merge takes a `merged` event"]);
    }
    assert_eq!((lead, other), (lead_before, other_before));
}

#[test]
fn malformed_event_of_another_type_given_to_engine_create() {
    let engine = engine();
    for event in [
        ev(r#"{"type":"touch","lead":"L3","at":"2026-01-08T10:00:00Z","kind":"email_click"}"#),
        Event::tick("2026-01-08T10:00:00Z".parse().unwrap()),
    ] {
        let err = engine.create(&event).expect_err("refused");
        assert_malformed(&err, &["Engine::create takes a `created` event"]);
    }
}

#[test]
fn a_tick_handed_to_engine_step_fires_the_leads_deadlines_like_advance() {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    let mut advanced = lead.clone();
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let fired = engine
        .step(&mut lead, &Event::tick(at))
        .expect("a tick applies");
    assert_eq!(fired, engine.advance(&mut advanced, at));
    assert!(!fired.is_empty());
    assert_eq!(lead, advanced);
}

#[test]
fn a_tick_cannot_be_given_a_lead_through_the_typed_api() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let mut tick = Event::tick(at).with_id("t-1").with_program("p");
    assert_eq!(tick.lead(), None);
    assert!(tick.lead_mut().is_none(), "no handle to give a tick a lead");
    // A setter for a field a tick does not have changes nothing but is remembered.
    assert_eq!(tick.unknown_fields(), ["program"]);
    let mut touch = Event::touch("L1", at, "email_click");
    *touch.lead_mut().expect("a touch names its lead") = "L2".into();
    assert_eq!(touch.lead().unwrap().as_str(), "L2");
}

/// An event whose `field` is an empty string: the line of `json` with `field` set to
/// `""` (and, for the lead, as a new lead's `created` too).
fn with_empty(json: &str, field: &str) -> Event {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).unwrap();
    object.insert(field.to_owned(), "".into());
    serde_json::from_value(object.into()).unwrap()
}

/// Steps the MQL `L1` (whose respond deadline is due) with the event, which must be
/// refused as malformed before its deadlines, naming the empty field.
fn assert_empty_field_refused(event: &Event, field: &str) {
    let engine = engine();
    let mut lead = mql(&engine, "L1");
    assert_due(&lead, event);
    let err = refused(&engine, &mut lead, event);
    assert!(
        matches!(&err, StepError::EmptyField { field: f, .. } if *f == field),
        "{err:?}"
    );
    assert_malformed(&err, &[&format!("has an empty `{field}`")]);
}

#[test]
fn malformed_empty_lead_whether_parsed_or_built() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let engine = engine();
    // A new lead without an id, parsed or built.
    let created = r#"{"type":"created","lead":"L9","at":"2026-01-08T10:00:00Z","source":"web"}"#;
    for event in [with_empty(created, "lead"), Event::created("", at, "web")] {
        let err = engine.create(&event).expect_err("refused");
        assert_malformed(&err, &["`created` has an empty `lead`"]);
    }
    // In a book an empty lead is malformed, not an unknown lead.
    let mut book = LeadBook::new();
    let touch = r#"{"type":"touch","lead":"L1","at":"2026-01-08T10:00:00Z","kind":"email_click"}"#;
    for event in [
        with_empty(touch, "lead"),
        Event::touch("", at, "email_click"),
    ] {
        let err = book
            .try_apply(&engine, &event, &mut Vec::new())
            .expect_err("refused");
        assert!(
            matches!(
                &err,
                StepError::EmptyField {
                    lead: None,
                    field: "lead",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert!(book.is_empty());
}

#[test]
fn malformed_empty_rep_whether_parsed_or_built() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let json = r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T10:00:00Z","rep":"R7"}"#;
    assert_empty_field_refused(&with_empty(json, "rep"), "rep");
    assert_empty_field_refused(&Event::sales_attempt("L1", at, ""), "rep");
}

#[test]
fn malformed_empty_reason_whether_parsed_or_built() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let json = r#"{"type":"sales_rejected","lead":"L1","at":"2026-01-08T10:00:00Z","rep":"R7","reason":"no_budget"}"#;
    assert_empty_field_refused(&with_empty(json, "reason"), "reason");
    assert_empty_field_refused(&Event::disqualified("L1", at, "R7", ""), "reason");
    assert_empty_field_refused(&Event::opportunity_lost("L1", at, "O1", ""), "reason");
}

#[test]
fn malformed_empty_program_whether_parsed_or_built() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let json = r#"{"type":"sales_rejected","lead":"L1","at":"2026-01-08T10:00:00Z","rep":"R7","reason":"no_budget"}"#;
    assert_empty_field_refused(&with_empty(json, "program"), "program");
    let built = Event::recycled("L1", at, "R7", "no_budget").with_program("");
    assert_empty_field_refused(&built, "program");
}

#[test]
fn malformed_empty_into_whether_parsed_or_built() {
    let at = "2026-01-08T10:00:00Z".parse().unwrap();
    let engine = engine();
    let json = r#"{"type":"merged","lead":"L1","at":"2026-01-08T10:00:00Z","into":"L2"}"#;
    for event in [with_empty(json, "into"), Event::merged("L1", at, "")] {
        // Through the engine ...
        let (mut lead, mut survivor) = (mql(&engine, "L1"), mql(&engine, "L2"));
        let rejection = engine
            .merge(&mut lead, &mut survivor, &event)
            .expect_err("refused");
        assert!(rejection.fired.is_empty());
        assert_malformed(&rejection.error, &["`merged` has an empty `into`"]);
        // ... and in a book, where it is malformed rather than an unknown survivor.
        let mut book = LeadBook::new();
        book.apply(
            &engine,
            &ev(r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web"}"#),
        );
        let before = serde_json::to_string(&book.snapshot()).unwrap();
        let err = book
            .try_apply(&engine, &event, &mut Vec::new())
            .expect_err("refused");
        assert!(
            matches!(&err, StepError::EmptyField { field: "into", .. }),
            "{err:?}"
        );
        assert_eq!(serde_json::to_string(&book.snapshot()).unwrap(), before);
    }
}

#[test]
fn malformed_time_fails_to_parse_naming_the_field_and_the_value() {
    let err = serde_json::from_str::<Event>(
        r#"{"type":"touch","lead":"L1","at":"2026-02-30","kind":"email_open"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(r#"at: "2026-02-30" is not an RFC 3339 time"#),
        "{err}"
    );
    let err = serde_json::from_str::<Event>(
        r#"{"type":"touch","lead":"L1","at":"2026-02-30T10:00:00Z","kind":"email_open"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(r#"at: "2026-02-30T10:00:00Z" is not an RFC 3339 time"#),
        "{err}"
    );
    let err = serde_json::from_str::<Event>(
        r#"{"type":"touch","lead":"L1","at":1767607200,"kind":"email_open"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`at` as an RFC 3339 time"), "{err}");
}
