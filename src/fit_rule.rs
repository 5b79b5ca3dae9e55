//! A profile fit rule and how it matches a profile. Both the policy (which holds the
//! rules) and the scoring (which sums their points) use it, so it sits below both.

use crate::profile::{Profile, ProfileValue};
use serde::{Deserialize, Serialize};

/// A profile rule: when attribute `attr` meets the rule's one condition, `points` are
/// added to the lead's fit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRule {
    /// The profile attribute.
    pub attr: String,
    /// Matches when the value equals one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<ProfileValue>>,
    /// Matches when the value equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<ProfileValue>,
    /// Matches when the value is a number at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Matches when the value is a number at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// Matches when the attribute is present (`true`) or absent (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// Points added when the rule matches; negative allowed.
    pub points: f64,
}

impl FitRule {
    /// How many conditions the rule sets; a valid rule sets exactly one.
    pub(crate) fn condition_count(&self) -> usize {
        [
            self.any_of.is_some(),
            self.equals.is_some(),
            self.at_least.is_some(),
            self.at_most.is_some(),
            self.exists.is_some(),
        ]
        .into_iter()
        .filter(|&set| set)
        .count()
    }

    /// Whether `profile` meets the rule's condition.
    pub(crate) fn matches(&self, profile: &Profile) -> bool {
        let value = profile.get(&self.attr);
        if let Some(exists) = self.exists {
            return value.is_some() == exists;
        }
        let Some(value) = value else { return false };
        if let Some(options) = &self.any_of {
            return options.iter().any(|o| same(o, value));
        }
        if let Some(expected) = &self.equals {
            return same(expected, value);
        }
        let Some(n) = value.as_number() else {
            return false;
        };
        self.at_least.is_none_or(|min| n >= min) && self.at_most.is_none_or(|max| n <= max)
    }
}

/// Values compare as numbers when both are numeric, otherwise as text, so `200` in a
/// policy matches `"200"` from a form.
fn same(a: &ProfileValue, b: &ProfileValue) -> bool {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x == y,
        // Two texts compare as they are; only a mixed pair is formatted (`to_string`
        // allocated twice per option at every lead's creation: 4% of a replay's
        // instructions, callgrind, docs/performance.md issue 11).
        _ => match (a, b) {
            (ProfileValue::Text(x), ProfileValue::Text(y)) => x == y,
            _ => a.to_string() == b.to_string(),
        },
    }
}
