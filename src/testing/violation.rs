//! What a check reports when an invariant does not hold.

use crate::id::LeadId;
use std::fmt;
use thiserror::Error;

/// An invariant of the design ("Invariants" in DESIGN.md, 1 to 7), as the checks of
/// this module test it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Invariant {
    /// 1. Every created lead is in exactly one stage, the one its transitions lead to;
    ///    the stage counts add up to the leads created.
    Conservation,
    /// 2. After the clock reaches t, no lead is past a service level, idle limit or
    ///    nurture step at or before t without an effect that says so or moves it.
    NoBlackHole,
    /// 3. A lead in `recycled` always has a nurture enrollment.
    RecycledEnrolled,
    /// 3. A `removed` lead gets no effect after its removal (no nurture assignment,
    ///    step, routing or transition); only its enrollment ends, with the removal.
    RemovedLeftAlone,
    /// 4. The first touch never changes after creation, except that a merge may give a
    ///    survivor its duplicate's earlier one.
    FirstTouchKept,
    /// 5. The same events give byte-identical effects and state on a second run.
    Rerun,
    /// 5. A snapshot taken mid-stream, written as JSON and restored, then continued,
    ///    gives the same effects and state as one uninterrupted run.
    SnapshotRestore,
    /// 5. A stream split by lead across several books gives each lead the same effects
    ///    as one book.
    Partition,
    /// 5. A lead's effects do not depend on where the ticks fall (CONTRACT.md, "Time").
    TickPlacement,
    /// 6. An event delivered twice (same `id`) is applied once.
    Idempotency,
    /// 7. A rejected event changes nothing itself: the book afterwards is the one its
    ///    lead's own due deadlines alone give, and its effects are theirs and the one
    ///    `rejected`.
    RejectedChangesNothing,
}

impl Invariant {
    /// Its number in DESIGN.md's list.
    pub fn number(self) -> u8 {
        match self {
            Invariant::Conservation => 1,
            Invariant::NoBlackHole => 2,
            Invariant::RecycledEnrolled | Invariant::RemovedLeftAlone => 3,
            Invariant::FirstTouchKept => 4,
            Invariant::Rerun
            | Invariant::SnapshotRestore
            | Invariant::Partition
            | Invariant::TickPlacement => 5,
            Invariant::Idempotency => 6,
            Invariant::RejectedChangesNothing => 7,
        }
    }

    /// A few words that name it.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::Conservation => "conservation",
            Invariant::NoBlackHole => "no black hole",
            Invariant::RecycledEnrolled => "a recycled lead is enrolled",
            Invariant::RemovedLeftAlone => "a removed lead is left alone",
            Invariant::FirstTouchKept => "the first touch is kept",
            Invariant::Rerun => "determinism: a second run",
            Invariant::SnapshotRestore => "determinism: snapshot and restore",
            Invariant::Partition => "determinism: partitioned by lead",
            Invariant::TickPlacement => "determinism: where the ticks fall",
            Invariant::Idempotency => "idempotency",
            Invariant::RejectedChangesNothing => "a rejected event changes nothing",
        }
    }
}

impl fmt::Display for Invariant {
    /// `5 (determinism: snapshot and restore)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.number(), self.name())
    }
}

/// An invariant that does not hold over a replay: which one, where, and what was seen.
///
/// Its `Display` is the whole story, for a test failure:
/// `invariant 3 (a recycled lead is enrolled) broken at event 17, lead L2: ...`. In a
/// `proptest!` body, `?` turns it into a failing case with that message (proptest's
/// `TestCaseError` converts from any error).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invariant {invariant} broken{}: {message}", place(.event, .lead))]
#[non_exhaustive]
pub struct InvariantViolation {
    /// The invariant.
    pub invariant: Invariant,
    /// The index of the event in the stream at which it was seen; the stream's length
    /// for a tick the check adds after the stream. `None` when it concerns the whole
    /// run (a final state).
    pub event: Option<usize>,
    /// The lead it concerns, when it concerns one.
    pub lead: Option<LeadId>,
    /// What was seen, with the effects or states compared.
    pub message: String,
}

impl InvariantViolation {
    pub(super) fn new(
        invariant: Invariant,
        event: Option<usize>,
        lead: Option<&LeadId>,
        message: String,
    ) -> Self {
        InvariantViolation {
            invariant,
            event,
            lead: lead.cloned(),
            message,
        }
    }
}

fn place(event: &Option<usize>, lead: &Option<LeadId>) -> String {
    match (event, lead) {
        (Some(i), Some(lead)) => format!(" at event {i}, lead {lead}"),
        (Some(i), None) => format!(" at event {i}"),
        (None, Some(lead)) => format!(" for lead {lead}"),
        (None, None) => String::new(),
    }
}
