//! The lead book: the optional in-memory home for many leads.

use crate::effect::Effect;
use crate::engine::{Engine, Phase, Subject};
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::lead::Lead;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

/// Many leads by id, with a deadline queue, the clock watermark, merges and snapshots.
///
/// A `tick` costs O(due leads x log n): leads are found through a queue ordered by
/// (deadline, lead id), never by scanning the book. A refused event changes nothing
/// itself (see [`LeadBook::try_apply`] for the deadlines that fall due before it).
#[derive(Clone, Debug, Default)]
pub struct LeadBook {
    leads: HashMap<LeadId, Lead>,
    /// Min-queue of (deadline, lead). An entry is stale, and skipped, when the lead's
    /// next deadline has since changed; stale entries are purged when they pile up.
    queue: BinaryHeap<Reverse<(DateTime<Utc>, LeadId)>>,
    watermark: Option<DateTime<Utc>>,
}

/// A book's whole state as plain data, for checkpoint and restore. Leads are in id
/// order, so the same book always serializes to the same bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The time of the last tick.
    pub watermark: Option<DateTime<Utc>>,
    /// Every lead, removed ones included, in id order.
    pub leads: Vec<Lead>,
}

impl LeadBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event (or tick) and returns its effects. A refused event yields a
    /// `rejected` effect, after the effects of the lead's deadlines that fell due before
    /// it (see [`LeadBook::try_apply`]).
    pub fn apply(&mut self, engine: &Engine, event: &Event) -> Vec<Effect> {
        let mut out = Vec::new();
        self.apply_into(engine, event, &mut out);
        out
    }

    /// Like [`LeadBook::apply`], appending to `out`.
    pub fn apply_into(&mut self, engine: &Engine, event: &Event, out: &mut Vec<Effect>) {
        if let Err(e) = self.try_apply(engine, event, out) {
            out.push(Effect::rejected(&e, event));
        }
    }

    /// Applies one event, appending its effects to `out`.
    ///
    /// On error the event changed nothing itself. When it was refused for the stage
    /// its lead is really in (`illegal_transition`, `unknown_program`, or
    /// `removed_lead` because a deadline removed the lead), that lead's deadlines at or
    /// before the event's time (both leads' for a merge) have fired first: their
    /// effects are in `out` and stand, exactly as a tick at the event's time would have
    /// left them. Any other refusal leaves the book as it was and `out` untouched. The
    /// engine decides which refusal an event gets; the book finds the leads, passes in
    /// its watermark, and keeps the deadline queue.
    pub fn try_apply(
        &mut self,
        engine: &Engine,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let Some(id) = event.lead() else {
            engine.refusal(Phase::BeforeDeadlines, Subject::Tick, event, self.watermark)?;
            self.tick(engine, event.at(), out);
            return Ok(());
        };
        let unknown = |lead: &LeadId| engine.unknown_lead(lead, event);
        match event.kind() {
            EventKind::Created { .. } if !self.leads.contains_key(id) => {
                let (lead, effects) = engine.create_after(event, self.watermark)?;
                out.extend(effects);
                self.schedule(id, None, lead.next_deadline());
                self.leads.insert(id.clone(), lead);
                Ok(())
            }
            // A merge into itself has one lead; the engine refuses it.
            EventKind::Merged { into } if into != id => {
                let [dup, surv] = self.leads.get_disjoint_mut([id, into]);
                let dup = dup.ok_or_else(|| unknown(id))?;
                let surv = surv.ok_or_else(|| unknown(into))?;
                let before = [dup.next_deadline(), surv.next_deadline()];
                let result = engine.step_after(dup, Some(surv), event, self.watermark, out);
                let after = [dup.next_deadline(), surv.next_deadline()];
                self.schedule(id, before[0], after[0]);
                self.schedule(into, before[1], after[1]);
                result
            }
            _ => {
                let lead = self.leads.get_mut(id).ok_or_else(|| unknown(id))?;
                let before = lead.next_deadline();
                let result = engine.step_after(lead, None, event, self.watermark, out);
                let after = lead.next_deadline();
                self.schedule(id, before, after);
                result
            }
        }
    }

    /// Advances the clock to `at`: fires every due deadline in (time, lead id) order.
    fn tick(&mut self, engine: &Engine, at: DateTime<Utc>, out: &mut Vec<Effect>) {
        self.watermark = Some(at);
        while let Some(Reverse((due, _))) = self.queue.peek() {
            if *due > at {
                break;
            }
            let Some(Reverse((due, id))) = self.queue.pop() else {
                break;
            };
            let Some(lead) = self.leads.get_mut(&id) else {
                continue;
            };
            if lead.next_deadline() != Some(due) {
                continue; // stale
            }
            engine.fire_earliest(lead, at, out);
            if let Some(next) = lead.next_deadline() {
                self.queue.push(Reverse((next, id)));
            }
        }
    }

    /// Queues a lead whose next deadline moved from `before` to `after`; the old
    /// entry, if any, goes stale.
    fn schedule(
        &mut self,
        id: &LeadId,
        before: Option<DateTime<Utc>>,
        after: Option<DateTime<Utc>>,
    ) {
        if after != before {
            if let Some(at) = after {
                self.queue.push(Reverse((at, id.clone())));
                self.purge_stale();
            }
        }
    }

    /// Rebuilds the queue from the leads once stale entries outnumber live ones, so
    /// the queue stays O(leads) however often deadlines move.
    fn purge_stale(&mut self) {
        if self.queue.len() > 2 * self.leads.len() + 1024 {
            self.rebuild_queue();
        }
    }

    fn rebuild_queue(&mut self) {
        self.queue = self
            .leads
            .values()
            .filter_map(|l| l.next_deadline().map(|d| Reverse((d, l.id().clone()))))
            .collect();
    }

    /// The lead with this id.
    pub fn get(&self, id: &str) -> Option<&Lead> {
        self.leads.get(id)
    }

    /// How many leads the book holds (removed ones included).
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the book holds no lead.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// Every lead, in id order.
    pub fn leads(&self) -> Vec<&Lead> {
        let mut leads: Vec<&Lead> = self.leads.values().collect();
        leads.sort_unstable_by(|a, b| a.id().cmp(b.id()));
        leads
    }

    /// How many leads are in each stage; every stage is listed, in waterfall order.
    pub fn stage_counts(&self) -> BTreeMap<Stage, usize> {
        let mut counts: BTreeMap<Stage, usize> = Stage::ALL.iter().map(|&s| (s, 0)).collect();
        for lead in self.leads.values() {
            *counts.entry(lead.stage()).or_insert(0) += 1;
        }
        counts
    }

    /// The time of the last tick.
    pub fn watermark(&self) -> Option<DateTime<Utc>> {
        self.watermark
    }

    /// The book's state as plain data.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            watermark: self.watermark,
            leads: self.leads().into_iter().cloned().collect(),
        }
    }

    /// A book restored from a snapshot; it continues exactly as the original would.
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut book = LeadBook {
            leads: snapshot
                .leads
                .into_iter()
                .map(|l| (l.id().clone(), l))
                .collect(),
            queue: BinaryHeap::new(),
            watermark: snapshot.watermark,
        };
        book.rebuild_queue();
        book
    }
}
