//! Scoring: fit points from the profile graded A-D, engagement points from touches
//! banded 1-4 with decay, group caps and a bounded ledger that explains the score.

mod fit;
mod matrix;
mod state;

pub use fit::fit_points;
pub(crate) use fit::{fit_changes, fit_entries};
pub use matrix::{Band, Cell, Grade};
pub(crate) use state::Bounds;
pub use state::{Ledger, LedgerCause, LedgerEntry, ScoreState};
