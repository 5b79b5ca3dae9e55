use crate::policy::FitRule;
use crate::profile::{Profile, ProfileValue};

/// The sum of the points of every fit rule the profile matches.
pub fn fit_points(rules: &[FitRule], profile: &Profile) -> f64 {
    rules
        .iter()
        .filter(|r| matches(r, profile))
        .map(|r| r.points)
        .sum()
}

/// The matching rules of a new lead's profile, as fit changes from nothing.
pub(crate) fn fit_entries(rules: &[FitRule], profile: &Profile) -> Vec<(String, f64)> {
    rules
        .iter()
        .filter(|r| matches(r, profile))
        .map(|r| (r.attr.clone(), r.points))
        .collect()
}

/// The fit changes from profile `before` to `after`: for each rule whose match changed,
/// its attribute and the points gained (or lost).
pub(crate) fn fit_changes(
    rules: &[FitRule],
    before: &Profile,
    after: &Profile,
) -> Vec<(String, f64)> {
    rules
        .iter()
        .filter_map(|r| match (matches(r, before), matches(r, after)) {
            (false, true) => Some((r.attr.clone(), r.points)),
            (true, false) => Some((r.attr.clone(), -r.points)),
            _ => None,
        })
        .collect()
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
