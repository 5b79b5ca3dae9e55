//! The waterfall: leads per stage now, entries, conversion per pass, time in stage,
//! service levels missed now, how SALs leave, and the recycle and removal reasons.

use super::distribution::{Durations, Rate};
use super::facts::LeadFacts;
use crate::effect::Cause;
use crate::id::LeadId;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The funnel's stages, in order: conversion runs from each to the next.
pub const FUNNEL: [Stage; 6] = [
    Stage::Inquiry,
    Stage::Mql,
    Stage::Sal,
    Stage::Sql,
    Stage::Opportunity,
    Stage::Customer,
];

/// One stage's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageFigures {
    /// Leads in the stage at the end of the journal.
    pub now: u64,
    /// Transitions into the stage, every pass counted.
    pub entered: u64,
    /// Of those, entries in a later pass (after a recycling).
    pub re_entered: u64,
    /// Leads in the stage now whose current stay has missed a service level.
    pub past_sla_now: Vec<LeadId>,
    /// Time in the stage, one duration per stay that ended (entry to exit).
    pub time_in_stage: TimeInStage,
}

/// Time in a stage, re-entry aware: every stay counts, and first-pass stays and
/// later-pass stays (after a recycling) are also shown apart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeInStage {
    /// Every stay that ended.
    pub all: Durations,
    /// Stays in the first pass.
    pub first_pass: Durations,
    /// Stays in a later pass.
    pub later_passes: Durations,
    /// Stays still going at the end of the journal (not in the durations).
    pub open: u64,
}

/// The funnel in one pass: a lead's first journey is pass 1; each recycling starts
/// the next, so a lead recycled and re-qualified counts in both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pass {
    /// The pass number, from 1.
    pub pass: u32,
    /// Transitions into each stage in this pass.
    pub entered: BTreeMap<Stage, u64>,
    /// Leads that reached each funnel stage in this pass: entered it, or a later
    /// stage (a stage skipped on the way up counts; a later pass starts at `mql`).
    pub reached: BTreeMap<Stage, u64>,
    /// Conversion from each funnel stage to the next, in this pass.
    pub conversions: Vec<Conversion>,
}

/// Conversion from one funnel stage to the next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conversion {
    /// The stage.
    pub from: Stage,
    /// The next stage.
    pub to: Stage,
    /// Leads that reached `to`, of those that reached `from`.
    pub rate: Rate,
}

/// How SAL stays ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalExits {
    /// Moved on to `sql` or `opportunity`.
    pub progressed: u64,
    /// Sales disqualified, rejected or recycled the lead (`disqualified`,
    /// `sales_rejected`, `recycled`).
    pub disqualified: u64,
    /// Recycled passively, past the idle limit (`sla_idle`).
    pub idled_out: u64,
    /// Anything else (contact lost, unsubscribed, merged).
    pub other: u64,
    /// The SAL disqualification rate: `disqualified` of every SAL stay that ended.
    pub disqualification: Rate,
}

impl SalExits {
    fn total(&self) -> u64 {
        self.progressed + self.disqualified + self.idled_out + self.other
    }

    pub(super) fn merge(&mut self, other: &SalExits) {
        self.progressed += other.progressed;
        self.disqualified += other.disqualified;
        self.idled_out += other.idled_out;
        self.other += other.other;
    }

    pub(super) fn finish(&mut self) {
        self.disqualification = Rate::of(self.disqualified, self.total());
    }
}

/// A sales event that lets a lead go with a reason.
pub(super) fn is_disqualification(cause: Cause) -> bool {
    matches!(
        cause,
        Cause::Disqualified | Cause::SalesRejected | Cause::Recycled
    )
}

/// The waterfall's part of a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Waterfall {
    pub stages: BTreeMap<Stage, StageFigures>,
    pub passes: Vec<Pass>,
    pub sal_exits: SalExits,
    pub recycle_reasons: BTreeMap<String, u64>,
    pub removal_reasons: BTreeMap<String, u64>,
}

impl Waterfall {
    pub(super) fn new() -> Self {
        Waterfall {
            stages: Stage::ALL
                .iter()
                .map(|s| (*s, StageFigures::default()))
                .collect(),
            ..Waterfall::default()
        }
    }

    fn pass(&mut self, n: u32) -> &mut Pass {
        while self.passes.len() < n as usize {
            let pass = self.passes.len() as u32 + 1;
            self.passes.push(Pass {
                pass,
                ..Pass::default()
            });
        }
        &mut self.passes[n as usize - 1]
    }

    pub(super) fn tally(&mut self, lead: &LeadFacts<'_>) {
        let Some(last) = lead.moves.last() else {
            return;
        };
        // Stays: each move ends the stay the previous one began.
        for (i, m) in lead.moves.iter().enumerate() {
            let pass = lead.passes[i];
            let figures = self.stages.entry(m.to).or_default();
            figures.entered += 1;
            if pass > 1 {
                figures.re_entered += 1;
            }
            *self.pass(pass).entered.entry(m.to).or_insert(0) += 1;
            let stay = &mut self.stages.entry(m.to).or_default().time_in_stage;
            match lead.moves.get(i + 1) {
                Some(next) => {
                    let seconds = (next.at - m.at).num_seconds();
                    stay.all.add_seconds(seconds);
                    if pass > 1 {
                        stay.later_passes.add_seconds(seconds);
                    } else {
                        stay.first_pass.add_seconds(seconds);
                    }
                    if m.to == Stage::Sal {
                        let exits = &mut self.sal_exits;
                        match next.to {
                            Stage::Sql | Stage::Opportunity => exits.progressed += 1,
                            _ if is_disqualification(next.cause) => exits.disqualified += 1,
                            _ if next.cause == Cause::SlaIdle => exits.idled_out += 1,
                            _ => exits.other += 1,
                        }
                    }
                }
                None if m.to != Stage::Removed => stay.open += 1,
                None => {}
            }
            let reason = m.reason.as_ref().map_or("(none)", |r| r.as_str());
            match m.to {
                Stage::Recycled => *self.recycle_reasons.entry(reason.into()).or_insert(0) += 1,
                Stage::Removed => *self.removal_reasons.entry(reason.into()).or_insert(0) += 1,
                _ => {}
            }
        }
        // Reached, per pass: from the pass's start up to the highest funnel stage.
        let mut highest: BTreeMap<u32, usize> = BTreeMap::new();
        for (m, pass) in lead.moves.iter().zip(&lead.passes) {
            if let Some(rank) = FUNNEL.iter().position(|s| *s == m.to) {
                let top = highest.entry(*pass).or_insert(rank);
                *top = (*top).max(rank);
            }
        }
        for (pass, top) in highest {
            let start = if pass == 1 { 0 } else { 1 };
            let reached = &mut self.pass(pass).reached;
            for stage in FUNNEL.iter().take(top + 1).skip(start) {
                *reached.entry(*stage).or_insert(0) += 1;
            }
        }
        // Now: the stage, and whether the current stay has missed a service level.
        let figures = self.stages.entry(last.to).or_default();
        figures.now += 1;
        if lead
            .breaches
            .iter()
            .any(|(at, stage, _)| *stage == last.to && *at >= last.at)
        {
            figures.past_sla_now.push(lead.id.clone());
        }
    }

    pub(super) fn merge(&mut self, other: &Waterfall) {
        for (stage, theirs) in &other.stages {
            let ours = self.stages.entry(*stage).or_default();
            ours.now += theirs.now;
            ours.entered += theirs.entered;
            ours.re_entered += theirs.re_entered;
            ours.past_sla_now = union(&ours.past_sla_now, &theirs.past_sla_now);
            let (a, b) = (&mut ours.time_in_stage, &theirs.time_in_stage);
            a.all.merge(&b.all);
            a.first_pass.merge(&b.first_pass);
            a.later_passes.merge(&b.later_passes);
            a.open += b.open;
        }
        for theirs in &other.passes {
            let ours = self.pass(theirs.pass);
            add_counts(&mut ours.entered, &theirs.entered);
            add_counts(&mut ours.reached, &theirs.reached);
        }
        self.sal_exits.merge(&other.sal_exits);
        add_counts(&mut self.recycle_reasons, &other.recycle_reasons);
        add_counts(&mut self.removal_reasons, &other.removal_reasons);
    }

    pub(super) fn finish(&mut self) {
        for figures in self.stages.values_mut() {
            let t = &mut figures.time_in_stage;
            t.all.finish();
            t.first_pass.finish();
            t.later_passes.finish();
        }
        for pass in &mut self.passes {
            pass.conversions = FUNNEL
                .windows(2)
                .map(|w| Conversion {
                    from: w[0],
                    to: w[1],
                    rate: Rate::of(
                        pass.reached.get(&w[1]).copied().unwrap_or(0),
                        pass.reached.get(&w[0]).copied().unwrap_or(0),
                    ),
                })
                .filter(|c| c.rate.whole > 0)
                .collect();
        }
        self.sal_exits.finish();
    }
}

/// Adds `other`'s counts to `ours`, key by key.
pub(super) fn add_counts<K: Ord + Clone>(ours: &mut BTreeMap<K, u64>, other: &BTreeMap<K, u64>) {
    for (k, n) in other {
        *ours.entry(k.clone()).or_insert(0) += n;
    }
}

/// The sorted union of two sorted lead lists.
pub(super) fn union(a: &[LeadId], b: &[LeadId]) -> Vec<LeadId> {
    let set: BTreeSet<&LeadId> = a.iter().chain(b).collect();
    set.into_iter().cloned().collect()
}
