//! Replaying a stream, and reading its effects, for the checks.

use crate::book::{LeadBook, Snapshot};
use crate::effect::{Effect, EffectKind, RejectKind};
use crate::engine::Engine;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use serde::Serialize;
use std::collections::BTreeMap;

/// One JSON line. Events, effects and snapshots are plain serde data: this never fails.
pub(super) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("leadcycle's data serializes to JSON")
}

pub(super) fn snapshot_json(snapshot: &Snapshot) -> String {
    json(snapshot)
}

/// Effects as JSON lines.
pub(super) fn lines(effects: &[Effect]) -> String {
    effects.iter().map(json).collect::<Vec<_>>().join("\n")
}

/// Runs the events on a new book; the effects of each event.
pub(super) fn run(engine: &Engine, events: &[Event]) -> (LeadBook, Vec<Vec<Effect>>) {
    let mut book = LeadBook::new();
    let effects = events.iter().map(|e| book.apply(engine, e)).collect();
    (book, effects)
}

/// The kind of the refusal an event's effects end with, if they do.
pub(super) fn rejected_kind(effects: &[Effect]) -> Option<RejectKind> {
    match effects.last() {
        Some(Effect {
            kind: EffectKind::Rejected { kind, .. },
            ..
        }) => Some(*kind),
        _ => None,
    }
}

pub(super) fn any_rejected(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|f| matches!(f.kind, EffectKind::Rejected { .. }))
}

/// Whether a refusal of this kind is judged against the stage the lead is really in,
/// after its due deadlines fired (CONTRACT.md, "Time"); the others fire nothing.
/// `removed_lead` is either: a lead already removed has no deadline left to fire.
pub(super) fn judged_after_deadlines(kind: RejectKind) -> bool {
    matches!(
        kind,
        RejectKind::IllegalTransition | RejectKind::UnknownProgram | RejectKind::RemovedLead
    )
}

/// The leads whose deadlines an event fires before it is judged: its own lead, and a
/// merge's survivor.
pub(super) fn leads_of(e: &Event) -> Vec<LeadId> {
    let mut leads: Vec<LeadId> = e.lead().into_iter().cloned().collect();
    if let EventKind::Merged { into, .. } = e.kind() {
        leads.push(into.clone());
    }
    leads
}

/// Each lead's effects as JSON lines, in order; effects without a lead (a refused
/// tick) are left out.
pub(super) fn per_lead<'a>(
    effects: impl IntoIterator<Item = &'a Effect>,
) -> BTreeMap<LeadId, Vec<String>> {
    let mut map: BTreeMap<LeadId, Vec<String>> = BTreeMap::new();
    for f in effects {
        if let Some(lead) = &f.lead {
            map.entry(lead.clone()).or_default().push(json(f));
        }
    }
    map
}
