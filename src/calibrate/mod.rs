//! Calibration: checks a scoring policy against leads whose outcome is known, and
//! learns one from them.
//!
//! [`evaluate`] replays labelled leads through an [`Engine`](crate::Engine) and reports
//! how well its score ranks the ones that converted; [`learn`] trains logistic
//! regressions on a train split, turns their weights into a scoring section and checks
//! it on a test split. Both replay history through the engine, so this module sits
//! above it, never inside [`scoring`](crate::scoring), the runtime scoring the engine
//! itself uses. `docs/scoring.md` describes both at length.

mod evidence;
mod feature;
mod learning;
mod logistic;
mod metrics;

pub use evidence::{evaluate, measure, Evaluation, EvidenceError, LabelledLead, ScoredLead};
pub use feature::Feature;
pub use learning::{
    learn, HalfLifeTrial, LearnOptions, LearnReport, Model, Scale, ScaleMethod, SplitSummary,
    Weight,
};
pub use metrics::{conversion_rate, roc_auc, Bucket, Decile};
