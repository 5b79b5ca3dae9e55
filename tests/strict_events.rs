//! The policy's `strict_events` (docs/semantics.md, "Events and effects"): off by
//! default, an event's unknown fields are ignored and an unknown recycle reason goes to
//! `recycle.default_program`; on, either is refused as `malformed`, naming what was
//! wrong, before the lead's deadlines are looked at (so the refusal changes nothing).

use leadcycle::{
    Effect, EffectKind, Engine, Event, LeadBook, Policy, RejectKind, Stage, StepError,
};

fn engine(strict: bool) -> Engine {
    let policy: Policy = toml::from_str(&format!("strict_events = {strict}\n"))
        .expect("strict_events is a top-level policy key");
    Engine::new(policy).expect("the default policy is valid")
}

fn ev(json: &str) -> Event {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test event {json}: {e}"))
}

/// A book holding `L1`, made an MQL by a demo request and accepted by R7 (a SAL).
fn book_with_sal(engine: &Engine) -> LeadBook {
    let mut book = LeadBook::new();
    for json in [
        r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"web"}"#,
        r#"{"type":"touch","lead":"L1","at":"2026-01-05T11:00:00Z","kind":"demo_request"}"#,
        r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-06T10:00:00Z","rep":"R7"}"#,
    ] {
        let effects = book.apply(engine, &ev(json));
        assert!(!effects.iter().any(is_rejected), "{effects:?}");
    }
    book
}

fn is_rejected(e: &Effect) -> bool {
    matches!(e.kind, EffectKind::Rejected { .. })
}

fn snapshot(book: &LeadBook) -> String {
    serde_json::to_string(&book.snapshot()).unwrap()
}

/// Applies the event to the book, which must refuse it as malformed and stay as it was,
/// with no effect but the refusal; returns the error.
fn refused(engine: &Engine, book: &mut LeadBook, event: &Event) -> StepError {
    let before = snapshot(book);
    let mut out = Vec::new();
    let err = book
        .try_apply(engine, event, &mut out)
        .expect_err("the event must be refused");
    assert_eq!(err.kind(), RejectKind::Malformed, "{err}");
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(snapshot(book), before, "a refused event changed the book");
    err
}

const MISSPELT_PROGRAM: &str = r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timing","programme":"competitive_displacement"}"#;

#[test]
fn strict_events_is_off_by_default() {
    assert!(!Policy::default().strict_events);
    let policy: Policy = toml::from_str("").unwrap();
    assert!(!policy.strict_events);
}

#[test]
fn unknown_field_is_ignored_when_strict_events_is_off() {
    let engine = engine(false);
    let mut book = book_with_sal(&engine);
    let effects = book.apply(&engine, &ev(MISSPELT_PROGRAM));
    assert!(!effects.iter().any(is_rejected), "{effects:?}");
    // The rep's choice of program is lost: the reason's own program is used.
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.stage(), Stage::Recycled);
    assert_eq!(lead.nurture().unwrap().program, "timing_drip");
}

#[test]
fn unknown_field_is_malformed_under_strict_events_naming_it_and_the_types_fields() {
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    let err = refused(&engine, &mut book, &ev(MISSPELT_PROGRAM));
    assert!(
        matches!(&err, StepError::UnknownField { fields, .. } if fields == &["programme"]),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("lead L1"), "{message}");
    assert!(message.contains("no field `programme`"), "{message}");
    assert!(
        message.contains("type, lead, at, id, rep, reason, program"),
        "{message}"
    );
    // The `rejected` effect echoes the event in the contract's shape: no new keys.
    let effects = book.apply(&engine, &ev(MISSPELT_PROGRAM));
    let json = serde_json::to_value(&effects[0]).unwrap();
    assert_eq!(json["kind"], "malformed");
    assert!(json["event"].get("programme").is_none(), "{json}");
}

#[test]
fn field_of_another_event_type_is_unknown_under_strict_events() {
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    let line = r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","content":"x","kind":"call"}"#;
    let err = refused(&engine, &mut book, &ev(line));
    assert!(
        err.to_string().contains("no fields `content`, `kind`"),
        "{err}"
    );
    // Without strict_events the same line is an attempt like any other.
    let lax = self::engine(false);
    let mut book = book_with_sal(&lax);
    assert!(!book.apply(&lax, &ev(line)).iter().any(is_rejected));
}

#[test]
fn setter_for_a_field_the_type_lacks_is_refused_under_strict_events_like_a_json_key() {
    let at = "2026-01-07T10:00:00Z".parse().unwrap();
    let built = Event::sales_attempt("L1", at, "R7").with_program("competitive_displacement");
    assert_eq!(built.unknown_fields(), ["program"]);
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    let err = refused(&engine, &mut book, &built);
    assert!(err.to_string().contains("no field `program`"), "{err}");
}

#[test]
fn unknown_field_on_a_tick_is_malformed_under_strict_events() {
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    let err = refused(
        &engine,
        &mut book,
        &ev(r#"{"type":"tick","at":"2026-02-01T00:00:00Z","until":"x"}"#),
    );
    assert!(
        err.to_string().contains("expected only type, at, id"),
        "{err}"
    );
    assert_eq!(book.watermark(), None, "the tick was not applied");
}

#[test]
fn unknown_reason_recycles_into_the_default_program_when_strict_events_is_off() {
    let engine = engine(false);
    let mut book = book_with_sal(&engine);
    let line = r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timeing"}"#;
    assert!(!book.apply(&engine, &ev(line)).iter().any(is_rejected));
    let lead = book.get("L1").unwrap();
    assert_eq!(lead.nurture().unwrap().program, "general_nurture");
}

#[test]
fn unknown_reason_is_malformed_under_strict_events_naming_the_reasons_the_policy_knows() {
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    let line = r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timeing"}"#;
    let err = refused(&engine, &mut book, &ev(line));
    assert!(
        matches!(&err, StepError::UnknownReason { reason, .. } if reason == "bad_timeing"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("reason `bad_timeing`"), "{message}");
    // Both the reasons with a program and the remove reasons, in name order.
    assert!(
        message.contains("bad_data, bad_timing, competitor_chosen, no_authority, no_budget, not_a_buyer, wrong_industry"),
        "{message}"
    );
}

#[test]
fn reasons_and_remove_reasons_of_the_policy_are_known_under_strict_events() {
    let engine = engine(true);
    for (reason, stage) in [
        ("no_budget", Stage::Recycled),
        ("not_a_buyer", Stage::Removed),
    ] {
        let mut book = book_with_sal(&engine);
        let line = format!(
            r#"{{"type":"sales_rejected","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"{reason}"}}"#
        );
        let effects = book.apply(&engine, &ev(&line));
        assert!(!effects.iter().any(is_rejected), "{effects:?}");
        assert_eq!(book.get("L1").unwrap().stage(), stage);
    }
}

#[test]
fn strict_refusal_comes_before_the_leads_due_deadlines_and_fires_none() {
    let engine = engine(true);
    let mut book = book_with_sal(&engine);
    // Two weeks after acceptance: the attempts service level is due, but the event is
    // judged on its own first, so nothing fires.
    let line = r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-25T10:00:00Z","rep":"R7","programme":"x"}"#;
    let lead = book.get("L1").unwrap().clone();
    assert!(lead.next_deadline().unwrap() <= ev(line).at());
    refused(&engine, &mut book, &ev(line));
    // Through the engine too: the lead is untouched and no effect is left behind.
    let mut stepped = lead.clone();
    let rejection = engine.step(&mut stepped, &ev(line)).expect_err("refused");
    assert!(rejection.fired.is_empty());
    assert_eq!(stepped, lead);
}

#[test]
fn strict_malformed_comes_before_unknown_lead() {
    let engine = engine(true);
    let mut book = LeadBook::new();
    let line =
        r#"{"type":"touch","lead":"L9","at":"2026-01-07T10:00:00Z","kind":"email_open","x":1}"#;
    let err = refused(&engine, &mut book, &ev(line));
    assert!(matches!(err, StepError::UnknownField { .. }), "{err:?}");
    // The same event without the unknown field is an unknown lead.
    let plain = r#"{"type":"touch","lead":"L9","at":"2026-01-07T10:00:00Z","kind":"email_open"}"#;
    let err = book
        .try_apply(&engine, &ev(plain), &mut Vec::new())
        .expect_err("refused");
    assert_eq!(err.kind(), RejectKind::UnknownLead);
}
