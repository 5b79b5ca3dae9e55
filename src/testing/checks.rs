//! The invariants that one replay of a stream shows: 1 to 4, and 7.

use super::idle::IdleClocks;
use super::replay::{
    any_rejected, json, judged_after_deadlines, leads_of, lines, per_lead, rejected_kind,
    snapshot_json,
};
use super::{Invariant, InvariantViolation};
use crate::book::LeadBook;
use crate::effect::{Cause, Effect, EffectKind, NurtureEnd, SlaKind};
use crate::engine::Engine;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::lead::Touch;
use crate::stage::Stage;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Invariant 1, conservation: after every event, every created lead is in exactly one
/// stage, the one its `transition` effects lead to (a lead's first transition is from
/// nothing to `inquiry`, each next one starts where the last ended), and the stage
/// counts of [`LeadBook::stage_counts`] add up to the leads created.
pub fn check_conservation(engine: &Engine, events: &[Event]) -> Result<(), InvariantViolation> {
    let inv = Invariant::Conservation;
    let mut book = LeadBook::new();
    // Each lead's stage as told by its `transition` effects.
    let mut told: BTreeMap<LeadId, Stage> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let effects = book.apply(engine, e);
        for f in &effects {
            if let EffectKind::Transition { from, to, .. } = &f.kind {
                let Some(lead) = f.lead.clone() else {
                    fail!(
                        inv,
                        Some(i),
                        None,
                        "a transition names no lead: {}",
                        json(f)
                    );
                };
                match from {
                    None => {
                        ensure!(
                            !told.contains_key(&lead),
                            inv,
                            Some(i),
                            Some(&lead),
                            "the lead was created twice"
                        );
                        ensure_eq!(
                            *to,
                            Stage::Inquiry,
                            inv,
                            Some(i),
                            Some(&lead),
                            "a new lead's first stage"
                        );
                    }
                    Some(from) => ensure_eq!(
                        told.get(&lead),
                        Some(from),
                        inv,
                        Some(i),
                        Some(&lead),
                        "a transition does not start where the last one ended"
                    ),
                }
                told.insert(lead, *to);
            }
        }
        let counts = book.stage_counts();
        ensure_eq!(
            counts.len(),
            Stage::ALL.len(),
            inv,
            Some(i),
            None,
            "stage counts list every stage"
        );
        let total: usize = counts.values().sum();
        ensure_eq!(
            total,
            told.len(),
            inv,
            Some(i),
            None,
            "stage counts vs leads created"
        );
        ensure_eq!(
            book.len(),
            told.len(),
            inv,
            Some(i),
            None,
            "book size vs leads created"
        );
        let mut recount: BTreeMap<Stage, usize> = Stage::ALL.iter().map(|&s| (s, 0)).collect();
        for lead in book.iter() {
            *recount.entry(lead.stage()).or_default() += 1;
            ensure_eq!(
                told.get(lead.id()),
                Some(&lead.stage()),
                inv,
                Some(i),
                Some(lead.id()),
                "the lead is not in the stage its transitions say"
            );
        }
        ensure_eq!(recount, counts, inv, Some(i), None, "stage counts");
    }
    Ok(())
}

/// A deadline that must fire on a tick.
#[derive(Debug)]
enum Due {
    Sla(SlaKind, DateTime<Utc>),
    Nurture(DateTime<Utc>),
}

fn due_by(book: &LeadBook, t: DateTime<Utc>) -> Vec<(LeadId, Due)> {
    let mut due = Vec::new();
    for lead in book.iter() {
        let s = lead.sla();
        for (kind, at) in [
            (SlaKind::Respond, s.respond_due),
            (SlaKind::Attempts, s.attempts_due),
            (SlaKind::Idle, s.idle_due),
        ] {
            if let Some(at) = at.filter(|&d| d <= t) {
                due.push((lead.id().clone(), Due::Sla(kind, at)));
            }
        }
        if let Some(at) = lead.nurture().and_then(|n| n.due).filter(|&d| d <= t) {
            due.push((lead.id().clone(), Due::Nurture(at)));
        }
    }
    due
}

/// Every deadline in `due` is reported by `effects` (the tick's) or its lead moved.
fn check_tick_fired(
    due: &[(LeadId, Due)],
    effects: &[Effect],
    i: usize,
) -> Result<(), InvariantViolation> {
    for (lead, d) in due {
        let of = || effects.iter().filter(|f| f.lead.as_ref() == Some(lead));
        let found = match d {
            Due::Sla(kind, at) => {
                let breached = of().any(|f| {
                    f.at == Some(*at)
                        && matches!(&f.kind, EffectKind::SlaBreached { sla, .. } if sla == kind)
                });
                // An idle lead is recycled, or kept with sales by a `disposition`
                // hook (its idle clock then starts again).
                let moved = *kind != SlaKind::Idle
                    || of().any(|f| {
                        f.at == Some(*at)
                            && matches!(
                                &f.kind,
                                EffectKind::Transition {
                                    cause: Cause::SlaIdle,
                                    ..
                                } | EffectKind::Kept {
                                    cause: Cause::SlaIdle,
                                    ..
                                }
                            )
                    });
                // A lead moved out of the stage before the deadline came (by an
                // earlier deadline of the same tick: an idle limit shorter than the
                // attempts window) no longer has it.
                let moot = of().any(|f| {
                    f.at.is_some_and(|t| t < *at)
                        && matches!(&f.kind, EffectKind::Transition { .. })
                });
                (breached && moved) || moot
            }
            Due::Nurture(at) => of().any(|f| {
                let said = f.at == Some(*at)
                    && matches!(
                        &f.kind,
                        EffectKind::NurtureStepDue { .. }
                            | EffectKind::NurtureEnded {
                                why: NurtureEnd::Completed,
                                ..
                            }
                    );
                let moved = f.at.is_some_and(|t| t <= *at)
                    && matches!(&f.kind, EffectKind::Transition { .. });
                said || moved
            }),
        };
        ensure!(
            found,
            Invariant::NoBlackHole,
            Some(i),
            Some(lead),
            "{d:?} was due at the tick, but no effect says so or moves the lead; the tick's effects:\n{}",
            lines(effects)
        );
    }
    Ok(())
}

/// Invariant 2, no black hole: the events, then a tick `after` past the latest of them
/// (a negative `after` counts as zero).
/// After a tick at t, every deadline that was due at or before t (a service level, an
/// idle limit, a nurture step) is reported (`sla_breached`, the idle recycle,
/// `nurture_step_due` or the program's end) or the lead moved, and no lead has a
/// deadline at or before t left. After any other event, its lead (and a merge's
/// survivor) has nothing due at or before the event's time either, the event refused
/// after its lead's deadlines fired included.
pub fn check_no_black_hole(
    engine: &Engine,
    events: &[Event],
    after: TimeDelta,
) -> Result<(), InvariantViolation> {
    let inv = Invariant::NoBlackHole;
    let Some(end) = events.iter().map(Event::at).max() else {
        return Ok(());
    };
    let last = Event::tick(end + after.max(TimeDelta::zero()));
    let mut book = LeadBook::new();
    let policy = engine.policy();
    let mut idle = IdleClocks::default();
    for (i, e) in events.iter().chain([&last]).enumerate() {
        let due = match e.lead() {
            None => due_by(&book, e.at()),
            Some(_) => Vec::new(),
        };
        let effects = book.apply(engine, e);
        let refused = rejected_kind(&effects);
        idle.follow(policy, e, refused.is_none(), &effects);
        // The policy's idle limits, from the effects alone: an engine that stored no
        // deadline for a stage would pass the checks of its own deadlines below.
        // Which leads the event's time applies to: `None` for every lead (a tick).
        let checked: Option<Vec<LeadId>> = match (e.kind(), refused) {
            (EventKind::Tick { .. }, None) => None,
            (_, Some(kind)) if !judged_after_deadlines(kind) => Some(Vec::new()),
            _ => Some(leads_of(e)),
        };
        for (lead, stage, due) in idle.overdue(policy, e.at()) {
            ensure!(
                checked.as_ref().is_some_and(|leads| !leads.contains(lead)),
                inv,
                Some(i),
                Some(lead),
                "after {} at {}, the lead is still in {stage:?}, whose idle limit (`idle_days`, counted from entering the stage or its last sales attempt there) fell due at {due}",
                e.event_type(),
                e.at()
            );
        }
        let still_due = |lead: &crate::Lead| lead.next_deadline().filter(|&d| d <= e.at());
        if let Some(kind) = refused {
            // A refusal judged against the lead's stage came after its due deadlines
            // fired: the time passed whatever the event turned out to be.
            if judged_after_deadlines(kind) {
                for id in leads_of(e) {
                    if let Some(lead) = book.get(id.as_str()) {
                        ensure!(
                            still_due(lead).is_none(),
                            inv,
                            Some(i),
                            Some(&id),
                            "after {} at {} was refused as {kind:?}, the lead still has a deadline at {:?}",
                            e.event_type(),
                            e.at(),
                            lead.next_deadline()
                        );
                    }
                }
            }
            continue;
        }
        match e.lead() {
            None => {
                check_tick_fired(&due, &effects, i)?;
                for lead in book.iter() {
                    ensure!(
                        still_due(lead).is_none(),
                        inv,
                        Some(i),
                        Some(lead.id()),
                        "after the tick at {}, the lead still has a deadline at {:?}",
                        e.at(),
                        lead.next_deadline()
                    );
                }
            }
            Some(_) => {
                // The lead's own deadlines up to the event fired before it.
                for id in leads_of(e) {
                    let Some(lead) = book.get(id.as_str()) else {
                        fail!(
                            inv,
                            Some(i),
                            Some(&id),
                            "an applied event's lead is not in the book"
                        );
                    };
                    ensure!(
                        still_due(lead).is_none(),
                        inv,
                        Some(i),
                        Some(&id),
                        "after {} at {}, the lead still has a deadline at {:?}",
                        e.event_type(),
                        e.at(),
                        lead.next_deadline()
                    );
                }
            }
        }
    }
    ensure_eq!(
        book.watermark(),
        Some(last.at()),
        inv,
        Some(events.len()),
        None,
        "the final tick's time is the book's watermark"
    );
    Ok(())
}

/// Invariant 3: the events, then a tick `after` past the latest of them (a negative
/// `after` counts as zero). After every
/// event, a lead in `recycled` has a nurture enrollment and a `removed` lead has none;
/// a removed lead gets no effect after its removal (no nurture assignment, step,
/// routing or transition) but the end of its enrollment right after the removal and
/// the refusals of events sent to it.
pub fn check_recycled_and_removed(
    engine: &Engine,
    events: &[Event],
    after: TimeDelta,
) -> Result<(), InvariantViolation> {
    let Some(end) = events.iter().map(Event::at).max() else {
        return Ok(());
    };
    let last = Event::tick(end + after.max(TimeDelta::zero()));
    let mut book = LeadBook::new();
    let mut removed: BTreeSet<LeadId> = BTreeSet::new();
    for (i, e) in events.iter().chain([&last]).enumerate() {
        let effects = book.apply(engine, e);
        // Leads removed by this very event: their enrollment ends right after.
        let mut removed_now: BTreeSet<LeadId> = BTreeSet::new();
        for f in &effects {
            let Some(lead) = &f.lead else { continue };
            if removed.contains(lead) {
                let ok = match &f.kind {
                    EffectKind::Rejected { .. } => true,
                    EffectKind::NurtureEnded { .. } => removed_now.contains(lead),
                    _ => false,
                };
                ensure!(
                    ok,
                    Invariant::RemovedLeftAlone,
                    Some(i),
                    Some(lead),
                    "the removed lead got an effect after its removal: {}\nall the event's effects:\n{}",
                    json(f),
                    lines(&effects)
                );
            }
            if let EffectKind::Transition {
                to: Stage::Removed, ..
            } = &f.kind
            {
                removed.insert(lead.clone());
                removed_now.insert(lead.clone());
            }
        }
        for lead in book.iter() {
            match lead.stage() {
                Stage::Recycled => ensure!(
                    lead.nurture().is_some(),
                    Invariant::RecycledEnrolled,
                    Some(i),
                    Some(lead.id()),
                    "the lead is recycled without a nurture enrollment; the event's effects:\n{}",
                    lines(&effects)
                ),
                Stage::Removed => {
                    ensure!(
                        lead.nurture().is_none(),
                        Invariant::RemovedLeftAlone,
                        Some(i),
                        Some(lead.id()),
                        "the removed lead is still enrolled in {:?}",
                        lead.nurture()
                    );
                    ensure!(
                        removed.contains(lead.id()),
                        Invariant::RemovedLeftAlone,
                        Some(i),
                        Some(lead.id()),
                        "the lead is removed without a transition to removed"
                    );
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Invariant 4: a new lead's first touch is its `created` event's (source, campaign,
/// channel, time), and it never changes, except that an applied merge gives the
/// survivor the duplicate's first touch when that one is earlier (on a tie the
/// survivor keeps its own: docs/semantics.md, "Merge"). The expected touch is derived
/// from the events alone, so a merge that kept the later touch fails here as surely
/// as one that took a later touch.
pub fn check_first_touch(engine: &Engine, events: &[Event]) -> Result<(), InvariantViolation> {
    let inv = Invariant::FirstTouchKept;
    let mut book = LeadBook::new();
    // Each lead's first touch as the events say it must be.
    let mut first: BTreeMap<LeadId, Touch> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let effects = book.apply(engine, e);
        let accepted = !any_rejected(&effects);
        if accepted {
            match (e.kind(), e.lead()) {
                (
                    EventKind::Created {
                        source,
                        campaign,
                        channel,
                        ..
                    },
                    Some(id),
                ) => {
                    first.insert(
                        id.clone(),
                        Touch {
                            source: source.as_str().into(),
                            campaign: campaign.as_deref().map(Into::into),
                            channel: channel.as_deref().map(Into::into),
                            at: e.at(),
                        },
                    );
                }
                (EventKind::Merged { into }, Some(duplicate)) => {
                    if let (Some(theirs), Some(ours)) = (first.get(duplicate), first.get(into)) {
                        if theirs.at < ours.at {
                            let earlier = *theirs;
                            first.insert(into.clone(), earlier);
                        }
                    }
                }
                _ => {}
            }
        }
        for lead in book.iter() {
            let id = lead.id();
            let Some(expected) = first.get(id) else {
                fail!(
                    inv,
                    Some(i),
                    Some(id),
                    "the lead appeared without its own applied `created` event"
                );
            };
            ensure_eq!(
                lead.first_touch(),
                expected,
                inv,
                Some(i),
                Some(id),
                "after {} at {}, the first touch (left) is not the one the events give it (right)",
                e.event_type(),
                e.at()
            );
        }
    }
    Ok(())
}

/// Invariant 7: a rejected event changes nothing itself. Its effects end with the one
/// `rejected` effect, which echoes the event, its lead and time; the effects before it
/// are exactly those of the lead's own due deadlines (both leads' for a merge), or none
/// for a refusal judged before the deadlines; and the book afterwards is, byte for
/// byte in JSON, the book those deadlines alone give. An applied event has no
/// `rejected` effect.
pub fn check_rejected_unchanged(
    engine: &Engine,
    events: &[Event],
) -> Result<(), InvariantViolation> {
    let inv = Invariant::RejectedChangesNothing;
    let mut book = LeadBook::new();
    for (i, e) in events.iter().enumerate() {
        let before = book.clone();
        let effects = book.apply(engine, e);
        let Some(kind) = rejected_kind(&effects) else {
            ensure!(
                !any_rejected(&effects),
                inv,
                Some(i),
                e.lead(),
                "a `rejected` effect that is not the event's last:\n{}",
                lines(&effects)
            );
            continue;
        };
        let (fired, rejected) = effects.split_at(effects.len() - 1);
        let EffectKind::Rejected { event, .. } = &rejected[0].kind else {
            unreachable!("rejected_kind found a `rejected` effect last")
        };
        ensure_eq!(
            event.as_deref(),
            Some(e),
            inv,
            Some(i),
            e.lead(),
            "the rejection echoes the event"
        );
        ensure_eq!(
            rejected[0].lead.as_ref(),
            e.lead(),
            inv,
            Some(i),
            e.lead(),
            "the rejection names the event's lead"
        );
        ensure_eq!(
            rejected[0].at,
            Some(e.at()),
            inv,
            Some(i),
            e.lead(),
            "the rejection has the event's time"
        );
        ensure!(
            !any_rejected(fired),
            inv,
            Some(i),
            e.lead(),
            "two `rejected` effects:\n{}",
            lines(&effects)
        );
        // The book the refusal must leave: the one the lead's own due deadlines alone
        // give (both leads' for a merge), or, for a refusal judged before the
        // deadlines, the book as it was.
        let mut expected = before.snapshot();
        let mut expected_fired = Vec::new();
        if judged_after_deadlines(kind) {
            let named = leads_of(e);
            for lead in expected.leads.iter_mut() {
                if named.contains(lead.id()) {
                    expected_fired.extend(engine.advance(lead, e.at()));
                }
            }
        }
        ensure_eq!(
            per_lead(fired),
            per_lead(&expected_fired),
            inv,
            Some(i),
            e.lead(),
            "{} refused as {kind:?} fired other effects than its leads' due deadlines",
            e.event_type()
        );
        ensure_eq!(
            fired.len(),
            expected_fired.len(),
            inv,
            Some(i),
            e.lead(),
            "{} refused as {kind:?}: how many effects its leads' due deadlines fire",
            e.event_type()
        );
        ensure_eq!(
            snapshot_json(&book.snapshot()),
            snapshot_json(&expected),
            inv,
            Some(i),
            e.lead(),
            "{} was refused ({kind:?}) but changed the book beyond its leads' due deadlines",
            e.event_type()
        );
    }
    Ok(())
}
