//! The side-by-side replay behind [`what_if`](super::what_if): two books fed the same
//! events, and what each lead's effects added up to.

use super::{CountChange, LeadDiff, LeadOutcome, OutcomeField, WhatIf, WhatIfTotals};
use crate::book::LeadBook;
use crate::effect::{Effect, EffectKind, EffectType};
use crate::engine::Engine;
use crate::event::Event;
use crate::id::{LeadId, RepId};
use crate::lead::Lead;
use chrono::{DateTime, Utc};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// A what-if run fed one event at a time: for a history too long to hold in memory,
/// or read from a file line by line. [`what_if`](super::what_if) is this with a loop.
///
/// ```
/// use leadcycle::{Engine, Event, Policy, WhatIfReplay};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let before = Engine::new(Policy::default())?;
/// let mut lower = Policy::default();
/// lower.scoring.mql_threshold = 30.0;
/// let after = Engine::new(lower)?;
///
/// let mut replay = WhatIfReplay::new(&before, &after);
/// for line in [
///     r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"seniority":"vp","employees":350}}"#,
/// ] {
///     replay.apply(&serde_json::from_str::<Event>(line)?);
/// }
/// let report = replay.finish(Some("2026-01-06T00:00:00Z".parse()?));
/// // Its fit alone (35 points) qualifies it under the lower threshold.
/// assert_eq!(report.stages[&leadcycle::Stage::Mql].after, 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct WhatIfReplay<'e> {
    before: Side<'e>,
    after: Side<'e>,
    events: usize,
    /// The leads whose effects differed at some event.
    effects_differ: BTreeSet<LeadId>,
    /// The effects of the current event, one buffer per side, reused.
    out_before: Vec<Effect>,
    out_after: Vec<Effect>,
}

/// One policy's half of the run.
#[derive(Debug)]
struct Side<'e> {
    engine: &'e Engine,
    book: LeadBook,
    /// Per lead named by an effect: what its effects added up to.
    traces: BTreeMap<LeadId, Trace>,
    effect_types: BTreeMap<EffectType, usize>,
    effects: usize,
}

/// What one lead's effects added up to under one policy.
#[derive(Clone, Debug, Default)]
struct Trace {
    effects: usize,
    routed_to: Option<RepId>,
}

impl<'e> WhatIfReplay<'e> {
    /// A run with two empty books: one for `before`, one for `after`.
    pub fn new(before: &'e Engine, after: &'e Engine) -> Self {
        WhatIfReplay {
            before: Side::new(before),
            after: Side::new(after),
            events: 0,
            effects_differ: BTreeSet::new(),
            out_before: Vec::new(),
            out_after: Vec::new(),
        }
    }

    /// Applies one event (or tick) to both books, as [`LeadBook::apply`] would.
    pub fn apply(&mut self, event: &Event) {
        self.events += 1;
        self.apply_to_both(event);
    }

    /// How many events were applied so far.
    pub fn events(&self) -> usize {
        self.events
    }

    fn apply_to_both(&mut self, event: &Event) {
        self.out_before.clear();
        self.out_after.clear();
        self.before.apply(event, &mut self.out_before);
        self.after.apply(event, &mut self.out_after);
        if self.out_before != self.out_after {
            mark_differing(&self.out_before, &self.out_after, &mut self.effects_differ);
        }
    }

    /// Advances both clocks to `until` (a tick, not counted as an event), if given,
    /// and compares the two books: the report.
    pub fn finish(mut self, until: Option<DateTime<Utc>>) -> WhatIf {
        if let Some(at) = until {
            self.apply_to_both(&Event::tick(at));
        }
        let LeadDiffs {
            diffs: leads,
            compared: leads_compared,
        } = self.lead_diffs();
        WhatIf {
            before_policy: self.before.engine.policy_fingerprint().to_owned(),
            after_policy: self.after.engine.policy_fingerprint().to_owned(),
            until,
            totals: WhatIfTotals {
                events: self.events,
                leads_compared,
                leads_changed: leads.len(),
                effects: CountChange {
                    before: self.before.effects,
                    after: self.after.effects,
                },
            },
            stages: changed_counts(
                &self.before.book.stage_counts(),
                &self.after.book.stage_counts(),
            ),
            programs: changed_counts(&self.before.program_counts(), &self.after.program_counts()),
            effects: changed_counts(&self.before.effect_types, &self.after.effect_types),
            leads,
        }
    }

    /// Every lead in either book, in id order, compared.
    fn lead_diffs(&self) -> LeadDiffs {
        let before = self.before.book.leads();
        let after = self.after.book.leads();
        let mut diffs = Vec::new();
        let mut compared = 0;
        let (mut b, mut a) = (before.iter().peekable(), after.iter().peekable());
        loop {
            let order = match (b.peek(), a.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(x), Some(y)) => x.id().cmp(y.id()),
            };
            let (x, y) = match order {
                Ordering::Less => (b.next(), None),
                Ordering::Greater => (None, a.next()),
                Ordering::Equal => (b.next(), a.next()),
            };
            compared += 1;
            if let Some(diff) = self.compare(x.copied(), y.copied()) {
                diffs.push(diff);
            }
        }
        LeadDiffs { diffs, compared }
    }

    /// The difference between a lead's two versions, if any; at least one is given.
    fn compare(&self, before: Option<&Lead>, after: Option<&Lead>) -> Option<LeadDiff> {
        let lead = before.or(after)?.id().clone();
        let before = before.map(|l| self.before.outcome(l));
        let after = after.map(|l| self.after.outcome(l));
        let changed = match (&before, &after) {
            (Some(x), Some(y)) => x.changed(y, self.effects_differ.contains(&lead)),
            _ => vec![OutcomeField::Exists],
        };
        (!changed.is_empty()).then_some(LeadDiff {
            lead,
            before,
            after,
            changed,
        })
    }
}

/// The leads of both books, compared.
struct LeadDiffs {
    diffs: Vec<LeadDiff>,
    compared: usize,
}

impl<'e> Side<'e> {
    fn new(engine: &'e Engine) -> Self {
        Side {
            engine,
            book: LeadBook::new(),
            traces: BTreeMap::new(),
            effect_types: BTreeMap::new(),
            effects: 0,
        }
    }

    /// Applies the event to this side's book, and counts its effects.
    fn apply(&mut self, event: &Event, out: &mut Vec<Effect>) {
        self.book.apply_into(self.engine, event, out);
        self.effects += out.len();
        for effect in out.iter() {
            *self
                .effect_types
                .entry(effect.kind.effect_type())
                .or_insert(0) += 1;
            let Some(lead) = &effect.lead else {
                continue;
            };
            let trace = match self.traces.get_mut(lead.as_str()) {
                Some(trace) => trace,
                None => self.traces.entry(lead.clone()).or_default(),
            };
            trace.effects += 1;
            if let EffectKind::Routed { rep, .. } = &effect.kind {
                trace.routed_to = Some(rep.clone());
            }
        }
    }

    /// How many leads each nurture program holds.
    fn program_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for lead in &self.book {
            if let Some(enrollment) = lead.nurture() {
                match counts.get_mut(enrollment.program.as_str()) {
                    Some(count) => *count += 1,
                    None => {
                        counts.insert(enrollment.program.clone(), 1);
                    }
                }
            }
        }
        counts
    }

    /// Where the lead ended on this side.
    fn outcome(&self, lead: &Lead) -> LeadOutcome {
        let trace = self.traces.get(lead.id().as_str());
        LeadOutcome {
            stage: lead.stage(),
            program: lead.nurture().map(|n| n.program.clone()),
            step: lead.nurture().map(|n| n.step),
            owner: lead.owner().cloned(),
            routed_to: trace.and_then(|t| t.routed_to.clone()),
            removed_reason: lead.removed_reason().map(str::to_owned),
            times_recycled: lead.times_recycled(),
            effects: trace.map_or(0, |t| t.effects),
        }
    }
}

/// Adds to `differ` every lead whose effects in `before` and `after` (one event's
/// effects under each policy) are not the same sequence. Effects that name no lead (a
/// refused tick) belong to no lead and only count by type.
fn mark_differing(before: &[Effect], after: &[Effect], differ: &mut BTreeSet<LeadId>) {
    let mut per_lead: BTreeMap<&LeadId, (Vec<&Effect>, Vec<&Effect>)> = BTreeMap::new();
    for effect in before {
        if let Some(lead) = &effect.lead {
            per_lead.entry(lead).or_default().0.push(effect);
        }
    }
    for effect in after {
        if let Some(lead) = &effect.lead {
            per_lead.entry(lead).or_default().1.push(effect);
        }
    }
    for (lead, (b, a)) in per_lead {
        if b != a && !differ.contains(lead) {
            differ.insert(lead.clone());
        }
    }
}

/// The keys of either map whose counts differ (a key missing from a map counts 0).
fn changed_counts<K: Ord + Clone>(
    before: &BTreeMap<K, usize>,
    after: &BTreeMap<K, usize>,
) -> BTreeMap<K, CountChange> {
    let keys: BTreeSet<&K> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let change = CountChange {
                before: before.get(key).copied().unwrap_or(0),
                after: after.get(key).copied().unwrap_or(0),
            };
            change.is_changed().then(|| (key.clone(), change))
        })
        .collect()
}
