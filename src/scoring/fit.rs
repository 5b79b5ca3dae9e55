use crate::policy::{FitRule, Grades};
use crate::profile::{Profile, ProfileValue};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The sum of the points of every fit rule the profile matches.
pub fn fit_points(rules: &[FitRule], profile: &Profile) -> f64 {
    rules
        .iter()
        .filter(|r| matches(r, profile))
        .map(|r| r.points)
        .sum()
}

fn matches(rule: &FitRule, profile: &Profile) -> bool {
    let value = profile.get(&rule.attr);
    if let Some(exists) = rule.exists {
        return value.is_some() == exists;
    }
    let Some(value) = value else { return false };
    if let Some(options) = &rule.any_of {
        return options.iter().any(|o| same(o, value));
    }
    if let Some(expected) = &rule.equals {
        return same(expected, value);
    }
    let Some(n) = value.as_number() else {
        return false;
    };
    rule.at_least.is_none_or(|min| n >= min) && rule.at_most.is_none_or(|max| n <= max)
}

/// Values compare as numbers when both are numeric, otherwise as text, so `200` in a
/// policy matches `"200"` from a form.
fn same(a: &ProfileValue, b: &ProfileValue) -> bool {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x == y,
        _ => a.to_string() == b.to_string(),
    }
}

/// A fit grade, A (best) to D.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// At least `grades.A` points.
    A,
    /// At least `grades.B` points.
    B,
    /// At least `grades.C` points.
    C,
    /// Below `grades.C`.
    D,
}

impl Grade {
    /// The grade for `points` under the policy's grade table.
    pub fn of(points: f64, grades: &Grades) -> Grade {
        if points >= grades.a {
            Grade::A
        } else if points >= grades.b {
            Grade::B
        } else if points >= grades.c {
            Grade::C
        } else {
            Grade::D
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}
