//! Scoring: fit points from the profile graded A-D, engagement points from touches
//! banded 1-4 with decay, group caps and a bounded ledger that explains the score.
//!
//! This is the scoring the engine runs on every step. Checking a scoring policy against
//! closed deals and learning one from them is [`calibrate`](crate::calibrate)'s job.

mod fit;
mod group_points;
mod state;

pub use crate::matrix::{Band, Cell, Grade};
pub use fit::fit_points;
pub(crate) use fit::{fit_changes, fit_entries};
pub use group_points::GroupPoints;
pub(crate) use state::{decay_factor, Bounds};
pub use state::{Ledger, LedgerCause, LedgerEntry, Reached, SalesAttempt, ScoreState};
