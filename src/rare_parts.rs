//! The parts of a lead that a new, idle lead does not have, kept behind one pointer.
//!
//! Most leads of a large book are inquiries nobody worked: no owner, no opportunity, no
//! nurture, never recycled. Their record held ~260 bytes of empty fields for these
//! (issue 11, docs/performance.md); now it holds one null pointer, and the parts are
//! allocated the first time any of them is set.

use crate::id::RepId;
use crate::lead::{Enrollment, OwnerAlerts, SlaClock};
use crate::name::Name;
use crate::program_positions::ProgramPositions;
use chrono::{DateTime, Utc};
use std::fmt;

/// What a lead gains as it is worked: sales ownership, its opportunity, its removal,
/// nurture, its service-level clock, its recycling history and the owner-alert memory.
#[derive(Clone, Debug, PartialEq)]
// The SLA clock first (`repr(C)`): every event to a timed lead reads it, so it should
// sit in the block's first line or two, which `Lead::warm` reads ahead.
#[repr(C)]
pub(crate) struct RareParts {
    /// Only the timed stages (MQL and later in the default policy) set it: a new
    /// inquiry's record no longer carries 40 empty bytes for it (issue 11).
    pub(crate) sla: SlaClock,
    pub(crate) owner: Option<RepId>,
    pub(crate) original_rep: Option<RepId>,
    pub(crate) opportunity: Option<String>,
    pub(crate) removed_reason: Option<String>,
    pub(crate) nurture: Option<Enrollment>,
    pub(crate) program_positions: ProgramPositions,
    pub(crate) choices: Vec<Name>,
    /// When the lead was created, kept here only when it is not its first touch's
    /// time: a merge that gave it a duplicate's earlier first touch, or a lead read
    /// back that way. Every other lead's creation is its first touch (issue 11).
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) times_recycled: u32,
    pub(crate) recycle_reasons: Vec<Name>,
    pub(crate) alerts: OwnerAlerts,
}

impl RareParts {
    /// Every part empty, as a lead is created.
    const EMPTY: RareParts = RareParts {
        sla: SlaClock::EMPTY,
        owner: None,
        original_rep: None,
        opportunity: None,
        removed_reason: None,
        nurture: None,
        program_positions: ProgramPositions::new(),
        choices: Vec::new(),
        created_at: None,
        times_recycled: 0,
        recycle_reasons: Vec::new(),
        alerts: OwnerAlerts::new(),
    };
}

/// Every part empty: [`RareParts::EMPTY`], the one definition (a `static` needs a
/// `const`).
impl Default for RareParts {
    fn default() -> Self {
        RareParts::EMPTY
    }
}

static EMPTY: RareParts = RareParts::EMPTY;

/// The rare parts, allocated on first write. Reads of a lead without them see them
/// empty; two leads compare by what their parts hold, not by whether they were
/// allocated.
#[derive(Clone, Default)]
pub(crate) struct Rare(Option<Box<RareParts>>);

impl Rare {
    /// The parts (empty ones when none was ever set).
    pub(crate) fn get(&self) -> &RareParts {
        self.0.as_deref().unwrap_or(&EMPTY)
    }

    /// The parts, to change them; allocates them the first time.
    pub(crate) fn get_mut(&mut self) -> &mut RareParts {
        self.0.get_or_insert_with(Box::default)
    }

    /// The parts to change, only when they were allocated: for a change that is
    /// nothing to do on a lead without them (ending a nurture it is not in).
    pub(crate) fn if_set(&mut self) -> Option<&mut RareParts> {
        self.0.as_deref_mut()
    }

    /// Holds `parts`, allocating only when one is not empty.
    pub(crate) fn from_parts(parts: RareParts) -> Self {
        if parts == RareParts::EMPTY {
            Rare(None)
        } else {
            Rare(Some(Box::new(parts)))
        }
    }
}

impl PartialEq for Rare {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Rare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_rare_part_reads_empty_and_allocates_nothing() {
        let rare = Rare::default();
        assert_eq!(rare.get(), &RareParts::default());
        assert!(rare.0.is_none());
        assert!(Rare::from_parts(RareParts::default()).0.is_none());
    }

    #[test]
    fn parts_set_and_then_emptied_compare_equal_to_parts_never_set() {
        let mut rare = Rare::default();
        rare.get_mut().owner = Some(RepId::from("R7"));
        assert_ne!(rare, Rare::default());
        assert_eq!(rare.get().owner.as_ref().map(RepId::as_str), Some("R7"));
        rare.get_mut().owner = None;
        assert!(rare.0.is_some());
        assert_eq!(rare, Rare::default());
    }
}
