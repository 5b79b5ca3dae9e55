use crate::fit_rule::FitRule;
use crate::profile::Profile;

/// The sum of the points of every fit rule the profile matches.
pub fn fit_points(rules: &[FitRule], profile: &Profile) -> f64 {
    rules
        .iter()
        .filter(|r| r.matches(profile))
        .map(|r| r.points)
        .sum()
}

/// The matching rules of a new lead's profile, as fit changes from nothing.
pub(crate) fn fit_entries(rules: &[FitRule], profile: &Profile) -> Vec<(String, f64)> {
    rules
        .iter()
        .filter(|r| r.matches(profile))
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
        .filter_map(|r| match (r.matches(before), r.matches(after)) {
            (false, true) => Some((r.attr.clone(), r.points)),
            (true, false) => Some((r.attr.clone(), -r.points)),
            _ => None,
        })
        .collect()
}
