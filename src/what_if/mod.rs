//! What-if: the same history replayed under two policies, and what differs.
//!
//! A team that changes a rule replays its history under the policy it runs today
//! (*before*) and the one it means to ship (*after*), and reads which leads would end
//! differently. [`what_if`] does that through two [`LeadBook`](crate::LeadBook)s,
//! using nothing but the public [`Engine`] and `LeadBook` API, so it works for any two
//! engines, whatever their policies or rule hooks. `docs/what_if.md`
//! ([`docs::what_if`](crate::docs::what_if)) describes the report and the example
//! command line.
//!
//! It sits above the book, like [`calibrate`](crate::calibrate): the engine and the
//! book know nothing of it.

mod display;
mod replay;

pub use replay::WhatIfReplay;

use crate::effect::EffectType;
use crate::engine::Engine;
use crate::event::Event;
use crate::id::{LeadId, RepId};
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Replays `history` under two engines and reports what differs: per lead, per stage,
/// per program and per effect type.
///
/// Each event goes to two books, one per engine, in the order given, exactly as
/// [`LeadBook::apply`](crate::LeadBook::apply) would take it (ticks included; refused
/// events are refused in each book as they would be in one). Nothing advances the
/// clock after the last event; [`what_if_until`] does.
///
/// ```
/// use leadcycle::{what_if, Engine, Event, OutcomeField, Policy};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let history = [
///     Event::created("L1", "2026-01-05T10:00:00Z".parse()?, "webinar"),
///     Event::sales_accepted("L1", "2026-01-06T10:00:00Z".parse()?, "R7"),
///     Event::disqualified("L1", "2026-01-07T10:00:00Z".parse()?, "R7", "bad_timing"),
///     Event::created("L2", "2026-01-05T11:00:00Z".parse()?, "ebook"),
/// ];
/// let today = Engine::new(Policy::default())?;
/// let mut changed = Policy::default();
/// changed.recycle.reasons.insert("bad_timing".into(), "budget_cycle".into());
/// let proposed = Engine::new(changed)?;
///
/// let report = what_if(&history, &today, &proposed);
/// assert_eq!(report.totals.leads_compared, 2);
/// assert_eq!(report.leads.len(), 1); // L2 ends the same under both
/// let l1 = &report.leads[0];
/// assert_eq!(l1.lead.as_str(), "L1");
/// assert!(l1.changed.contains(&OutcomeField::Program));
/// assert_eq!(l1.after.as_ref().unwrap().program.as_deref(), Some("budget_cycle"));
/// assert!(report.stages.is_empty()); // L1 is recycled either way
/// println!("{report}");
/// # Ok(())
/// # }
/// ```
pub fn what_if<'a>(
    history: impl IntoIterator<Item = &'a Event>,
    before: &Engine,
    after: &Engine,
) -> WhatIf {
    let mut replay = WhatIfReplay::new(before, after);
    for event in history {
        replay.apply(event);
    }
    replay.finish(None)
}

/// [`what_if`], then the clock advanced to `until` in both books (a `tick` at `until`,
/// like the replay example's `--until`), so that the deadlines due by then fire before
/// the leads are compared. The tick is not counted in [`WhatIfTotals::events`].
pub fn what_if_until<'a>(
    history: impl IntoIterator<Item = &'a Event>,
    before: &Engine,
    after: &Engine,
    until: DateTime<Utc>,
) -> WhatIf {
    let mut replay = WhatIfReplay::new(before, after);
    for event in history {
        replay.apply(event);
    }
    replay.finish(Some(until))
}

/// What differs when the same history is replayed under two policies: the report of
/// [`what_if`].
///
/// Every map and list holds only what changed, so two runs that agree everywhere give
/// a report for which [`WhatIf::is_empty`] is true. Maps are ordered by key and leads
/// by id: the report is the same on every run and machine. `Display` prints a summary
/// for a person (see [`WhatIf::summary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhatIf {
    /// The [fingerprint](crate::Policy::fingerprint) of the *before* engine's policy.
    pub before_policy: String,
    /// The fingerprint of the *after* engine's policy.
    pub after_policy: String,
    /// The time the clock was advanced to after the last event, if it was.
    pub until: Option<DateTime<Utc>>,
    /// The sizes of the run.
    pub totals: WhatIfTotals,
    /// Leads per stage at the end, for every stage whose count changed.
    pub stages: BTreeMap<Stage, CountChange>,
    /// Leads enrolled per nurture program at the end (recycled leads and customers
    /// alike), for every program whose count changed.
    pub programs: BTreeMap<String, CountChange>,
    /// Effects per type over the whole run, for every type whose count changed.
    pub effects: BTreeMap<EffectType, CountChange>,
    /// Every lead whose outcome or effects differ, in lead id order.
    pub leads: Vec<LeadDiff>,
}

impl WhatIf {
    /// Whether nothing differs: no lead, stage count, program count or effect count.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
            && self.stages.is_empty()
            && self.programs.is_empty()
            && self.effects.is_empty()
    }
}

/// The sizes of a what-if run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhatIfTotals {
    /// The events replayed (ticks included; the `until` tick not).
    pub events: usize,
    /// The leads compared: every lead in either book at the end.
    pub leads_compared: usize,
    /// The leads that differ: the length of [`WhatIf::leads`].
    pub leads_changed: usize,
    /// Every effect of the run, under each policy.
    pub effects: CountChange,
}

/// A count under the *before* policy and under the *after* policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountChange {
    /// The count under the *before* policy.
    pub before: usize,
    /// The count under the *after* policy.
    pub after: usize,
}

impl CountChange {
    /// `after - before`: positive when the *after* policy gives more.
    pub fn delta(&self) -> i64 {
        signed(self.after) - signed(self.before)
    }

    /// Whether the two counts differ.
    pub fn is_changed(&self) -> bool {
        self.before != self.after
    }
}

/// A count as a signed number (a count never comes near `i64::MAX`).
fn signed(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One lead that ends differently, or gets different effects, under the two policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadDiff {
    /// The lead.
    pub lead: LeadId,
    /// Its outcome under the *before* policy; `None` when that book has no such lead
    /// (its `created` event was refused there).
    pub before: Option<LeadOutcome>,
    /// Its outcome under the *after* policy; `None` when that book has no such lead.
    pub after: Option<LeadOutcome>,
    /// What differs, in [`OutcomeField`] order; never empty.
    pub changed: Vec<OutcomeField>,
}

/// Where a lead ended under one policy: its state after the last event (and the
/// `until` tick), and what its effects added up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadOutcome {
    /// Its stage.
    pub stage: Stage,
    /// The nurture program it is enrolled in, if any.
    pub program: Option<String>,
    /// The next step of that program it will be sent (0-based; the program's length
    /// once it was sent every step), if it is enrolled.
    pub step: Option<usize>,
    /// The rep who owns it, if any.
    pub owner: Option<RepId>,
    /// The rep of its last `routed` effect, if it was ever routed.
    pub routed_to: Option<RepId>,
    /// Why it was removed, if it was.
    pub removed_reason: Option<String>,
    /// How many times it entered `recycled`.
    pub times_recycled: u32,
    /// How many effects named it over the run.
    pub effects: usize,
}

/// One way two outcomes of a lead can differ; [`LeadDiff::changed`] lists them in this
/// order. The serde form is the snake_case name (`"routed_to"`), the field's name in
/// [`LeadOutcome`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutcomeField {
    /// The lead is in one book only (its `created` event was refused in the other).
    Exists,
    /// [`LeadOutcome::stage`].
    Stage,
    /// [`LeadOutcome::program`].
    Program,
    /// [`LeadOutcome::step`].
    Step,
    /// [`LeadOutcome::owner`].
    Owner,
    /// [`LeadOutcome::routed_to`].
    RoutedTo,
    /// [`LeadOutcome::removed_reason`].
    RemovedReason,
    /// [`LeadOutcome::times_recycled`].
    TimesRecycled,
    /// The effects that named the lead differ: in number, in content, in order, or in
    /// the event that produced them. A lead can end the same and still differ here
    /// (a service level missed under one policy only, say).
    Effects,
}

impl OutcomeField {
    /// The field's name: its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeField::Exists => "exists",
            OutcomeField::Stage => "stage",
            OutcomeField::Program => "program",
            OutcomeField::Step => "step",
            OutcomeField::Owner => "owner",
            OutcomeField::RoutedTo => "routed_to",
            OutcomeField::RemovedReason => "removed_reason",
            OutcomeField::TimesRecycled => "times_recycled",
            OutcomeField::Effects => "effects",
        }
    }
}

impl LeadOutcome {
    /// The fields in which `self` (before) and `after` differ, in [`OutcomeField`]
    /// order; `effects_differ` says whether the lead's effect streams differ.
    fn changed(&self, after: &LeadOutcome, effects_differ: bool) -> Vec<OutcomeField> {
        let checks = [
            (OutcomeField::Stage, self.stage != after.stage),
            (OutcomeField::Program, self.program != after.program),
            (OutcomeField::Step, self.step != after.step),
            (OutcomeField::Owner, self.owner != after.owner),
            (OutcomeField::RoutedTo, self.routed_to != after.routed_to),
            (
                OutcomeField::RemovedReason,
                self.removed_reason != after.removed_reason,
            ),
            (
                OutcomeField::TimesRecycled,
                self.times_recycled != after.times_recycled,
            ),
            (
                OutcomeField::Effects,
                effects_differ || self.effects != after.effects,
            ),
        ];
        checks
            .into_iter()
            .filter_map(|(field, differs)| differs.then_some(field))
            .collect()
    }
}
