use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where recycled, removed and won leads go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecyclePolicy {
    /// Reasons that remove a lead instead of recycling it.
    pub remove_reasons: Vec<String>,
    /// The program for a reason that has none of its own, and after a program with no `then`.
    pub default_program: String,
    /// The program for passive (idle) recycling.
    pub passive_program: String,
    /// The program a lead enters when its opportunity is won.
    pub customer_program: String,
    /// The program for each recycle reason.
    pub reasons: BTreeMap<String, String>,
}

impl Default for RecyclePolicy {
    fn default() -> Self {
        RecyclePolicy {
            remove_reasons: ["not_a_buyer", "bad_data", "wrong_industry"]
                .map(str::to_owned)
                .to_vec(),
            default_program: "general_nurture".to_owned(),
            passive_program: "stalled".to_owned(),
            customer_program: "onboarding".to_owned(),
            reasons: [
                ("no_budget", "budget_cycle"),
                ("bad_timing", "timing_drip"),
                ("no_authority", "champion_enablement"),
                ("competitor_chosen", "competitive_displacement"),
            ]
            .into_iter()
            .map(|(r, p)| (r.to_owned(), p.to_owned()))
            .collect(),
        }
    }
}
