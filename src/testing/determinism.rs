//! The invariants that compare runs: determinism (5) and idempotency (6).

use super::replay::{any_rejected, judged_after_deadlines, lines, per_lead, run, snapshot_json};
use super::{EventStream, Invariant, InvariantViolation};
use crate::book::{LeadBook, Snapshot};
use crate::effect::{Effect, EffectKind, RejectKind};
use crate::engine::Engine;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Invariant 5: the same events give byte-identical effects (as JSON) and the same
/// final state on a second run.
pub fn check_rerun(engine: &Engine, events: &[Event]) -> Result<(), InvariantViolation> {
    let inv = Invariant::Rerun;
    let (book1, a) = run(engine, events);
    let (book2, b) = run(engine, events);
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        ensure_eq!(
            lines(a),
            lines(b),
            inv,
            Some(i),
            events[i].lead(),
            "effects of two runs"
        );
    }
    ensure_eq!(
        snapshot_json(&book1.snapshot()),
        snapshot_json(&book2.snapshot()),
        inv,
        None,
        None,
        "final state of two runs"
    );
    Ok(())
}

/// Invariant 5: a book that runs the first `split` events (all of them when `split` is
/// larger), is saved as a JSON snapshot, restored from it and given the rest, gives the
/// same effects and final state as one uninterrupted run; the restored book is the one
/// that was saved (its snapshot is the same JSON).
pub fn check_snapshot_restore(
    engine: &Engine,
    events: &[Event],
    split: usize,
) -> Result<(), InvariantViolation> {
    let inv = Invariant::SnapshotRestore;
    let (whole_book, whole) = run(engine, events);
    let k = split.min(events.len());
    let (first_book, mut split_effects) = run(engine, &events[..k]);
    let saved = snapshot_json(&first_book.snapshot());
    let snapshot: Snapshot = match serde_json::from_str(&saved) {
        Ok(snapshot) => snapshot,
        Err(error) => fail!(
            inv,
            Some(k),
            None,
            "the snapshot after {k} events does not read back: {error}"
        ),
    };
    let mut book = LeadBook::from_snapshot(snapshot);
    let restored = snapshot_json(&book.snapshot());
    ensure_eq!(
        restored,
        saved,
        inv,
        Some(k),
        None,
        "the snapshot after {k} events does not survive a JSON round trip (left: restored, right: saved)"
    );
    for e in &events[k..] {
        split_effects.push(book.apply(engine, e));
    }
    for (i, (a, b)) in whole.iter().zip(&split_effects).enumerate() {
        ensure_eq!(
            lines(a),
            lines(b),
            inv,
            Some(i),
            events[i].lead(),
            "{} at {}: effects of one run (left) and of a run restored after {k} events (right)",
            events[i].event_type(),
            events[i].at()
        );
    }
    ensure_eq!(
        snapshot_json(&whole_book.snapshot()),
        snapshot_json(&book.snapshot()),
        inv,
        None,
        None,
        "final state of one run (left) and of a run restored after {k} events (right)"
    );
    Ok(())
}

/// Invariant 5: the events split across `books` books by lead (`book_of` gives a lead's
/// book, in `0..books`; a tick or an `account_alias` goes to every book) give each
/// lead the same effects, in the same order, as one book.
///
/// Under a policy with `[accounts]`, the roll-up spans the leads of an account: give
/// every lead of one account (under every alias it will have) the same book
/// (`docs/accounts.md`, "Partitioning a stream across books").
///
/// # Panics
///
/// When an event is a `merged` (a merge spans two leads, so a stream with one cannot
/// be partitioned: generate it with [`StreamOptions::without_merges`](super::StreamOptions::without_merges)),
/// or `book_of` gives a book out of range.
pub fn check_partition(
    engine: &Engine,
    events: &[Event],
    books: usize,
    book_of: impl Fn(&LeadId) -> usize,
) -> Result<(), InvariantViolation> {
    let (_, whole) = run(engine, events);
    let mut parts: Vec<LeadBook> = (0..books).map(|_| LeadBook::new()).collect();
    let mut effects: Vec<Effect> = Vec::new();
    for e in events {
        assert!(
            !matches!(e.kind(), EventKind::Merged { .. }),
            "check_partition: a stream with a `merged` event cannot be partitioned by lead"
        );
        match e.lead() {
            // A tick or an alias: every book's clock and alias table.
            None => {
                for book in &mut parts {
                    book.apply_into(engine, e, &mut effects);
                }
            }
            Some(id) => {
                let i = book_of(id);
                assert!(
                    i < books,
                    "check_partition: book {i} of lead {id} is not in 0..{books}"
                );
                parts[i].apply_into(engine, e, &mut effects);
            }
        }
    }
    let one = per_lead(whole.iter().flatten());
    let split = per_lead(&effects);
    for lead in one.keys().chain(split.keys()).collect::<BTreeSet<_>>() {
        ensure_eq!(
            one.get(lead),
            split.get(lead),
            Invariant::Partition,
            None,
            Some(lead),
            "effects of the lead in one book (left) and in {books} books (right)"
        );
    }
    Ok(())
}

/// Invariant 5 (CONTRACT.md, "Time"): a lead's effects do not depend on where the
/// ticks fall. The events with every tick, and the events with no tick but a final
/// one, each followed by a tick at the latest time, give every lead the same effects in
/// the same order, a refusal judged after the lead's due deadlines (`illegal_transition`,
/// `unknown_program`, `removed_lead`, a merge's included) in its place among them; the
/// refusals judged before the deadlines, which fire nothing, come in the same order
/// too; and the final states are the same.
///
/// # Panics
///
/// When the events are not in time order (a tick makes a later, older event
/// `out_of_order`, so ticks do matter then: generate the stream with
/// [`StreamOptions::in_order`](super::StreamOptions::in_order)).
pub fn check_tick_placement(engine: &Engine, events: &[Event]) -> Result<(), InvariantViolation> {
    let inv = Invariant::TickPlacement;
    assert!(
        events.windows(2).all(|w| w[0].at() <= w[1].at()),
        "check_tick_placement: the events are not in time order"
    );
    let Some(last) = events.last().map(|e| Event::tick(e.at())) else {
        return Ok(());
    };
    let with_ticks: Vec<Event> = events.iter().cloned().chain([last.clone()]).collect();
    let without: Vec<Event> = events
        .iter()
        .filter(|e| e.lead().is_some())
        .cloned()
        .chain([last])
        .collect();
    let (book_a, a) = run(engine, &with_ticks);
    let (book_b, b) = run(engine, &without);
    // A lead's effects, the refusals judged after its deadlines included, come in the
    // same order with or without ticks: such a refusal fires the lead's due deadlines
    // first, as a tick would have. A refusal judged before the deadlines fires nothing,
    // so without a tick before it, it comes before the deadline effects a tick would
    // have fired first: those refusals, in order, must be the same too.
    let split = |effects: &[Vec<Effect>]| {
        let (before, ordered): (Vec<&Effect>, Vec<&Effect>) =
            effects.iter().flatten().partition(|f| {
                matches!(f.kind, EffectKind::Rejected { kind, .. } if !judged_after_deadlines(kind))
            });
        (per_lead(ordered), per_lead(before))
    };
    let (a_applied, a_refused) = split(&a);
    let (b_applied, b_refused) = split(&b);
    for (what, a, b) in [
        ("effects", &a_applied, &b_applied),
        (
            "refusals judged before the deadlines",
            &a_refused,
            &b_refused,
        ),
    ] {
        for lead in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
            ensure_eq!(
                a.get(lead),
                b.get(lead),
                inv,
                None,
                Some(lead),
                "{what} of the lead with every tick (left) and with only a final tick (right)"
            );
        }
    }
    ensure_eq!(
        snapshot_json(&book_a.snapshot()),
        snapshot_json(&book_b.snapshot()),
        inv,
        None,
        None,
        "final state with every tick (left) and with only a final tick (right)"
    );
    Ok(())
}

/// Invariant 6: delivering events a second time never applies them twice.
///
/// Every event of the stream that has an id and is applied is delivered again where
/// the stream's plan says ([`EventStream::second_delivery`]: right after, or later).
/// Each copy fires nothing and is refused: as `duplicate_event` while its lead
/// remembers the id (applied within `dedupe_window_days` before the lead's clock), and
/// once it is forgotten by the time rule (`out_of_order`) or the lead's own refusal
/// (`duplicate_lead` for a `created`, `removed_lead`). Every original event gives the
/// effects it gives without the copies, and the run ends in the same state.
pub fn check_idempotency(engine: &Engine, stream: &EventStream) -> Result<(), InvariantViolation> {
    let inv = Invariant::Idempotency;
    let events = stream.events();
    let (once_book, once) = run(engine, events);
    let n = events.len();
    // The second deliveries, by position: a copy at position p is delivered just before
    // original event p (p = n: at the end). A copy of a refused event is not a
    // duplicate, so only applied ones count.
    let mut at_pos: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.id().is_none() || any_rejected(&once[i]) {
            continue;
        }
        if let Some(p) = stream.second_delivery(i) {
            at_pos.entry(p.min(n)).or_default().push(i);
        }
    }
    // (original index, is a copy)
    let mut doubled: Vec<(usize, bool)> = Vec::new();
    for p in 0..=n {
        for &i in at_pos.get(&p).into_iter().flatten() {
            doubled.push((i, true));
        }
        if p < n {
            doubled.push((p, false));
        }
    }
    let shown = || {
        EventStream::from(
            doubled
                .iter()
                .map(|&(i, _)| events[i].clone())
                .collect::<Vec<_>>(),
        )
    };
    let window = engine.dedupe_window();
    let mut book = LeadBook::new();
    for &(i, copy) in &doubled {
        let e = &events[i];
        if copy {
            // The contract's answer for a second delivery: `duplicate_event` while the
            // lead remembers the id (applied within the window before its clock); once
            // it is forgotten the time rule refuses it (`out_of_order`), or the lead's
            // own refusal does (`duplicate_lead` for a `created`, `removed_lead`).
            let (Some(lead), Some(id)) = (e.lead().and_then(|l| book.get(l.as_str())), e.id())
            else {
                fail!(
                    inv,
                    Some(i),
                    e.lead(),
                    "an applied event's lead is not in the book"
                );
            };
            let since = lead
                .clock()
                .max(e.at())
                .checked_sub_signed(window)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            let expected = if lead.applied_ids().contains_since(id, since) {
                RejectKind::DuplicateEvent
            } else if matches!(e.kind(), EventKind::Created { .. }) {
                RejectKind::DuplicateLead
            } else if lead.stage() == Stage::Removed {
                RejectKind::RemovedLead
            } else {
                RejectKind::OutOfOrder
            };
            let effects = book.apply(engine, e);
            let refused = match effects.as_slice() {
                [Effect {
                    kind: EffectKind::Rejected { kind, .. },
                    ..
                }] => Some(*kind),
                _ => None,
            };
            ensure!(
                refused == Some(expected),
                inv,
                Some(i),
                e.lead(),
                "the second delivery of the event was not refused as {expected:?} alone: {}\ndoubled stream: {:?}",
                lines(&effects),
                shown()
            );
            continue;
        }
        let effects = book.apply(engine, e);
        ensure!(
            lines(&effects) == lines(&once[i]),
            inv,
            Some(i),
            e.lead(),
            "the event gave other effects in the doubled stream:\n{}\ninstead of\n{}\ndoubled stream: {:?}",
            lines(&effects),
            lines(&once[i]),
            shown()
        );
    }
    ensure_eq!(
        snapshot_json(&book.snapshot()),
        snapshot_json(&once_book.snapshot()),
        inv,
        None,
        None,
        "final state with the second deliveries (left) and without (right); doubled stream: {:?}",
        shown()
    );
    Ok(())
}
