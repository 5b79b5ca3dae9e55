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

mod partitioned {
    //! Invariant 5 with merges: leads dealt out to several books, a merge whose two
    //! leads live in different books applied in each book with the other lead visiting
    //! (inserted for the one event, then removed), as `examples/timely.rs` does.

    use super::engine;
    use leadcycle::testing::{self, StreamOptions};
    use leadcycle::{Effect, Engine, Event, EventKind, LeadBook};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A lead's book: FNV-1a of its id, as the timely example deals leads out.
    fn book_of(id: &str, books: usize) -> usize {
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        (hash % books as u64) as usize
    }

    fn per_lead(effects: &[Effect]) -> BTreeMap<Option<String>, Vec<String>> {
        let mut leads: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for effect in effects {
            let lead = effect.lead.as_ref().map(|l| l.as_str().to_owned());
            leads
                .entry(lead)
                .or_default()
                .push(serde_json::to_string(effect).unwrap());
        }
        leads
    }

    /// Applies `event` to the books as the timely example's workers do; returns the
    /// effects each lead's own book printed, and how many merges crossed books.
    fn apply(
        engine: &Engine,
        books: &mut [LeadBook],
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> usize {
        let n = books.len();
        match (event.kind(), event.lead()) {
            (_, None) => {
                for (i, book) in books.iter_mut().enumerate() {
                    let mut effects = Vec::new();
                    book.apply_into(engine, event, &mut effects);
                    // Every book refuses a bad tick alike: the first one says so.
                    out.extend(effects.into_iter().filter(|e| i == 0 || e.lead.is_some()));
                }
                0
            }
            (EventKind::Merged { into, .. }, Some(dup))
                if into != dup && book_of(dup.as_str(), n) != book_of(into.as_str(), n) =>
            {
                let homes = [book_of(dup.as_str(), n), book_of(into.as_str(), n)];
                // Both leads as they are before the merge, from their own books.
                let copies = [
                    books[homes[0]].get(dup.as_str()).cloned(),
                    books[homes[1]].get(into.as_str()).cloned(),
                ];
                let visits = [(homes[0], &copies[1], into), (homes[1], &copies[0], dup)];
                for (home, visitor, visitor_id) in visits {
                    let visiting = match visitor {
                        Some(lead) => books[home].insert(lead.clone()).is_ok(),
                        None => false,
                    };
                    let mut effects = Vec::new();
                    books[home].apply_into(engine, event, &mut effects);
                    if visiting {
                        books[home].remove(visitor_id.as_str());
                    }
                    out.extend(
                        effects
                            .into_iter()
                            .filter(|e| e.lead.as_ref() != Some(visitor_id)),
                    );
                }
                1
            }
            (_, Some(id)) => {
                books[book_of(id.as_str(), n)].apply_into(engine, event, out);
                0
            }
        }
    }

    proptest! {
        #![proptest_config(testing::proptest_config(64))]

        #[test]
        fn leads_dealt_to_several_books_with_merges_across_them_get_the_effects_of_one_book(
            stream in testing::streams(&engine(), StreamOptions::new(60)),
            books in 2usize..5,
        ) {
            let engine = engine();
            let mut one = LeadBook::new();
            let mut whole = Vec::new();
            for event in stream.events() {
                one.apply_into(&engine, event, &mut whole);
            }
            let mut parts: Vec<LeadBook> = (0..books).map(|_| LeadBook::new()).collect();
            let mut split = Vec::new();
            for event in stream.events() {
                apply(&engine, &mut parts, event, &mut split);
            }
            prop_assert_eq!(per_lead(&split), per_lead(&whole));
            // Each lead ends where it lives, exactly as in the one book.
            for lead in one.leads() {
                let part = &parts[book_of(lead.id().as_str(), books)];
                prop_assert_eq!(
                    serde_json::to_string(part.get(lead.id().as_str()).expect("the lead is in its book")).unwrap(),
                    serde_json::to_string(lead).unwrap()
                );
            }
            let held: usize = parts.iter().map(LeadBook::len).sum();
            prop_assert_eq!(held, one.len());
        }
    }

    #[test]
    fn the_generated_streams_merge_leads_of_different_books() {
        // Not vacuous: over the same kind of streams, merges do cross books.
        use proptest::strategy::{Strategy, ValueTree};
        let engine = engine();
        let strategy = testing::streams(&engine, StreamOptions::new(60));
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut across = 0;
        for _ in 0..32 {
            let stream = strategy.new_tree(&mut runner).unwrap().current();
            let mut parts: Vec<LeadBook> = (0..3).map(|_| LeadBook::new()).collect();
            let mut out = Vec::new();
            for event in stream.events() {
                across += apply(&engine, &mut parts, event, &mut out);
            }
        }
        assert!(across > 0);
    }
}
