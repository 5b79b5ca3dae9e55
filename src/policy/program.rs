use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Branches, content -> program: content a lead enrolled here consumes (a `touch`
    /// with that `content`) moves it into the program named, where it resumes as on
    /// any other enrollment (`nurture_assigned` with reason `branch`), and is
    /// remembered as one of its [choices](crate::Lead::choices). Each names another
    /// program the policy defines; no content is empty. Empty by default, and then
    /// left out when the policy is written, so a policy without branches reads,
    /// writes and fingerprints as it did before branches existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub branches: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}
