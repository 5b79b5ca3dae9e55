//! The stages of the demand waterfall and the one table of legal moves.

use crate::event::EventType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a lead stands in the demand waterfall. Every lead is in exactly one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A new lead: a form fill, a list import, a badge scan.
    Inquiry,
    /// Marketing-qualified: its score crossed the threshold, or it raised its hand.
    Mql,
    /// Sales-accepted: a rep took it.
    Sal,
    /// Sales-qualified: need, budget, authority and timing confirmed.
    Sql,
    /// An open opportunity.
    Opportunity,
    /// Won.
    Customer,
    /// Owned by marketing again and enrolled in a nurture program.
    Recycled,
    /// Out of the waterfall for a stated reason. Terminal.
    Removed,
}

impl Stage {
    /// Every stage, in waterfall order.
    pub const ALL: [Stage; 8] = [
        Stage::Inquiry,
        Stage::Mql,
        Stage::Sal,
        Stage::Sql,
        Stage::Opportunity,
        Stage::Customer,
        Stage::Recycled,
        Stage::Removed,
    ];

    /// The stage's name as it appears on the wire (`"mql"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Inquiry => "inquiry",
            Stage::Mql => "mql",
            Stage::Sal => "sal",
            Stage::Sql => "sql",
            Stage::Opportunity => "opportunity",
            Stage::Customer => "customer",
            Stage::Recycled => "recycled",
            Stage::Removed => "removed",
        }
    }

    /// Whether the waterfall has an edge from `self` to `to`.
    ///
    /// This is the single table every stage change in the engine is checked against:
    ///
    /// ```text
    /// inquiry -> mql -> sal -> sql -> opportunity -> customer
    /// inquiry -> sal, mql -> sql, sal -> opportunity
    /// mql | sal | sql | opportunity -> recycled -> mql | sal
    /// any stage but removed -> removed
    /// ```
    pub fn can_move_to(self, to: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, to),
            (Inquiry, Mql | Sal)
                | (Mql, Sal | Sql | Recycled)
                | (Sal, Sql | Opportunity | Recycled)
                | (Sql, Opportunity | Recycled)
                | (Opportunity, Customer | Recycled)
                | (Recycled, Mql | Sal)
                | (
                    Inquiry | Mql | Sal | Sql | Opportunity | Customer | Recycled,
                    Removed
                )
        )
    }
}

/// The stages an event of type `event` is legal from: the contract's table, the one
/// place the engine checks before applying any event.
pub fn legal_from(event: EventType) -> &'static [Stage] {
    use Stage::*;
    const LIVE: &[Stage] = &[Inquiry, Mql, Sal, Sql, Opportunity, Customer, Recycled];
    match event {
        EventType::Created => &[],
        EventType::Touch
        | EventType::Profile
        | EventType::SalesAttempt
        | EventType::Unsubscribed
        | EventType::ContactLost
        | EventType::Merged
        | EventType::Tick => LIVE,
        EventType::SalesAccepted => &[Inquiry, Mql, Recycled],
        EventType::SalesRejected | EventType::SalesQualified => &[Mql, Sal],
        EventType::OpportunityOpened => &[Sal, Sql],
        EventType::OpportunityWon | EventType::OpportunityLost => &[Opportunity],
        EventType::Disqualified => &[Mql, Sal, Sql],
        EventType::Recycled => &[Mql, Sal, Sql, Opportunity],
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_is_terminal_and_every_other_stage_can_be_removed() {
        for s in Stage::ALL {
            assert!(!Stage::Removed.can_move_to(s));
            assert_eq!(s.can_move_to(Stage::Removed), s != Stage::Removed);
        }
    }

    #[test]
    fn no_stage_moves_to_itself() {
        for s in Stage::ALL {
            assert!(!s.can_move_to(s), "{s}");
        }
    }
}
