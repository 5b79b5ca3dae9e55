//! Scoring: fit points from the profile graded A-D, engagement points from touches
//! banded 1-4 with decay, group caps and a bounded ledger that explains the score.

mod evidence;
mod fit;
mod learn;
mod logistic;
mod matrix;
mod metrics;
mod state;

pub use evidence::{evaluate, Evaluation, EvidenceError, LabelledLead, ScoredLead};
pub use fit::fit_points;
pub(crate) use fit::{fit_changes, fit_entries};
pub use learn::{
    fit, Feature, FitOptions, FitReport, Model, Scale, ScaleMethod, SplitSummary, Weight,
};
pub use matrix::{Band, Cell, Grade};
pub use metrics::{conversion_rate, roc_auc, Bucket, Decile};
pub(crate) use state::Bounds;
pub use state::{Ledger, LedgerCause, LedgerEntry, ScoreState};
