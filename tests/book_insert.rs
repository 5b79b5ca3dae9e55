//! `LeadBook::insert`: a lead taken out of one book and put into another carries on
//! exactly as if it had stayed, and a book refuses a second lead with a held id.

use leadcycle::{Effect, Engine, Event, InsertError, LeadBook, Policy};

fn engine() -> Engine {
    Engine::new(Policy::default()).expect("the default policy is valid")
}

fn ev(json: &str) -> Event {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test event {json}: {e}"))
}

fn json(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .map(|e| serde_json::to_string(e).expect("effects serialize"))
        .collect()
}

/// An MQL (a demo request) with a respond deadline two days later, then a tick past
/// it: the breach must fire in whichever book holds the lead.
fn history() -> (Vec<Event>, Event) {
    let events = vec![
        ev(r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#),
        ev(r#"{"type":"created","lead":"L2","at":"2026-01-05T11:00:00Z","source":"webinar"}"#),
        ev(r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"demo_request"}"#),
    ];
    let tick = ev(r#"{"type":"tick","at":"2026-01-20T00:00:00Z"}"#);
    (events, tick)
}

#[test]
fn a_lead_moved_to_another_book_fires_its_deadlines_there_as_if_it_had_stayed() {
    let engine = engine();
    let (events, tick) = history();

    let mut whole = LeadBook::new();
    for event in &events {
        whole.apply(&engine, event);
    }
    let stayed = whole.apply(&engine, &tick);
    let stayed_l1: Vec<Effect> = stayed
        .into_iter()
        .filter(|e| e.lead.as_ref().map(|l| l.as_str()) == Some("L1"))
        .collect();
    assert!(
        !stayed_l1.is_empty(),
        "the tick fires L1's respond deadline"
    );

    let mut from = LeadBook::new();
    for event in &events {
        from.apply(&engine, event);
    }
    let mut to = LeadBook::new();
    let lead = from.remove("L1").expect("the book holds L1");
    to.insert(lead).expect("the other book does not hold L1");
    let moved = to.apply(&engine, &tick);
    assert_eq!(json(&moved), json(&stayed_l1));
    // And the book it left no longer fires anything for it.
    let left = from.apply(&engine, &tick);
    assert!(left
        .iter()
        .all(|e| e.lead.as_ref().map(|l| l.as_str()) != Some("L1")));
    assert_eq!(
        serde_json::to_value(to.get("L1")).unwrap(),
        serde_json::to_value(whole.get("L1")).unwrap()
    );
}

#[test]
fn inserting_a_lead_whose_id_the_book_holds_is_refused_hands_the_lead_back_and_changes_nothing() {
    let engine = engine();
    let (events, _) = history();
    let mut book = LeadBook::new();
    for event in &events {
        book.apply(&engine, event);
    }
    let before = serde_json::to_string(&book.snapshot()).unwrap();

    let mut other = LeadBook::new();
    other.apply(&engine, &events[0]);
    let twin = other.remove("L1").expect("the other book holds L1");
    let twin_json = serde_json::to_string(&twin).unwrap();

    let error = book.insert(twin).unwrap_err();
    let InsertError::AlreadyHeld { lead } = &error else {
        panic!("expected AlreadyHeld, got {error:?}");
    };
    assert_eq!(serde_json::to_string(lead).unwrap(), twin_json);
    let message = error.to_string();
    assert!(
        message.contains("L1") && message.contains("holds each lead once"),
        "{message}"
    );
    assert_eq!(serde_json::to_string(&book.snapshot()).unwrap(), before);
}
