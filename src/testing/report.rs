//! `check_invariants`, and the report of what a checked stream exercised.

use super::checks::{
    check_conservation, check_first_touch, check_no_black_hole, check_recycled_and_removed,
    check_rejected_unchanged,
};
use super::determinism::{check_idempotency, check_rerun, check_snapshot_restore};
use super::replay::rejected_kind;
use super::{EventStream, InvariantViolation};
use crate::book::LeadBook;
use crate::effect::{EffectType, RejectKind};
use crate::engine::Engine;
use crate::event::Event;
use crate::stage::Stage;
use chrono::TimeDelta;
use std::collections::BTreeMap;
use std::fmt;

/// What a checked stream exercised: how many events were applied and refused (by
/// kind), the effects by type, and where the leads ended. A host's property may
/// collect these to see that its streams reach the stages and effects it cares about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Events in the stream.
    pub events: usize,
    /// Events applied (the others were refused).
    pub applied: usize,
    /// Refused events by `rejected.kind`.
    pub refused: BTreeMap<RejectKind, usize>,
    /// Effects by type, `rejected` included.
    pub effects: BTreeMap<EffectType, usize>,
    /// Leads by stage after the last event (every stage listed).
    pub stages: BTreeMap<Stage, usize>,
}

impl Report {
    /// The report of one run of `events` on a new book.
    pub fn of(engine: &Engine, events: &[Event]) -> Self {
        let mut book = LeadBook::new();
        let mut report = Report {
            events: events.len(),
            ..Report::default()
        };
        for e in events {
            let effects = book.apply(engine, e);
            match rejected_kind(&effects) {
                Some(kind) => *report.refused.entry(kind).or_default() += 1,
                None => report.applied += 1,
            }
            for f in &effects {
                *report.effects.entry(f.kind.effect_type()).or_default() += 1;
            }
        }
        report.stages = book.stage_counts();
        report
    }

    /// How many leads reached the end in `stage`.
    pub fn leads_in(&self, stage: Stage) -> usize {
        self.stages.get(&stage).copied().unwrap_or(0)
    }

    /// How many effects of type `ty` the run gave.
    pub fn effects_of(&self, ty: EffectType) -> usize {
        self.effects.get(&ty).copied().unwrap_or(0)
    }
}

impl fmt::Display for Report {
    /// One line: `60 events (41 applied, 19 refused: 7 illegal_transition, ...);
    /// leads: 2 inquiry, 1 recycled, ...; 132 effects`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let refused: usize = self.refused.values().sum();
        write!(
            f,
            "{} events ({} applied, {refused} refused",
            self.events, self.applied
        )?;
        for (i, (kind, n)) in self.refused.iter().enumerate() {
            let sep = if i == 0 { ": " } else { ", " };
            write!(f, "{sep}{n} {}", kind.as_str())?;
        }
        f.write_str("); leads:")?;
        let mut any = false;
        for (stage, n) in self.stages.iter().filter(|(_, &n)| n > 0) {
            let sep = if any { ", " } else { " " };
            write!(f, "{sep}{n} {stage}")?;
            any = true;
        }
        if !any {
            f.write_str(" none")?;
        }
        let effects: usize = self.effects.values().sum();
        write!(f, "; {effects} effects")
    }
}

/// Replays `events` and checks every invariant of DESIGN.md that a replay of them
/// shows; the [`Report`] says what they exercised.
///
/// In order, each on its own replay from a new [`LeadBook`]:
///
/// 1. [`check_conservation`];
/// 2. [`check_no_black_hole`], with a final tick a day after the latest event;
/// 3. [`check_recycled_and_removed`], with a final tick 400 days after it, so that
///    nurture programs run to their end;
/// 4. [`check_first_touch`];
/// 5. [`check_rerun`], and [`check_snapshot_restore`] split in the middle;
/// 6. [`check_idempotency`], with every applied event that has an id delivered again
///    right after itself;
/// 7. [`check_rejected_unchanged`].
///
/// The first invariant that does not hold is the error. The other checks of
/// determinism need inputs of their own: a split point ([`check_snapshot_restore`]), a
/// stream's plan of later redeliveries ([`check_idempotency`]), books by lead
/// ([`check_partition`](super::check_partition)), a stream in time order
/// ([`check_tick_placement`](super::check_tick_placement)).
///
/// Every check also runs the engine on streams it was not built for, with debug
/// assertions on in tests: a panic is a failure too.
pub fn check_invariants(engine: &Engine, events: &[Event]) -> Result<Report, InvariantViolation> {
    check_conservation(engine, events)?;
    check_no_black_hole(engine, events, TimeDelta::days(1))?;
    check_recycled_and_removed(engine, events, TimeDelta::days(400))?;
    check_first_touch(engine, events)?;
    check_rerun(engine, events)?;
    check_snapshot_restore(engine, events, events.len() / 2)?;
    check_idempotency(engine, &EventStream::each_right_after(events))?;
    check_rejected_unchanged(engine, events)?;
    Ok(Report::of(engine, events))
}
