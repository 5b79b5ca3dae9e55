use serde::{Deserialize, Serialize};

/// A nurture program: content sent one step at a time on a cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// Days between steps, and from the last step to completion. Greater than 0.
    pub cadence_days: f64,
    /// Whether re-entry continues at the first step the lead has not been sent
    /// (`true`, the default) or restarts at step 0.
    #[serde(default = "yes")]
    pub resume: bool,
    /// The content of each step, in order.
    pub steps: Vec<String>,
    /// Where a recycled lead goes when this program completes; without it, to
    /// `recycle.default_program`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<String>,
}

fn yes() -> bool {
    true
}
