//! The features of the regression: what is measured on each replayed lead, as of its
//! last applied event, and which features the training leads support.

use super::evidence::Replayed;
use super::learning::LearnOptions;
use super::logistic::Matrix;
use crate::fit_rule::FitRule;
use crate::profile::ProfileValue;
use crate::scoring::{decay_factor, fit_points};
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One input of the regression, measured on a lead as of its last event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feature {
    /// Decayed count of touches of this kind: the sum over its touches of
    /// `0.5^(age / half_life_days)`, so that points x value is exactly the engine's
    /// engagement from the kind before caps and floor.
    Touch {
        /// The touch kind.
        touch: String,
    },
    /// 1 when the profile attribute equals the value (a categorical value); a
    /// `[[scoring.fit]]` rule with `equals`.
    Equals {
        /// The profile attribute.
        attr: String,
        /// The value.
        value: ProfileValue,
    },
    /// 1 when the numeric profile attribute is at least the value; a
    /// `[[scoring.fit]]` rule with `at_least`. The cuts of one attribute add up, so
    /// they express any step function of it.
    AtLeast {
        /// The profile attribute.
        attr: String,
        /// The cut.
        value: f64,
    },
    /// The number of sales contact attempts (not expressible in a policy).
    SalesAttempts,
    /// The number of sales attempts with this outcome (not expressible in a policy).
    SalesOutcome {
        /// The outcome (`"connected"`).
        outcome: String,
    },
    /// 1 when the furthest waterfall stage the lead reached (inquiry, mql, sal, sql,
    /// opportunity, customer, in that order) is this one or later (not expressible in
    /// a policy).
    Reached {
        /// The stage.
        stage: Stage,
    },
}

impl Feature {
    /// Whether a scoring policy can express the feature: touches (engagement points)
    /// and profile values (fit rules).
    pub fn in_policy(&self) -> bool {
        matches!(
            self,
            Feature::Touch { .. } | Feature::Equals { .. } | Feature::AtLeast { .. }
        )
    }

    /// The fit rule giving `points` when the feature is 1, for a profile feature.
    pub fn fit_rule(&self, points: f64) -> Option<FitRule> {
        match self {
            Feature::Equals { attr, value } => Some(FitRule {
                attr: attr.clone(),
                equals: Some(value.clone()),
                points,
                ..FitRule::default()
            }),
            Feature::AtLeast { attr, value } => Some(FitRule {
                attr: attr.clone(),
                at_least: Some(*value),
                points,
                ..FitRule::default()
            }),
            _ => None,
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Feature::Touch { touch } => write!(f, "touch {touch}"),
            Feature::Equals { attr, value } => write!(f, "{attr} = {value}"),
            Feature::AtLeast { attr, value } => write!(f, "{attr} >= {value}"),
            Feature::SalesAttempts => f.write_str("sales attempts"),
            Feature::SalesOutcome { outcome } => write!(f, "sales outcome {outcome}"),
            Feature::Reached { stage } => write!(f, "reached {stage}"),
        }
    }
}

/// `x` rounded to two significant digits (`347` -> `350`, `1234` -> `1200`).
fn two_digits(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exponent = x.abs().log10().floor() as i32 - 1;
    if exponent >= 0 {
        let unit = 10f64.powi(exponent);
        (x / unit).round() * unit
    } else {
        let inverse = 10f64.powi(-exponent);
        (x * inverse).round() / inverse
    }
}

/// The waterfall order of the stages a lead moves forward through.
fn rank(stage: Stage) -> Option<u8> {
    match stage {
        Stage::Inquiry => Some(0),
        Stage::Mql => Some(1),
        Stage::Sal => Some(2),
        Stage::Sql => Some(3),
        Stage::Opportunity => Some(4),
        Stage::Customer => Some(5),
        Stage::Recycled | Stage::Removed => None,
    }
}

/// The candidate features, from the training leads, in a fixed order: touch kinds,
/// then profile attributes (by name; values in text order, cuts ascending), then sales
/// attempts and outcomes, then stages.
pub(crate) fn vocabulary(train: &[Replayed], options: &LearnOptions) -> Vec<Feature> {
    let support = options.min_support;
    let mut out = Vec::new();

    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for r in train {
        let seen: BTreeSet<&str> = r.touches.iter().map(|(k, _)| k.as_str()).collect();
        for k in seen {
            *kinds.entry(k).or_default() += 1;
        }
    }
    out.extend(
        kinds
            .into_iter()
            .filter(|&(_, n)| n >= support)
            .map(|(k, _)| Feature::Touch {
                touch: k.to_owned(),
            }),
    );

    let mut attrs: BTreeMap<&str, Vec<&ProfileValue>> = BTreeMap::new();
    for r in train {
        for (attr, value) in r.lead.profile() {
            attrs.entry(attr).or_default().push(value);
        }
    }
    for (attr, values) in attrs {
        let numeric = values
            .iter()
            .all(|v| !matches!(v, ProfileValue::Bool(_)) && v.as_number().is_some());
        if numeric {
            let mut numbers: Vec<f64> = values.iter().filter_map(|v| v.as_number()).collect();
            numbers.sort_by(f64::total_cmp);
            let n = numbers.len();
            let mut cuts: Vec<f64> = (1..options.numeric_buckets)
                .map(|k| two_digits(numbers[k * n / options.numeric_buckets]))
                .filter(|&cut| {
                    let below = numbers.partition_point(|&v| v < cut);
                    below >= support && n - below >= support
                })
                .collect();
            cuts.dedup();
            out.extend(cuts.into_iter().map(|value| Feature::AtLeast {
                attr: attr.to_owned(),
                value,
            }));
        } else {
            let mut counts: BTreeMap<String, (&ProfileValue, usize)> = BTreeMap::new();
            for v in values {
                counts.entry(v.to_string()).or_insert((v, 0)).1 += 1;
            }
            out.extend(
                counts
                    .into_values()
                    .filter(|&(_, n)| n >= support)
                    .map(|(v, _)| Feature::Equals {
                        attr: attr.to_owned(),
                        value: v.clone(),
                    }),
            );
        }
    }

    out.push(Feature::SalesAttempts);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for r in train {
        let seen: BTreeSet<&str> = r.attempts.iter().flatten().map(String::as_str).collect();
        for o in seen {
            *outcomes.entry(o).or_default() += 1;
        }
    }
    out.extend(
        outcomes
            .into_iter()
            .filter(|&(_, n)| n >= support)
            .map(|(o, _)| Feature::SalesOutcome {
                outcome: o.to_owned(),
            }),
    );
    out.extend(
        [
            Stage::Mql,
            Stage::Sal,
            Stage::Sql,
            Stage::Opportunity,
            Stage::Customer,
        ]
        .map(|stage| Feature::Reached { stage }),
    );
    out
}

/// The value of every feature for every lead, as of the lead's last applied event.
pub(crate) fn feature_matrix(
    features: &[Feature],
    leads: &[Replayed],
    half_life_days: f64,
) -> Matrix {
    let mut data = Vec::with_capacity(features.len() * leads.len());
    for r in leads {
        let furthest = r.reached.iter().filter_map(|&s| rank(s)).max();
        for f in features {
            data.push(value(f, r, furthest, half_life_days));
        }
    }
    Matrix {
        cols: features.len(),
        data,
    }
}

fn value(feature: &Feature, r: &Replayed, furthest: Option<u8>, half_life_days: f64) -> f64 {
    match feature {
        Feature::Touch { touch } => r
            .touches
            .iter()
            .filter(|(k, _)| k == touch)
            .map(|(_, at)| decay_factor(*at, r.at, half_life_days))
            .sum(),
        Feature::Equals { .. } | Feature::AtLeast { .. } => {
            feature.fit_rule(1.0).map_or(0.0, |rule| {
                fit_points(std::slice::from_ref(&rule), r.lead.profile())
            })
        }
        Feature::SalesAttempts => r.attempts.len() as f64,
        Feature::SalesOutcome { outcome } => r
            .attempts
            .iter()
            .filter(|o| o.as_deref() == Some(outcome.as_str()))
            .count() as f64,
        Feature::Reached { stage } => f64::from(u8::from(
            furthest.is_some_and(|f| rank(*stage).is_some_and(|s| f >= s)),
        )),
    }
}

pub(crate) fn varies(x: &Matrix, col: usize) -> bool {
    let rows = x.rows();
    rows > 0 && (1..rows).any(|i| x.row(i)[col] != x.row(0)[col])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_read_as_round_numbers() {
        assert_eq!(two_digits(347.0), 350.0);
        assert_eq!(two_digits(1234.0), 1200.0);
        assert_eq!(two_digits(7.0), 7.0);
        assert_eq!(two_digits(0.0347), 0.035);
    }
}
