//! The stages of the demand waterfall and the one table of legal moves.

use crate::effect::Cause;
use crate::error::ParseNameError;
use crate::event::EventType;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

    /// Whether the waterfall has an edge from `self` to `to`: whether some row of the
    /// [`moves`] table takes a lead from `self` to `to`. Every stage change the engine
    /// makes is checked against it.
    ///
    /// ```text
    /// inquiry -> mql -> sal -> sql -> opportunity -> customer
    /// inquiry -> sal, mql -> sql, sal -> opportunity
    /// mql | sal | sql | opportunity -> recycled -> mql | sal
    /// any stage but removed -> removed
    /// ```
    pub fn can_move_to(self, to: Stage) -> bool {
        Cause::ALL.iter().any(|&cause| {
            let m = moves(cause);
            m.from.contains(&self) && m.to.contains(&to)
        })
    }
}

/// One row of the waterfall's transition table: the stages a cause applies from, and
/// the stages it can move a lead to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moves {
    /// The stages the event is legal from (for a timer or a qualification: the stages
    /// it can fire in).
    pub from: &'static [Stage],
    /// The stages it can move the lead to. Empty when it never moves the lead by itself
    /// (a touch changes the score; the lead may then qualify, which is the `score` row).
    /// A lead may also stay where it is (an `unsubscribed` sales lead keeps its stage).
    pub to: &'static [Stage],
}

/// The table of legal moves, one row per cause: every event type of the contract's
/// event table, and the engine's own causes (qualification by score or hand-raiser,
/// the idle timer). The one place the waterfall is written down: [`legal_from`] and
/// [`Stage::can_move_to`] read it.
pub fn moves(cause: Cause) -> Moves {
    use Stage::*;
    const LIVE: &[Stage] = &[Inquiry, Mql, Sal, Sql, Opportunity, Customer, Recycled];
    const SALES: &[Stage] = &[Mql, Sal, Sql, Opportunity];
    const RECYCLE: &[Stage] = &[Recycled, Removed];
    let (from, to): (&'static [Stage], &'static [Stage]) = match cause {
        // A new lead: it comes from no stage.
        Cause::Created => (&[], &[Inquiry]),
        Cause::Touch | Cause::Profile | Cause::SalesAttempt | Cause::Tick => (LIVE, &[]),
        // Names no lead, like a tick: the book keeps it and moves no lead.
        Cause::AccountAlias => (LIVE, &[]),
        Cause::SalesAccepted => (&[Inquiry, Mql, Recycled], &[Sal]),
        Cause::SalesRejected => (&[Mql, Sal], RECYCLE),
        Cause::SalesQualified => (&[Mql, Sal], &[Sql]),
        Cause::OpportunityOpened => (&[Sal, Sql], &[Opportunity]),
        Cause::OpportunityWon => (&[Opportunity], &[Customer]),
        Cause::OpportunityLost => (&[Opportunity], RECYCLE),
        Cause::Disqualified => (&[Mql, Sal, Sql], RECYCLE),
        Cause::Recycled => (SALES, RECYCLE),
        Cause::Unsubscribed | Cause::ContactLost | Cause::Merged => (LIVE, &[Removed]),
        Cause::Score | Cause::HandRaiser | Cause::Account => (&[Inquiry, Recycled], &[Mql]),
        Cause::SlaIdle => (SALES, RECYCLE),
    };
    Moves { from, to }
}

/// The stages an event of type `event` is legal from: its row of [`moves`], the one
/// place the engine checks before applying any event.
pub fn legal_from(event: EventType) -> &'static [Stage] {
    moves(Cause::from(event)).from
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a stage's wire name (`"mql"`), the text [`Display`](fmt::Display) writes.
impl FromStr for Stage {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Stage, ParseNameError> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| ParseNameError::new("a stage", s, Stage::ALL.map(Stage::as_str)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_parses_from_the_name_it_displays() {
        for stage in Stage::ALL {
            assert_eq!(stage.to_string().parse::<Stage>(), Ok(stage));
        }
    }

    #[test]
    fn an_unknown_stage_name_is_refused_listing_the_stages() {
        for bad in ["MQL", "lead", "", " mql"] {
            let err = bad.parse::<Stage>().unwrap_err();
            let message = err.to_string();
            assert!(message.contains(&format!("`{bad}`")), "{message}");
            for stage in Stage::ALL {
                assert!(message.contains(stage.as_str()), "{message}");
            }
        }
    }

    #[test]
    fn removed_is_terminal_and_every_other_stage_can_be_removed() {
        for s in Stage::ALL {
            assert!(!Stage::Removed.can_move_to(s));
            assert_eq!(s.can_move_to(Stage::Removed), s != Stage::Removed);
        }
    }

    /// The waterfall as drawn in DESIGN.md, written out edge by edge: the table must
    /// give exactly these edges, no more and no fewer.
    #[test]
    fn the_table_gives_exactly_the_waterfalls_edges() {
        use Stage::*;
        let drawn = |from: Stage, to: Stage| {
            matches!(
                (from, to),
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
        };
        for from in Stage::ALL {
            for to in Stage::ALL {
                assert_eq!(from.can_move_to(to), drawn(from, to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn every_cause_has_a_row_and_only_created_starts_from_nothing() {
        for &cause in Cause::ALL {
            let m = moves(cause);
            assert_eq!(m.from.is_empty(), cause == Cause::Created, "{cause}");
            assert!(!m.from.contains(&Stage::Removed), "{cause} from removed");
        }
    }

    #[test]
    fn no_stage_moves_to_itself() {
        for s in Stage::ALL {
            assert!(!s.can_move_to(s), "{s}");
        }
    }
}
