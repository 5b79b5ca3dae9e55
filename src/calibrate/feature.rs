//! The features of the regression: what is measured on each replayed lead, as of its
//! last applied event, and which features the training leads support.

use super::evidence::Replayed;
use super::learning::LearnOptions;
use super::logistic::Matrix;
use crate::event::EventType;
use crate::fit_rule::FitRule;
use crate::policy::{SalesRule, ScoringPolicy};
use crate::profile::ProfileValue;
use crate::scoring::{decay_factor, fit_points};
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One input of the regression, measured on a lead as of its last event. Every
/// feature is one setting of a scoring policy, so the learned model is exactly a
/// policy section (before rounding).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Feature {
    /// Decayed count of touches of this kind: the sum over its touches of
    /// `0.5^(age / half_life_days)`, so that points x value is exactly the engine's
    /// engagement from the kind before caps and floor; `[scoring.engagement]`.
    Touch {
        /// The touch kind.
        touch: String,
    },
    /// Decayed count (as for touches) of the sales attempts with this channel and
    /// outcome (either absent = any); a `[[scoring.sales]]` rule.
    Sales {
        /// The channel; any when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// The outcome; any when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<String>,
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
    /// 1 when the lead reached the stage (as the engine records it for
    /// `[scoring.milestones]`: the stage or any later one of the waterfall).
    Milestone {
        /// The stage.
        stage: Stage,
    },
    /// The number of applied events of this sales outcome type; a
    /// `[scoring.outcomes]` entry.
    Outcome {
        /// The event type (`opportunity_lost`).
        event: EventType,
    },
}

impl Feature {
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

    /// Writes the feature into `scoring` with `points`: an engagement entry, a sales
    /// rule, a fit rule or a milestone.
    pub(crate) fn write_into(&self, scoring: &mut ScoringPolicy, points: f64) {
        match self {
            Feature::Touch { touch } => {
                scoring.engagement.insert(touch.clone(), points);
            }
            Feature::Sales { channel, outcome } => scoring.sales.push(SalesRule {
                channel: channel.clone(),
                outcome: outcome.clone(),
                points,
            }),
            Feature::Equals { .. } | Feature::AtLeast { .. } => {
                scoring.fit.extend(self.fit_rule(points));
            }
            Feature::Milestone { stage } => {
                scoring.milestones.insert(*stage, points);
            }
            Feature::Outcome { event } => {
                scoring.outcomes.insert(*event, points);
            }
        }
    }

    /// Whether the feature's value decays with the half-life (engagement).
    pub(crate) fn decays(&self) -> bool {
        matches!(self, Feature::Touch { .. } | Feature::Sales { .. })
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Feature::Touch { touch } => write!(f, "touch {touch}"),
            Feature::Sales { channel, outcome } => {
                f.write_str("sales attempt")?;
                if let Some(c) = channel {
                    write!(f, " {c}")?;
                }
                if let Some(o) = outcome {
                    write!(f, " -> {o}")?;
                }
                Ok(())
            }
            Feature::Equals { attr, value } => write!(f, "{attr} = {value}"),
            Feature::AtLeast { attr, value } => write!(f, "{attr} >= {value}"),
            Feature::Milestone { stage } => write!(f, "reached {stage}"),
            Feature::Outcome { event } => write!(f, "outcome {event}"),
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

/// The candidate features, from the training leads, in a fixed order: touch kinds,
/// then profile attributes (by name; values in text order, cuts ascending), then sales
/// attempts (all, per channel, per outcome, per pair), then milestones.
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
            // The most common value is the reference: the others' points are
            // relative to it, so the indicators are not redundant with each other.
            let reference = most_common(counts.iter().map(|(k, &(_, n))| (k.as_str(), n)));
            out.extend(
                counts
                    .iter()
                    .filter(|&(k, &(_, n))| n >= support && Some(k.as_str()) != reference)
                    .map(|(_, &(v, _))| Feature::Equals {
                        attr: attr.to_owned(),
                        value: v.clone(),
                    }),
            );
        }
    }

    // Sales attempts: every attempt, then each channel and each outcome but the most
    // common one (the reference), then each pair of those: as many features as pairs,
    // none redundant, and any points per pair can be written as these rules.
    let mut channels: BTreeMap<&str, usize> = BTreeMap::new();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut attempted = 0;
    for r in train {
        let mut seen = BTreeSet::new();
        for (channel, outcome, _) in &r.attempts {
            seen.insert((channel.as_deref(), outcome.as_deref()));
        }
        attempted += usize::from(!seen.is_empty());
        for c in seen.iter().filter_map(|p| p.0).collect::<BTreeSet<_>>() {
            *channels.entry(c).or_default() += 1;
        }
        for o in seen.iter().filter_map(|p| p.1).collect::<BTreeSet<_>>() {
            *outcomes.entry(o).or_default() += 1;
        }
        for pair in seen {
            if let (Some(c), Some(o)) = pair {
                *pairs.entry((c, o)).or_default() += 1;
            }
        }
    }
    let sales = |channel: Option<&str>, outcome: Option<&str>| Feature::Sales {
        channel: channel.map(str::to_owned),
        outcome: outcome.map(str::to_owned),
    };
    if attempted >= support {
        out.push(sales(None, None));
    }
    let ref_channel = most_common(channels.iter().map(|(&k, &n)| (k, n)));
    let ref_outcome = most_common(outcomes.iter().map(|(&k, &n)| (k, n)));
    let kept = |m: &BTreeMap<&str, usize>, reference: Option<&str>| -> Vec<String> {
        m.iter()
            .filter(|&(&k, &n)| n >= support && Some(k) != reference)
            .map(|(&k, _)| k.to_owned())
            .collect()
    };
    let (kept_channels, kept_outcomes) =
        (kept(&channels, ref_channel), kept(&outcomes, ref_outcome));
    out.extend(kept_channels.iter().map(|c| sales(Some(c), None)));
    out.extend(kept_outcomes.iter().map(|o| sales(None, Some(o))));
    for c in &kept_channels {
        for o in &kept_outcomes {
            if pairs
                .get(&(c.as_str(), o.as_str()))
                .is_some_and(|&n| n >= support)
            {
                out.push(sales(Some(c), Some(o)));
            }
        }
    }
    // Sales outcomes that end sales' work with the lead.
    let mut ends: BTreeMap<EventType, usize> = BTreeMap::new();
    for r in train {
        for e in r.outcomes.iter().collect::<BTreeSet<_>>() {
            *ends.entry(*e).or_default() += 1;
        }
    }
    out.extend(
        OUTCOMES
            .into_iter()
            .filter(|e| ends.get(e).is_some_and(|&n| n >= support))
            .map(|event| Feature::Outcome { event }),
    );
    // `mql` is left out: whether a lead reaches it depends on the very scoring that
    // is being learned (and `recycled` too: an MQL sales leaves idle is recycled).
    out.extend(MILESTONES.map(|stage| Feature::Milestone { stage }));
    out
}

/// The stages whose milestones the learner weighs: those sales moves a lead to.
const MILESTONES: [Stage; 4] = [Stage::Sal, Stage::Sql, Stage::Opportunity, Stage::Customer];

/// The sales outcomes the learner weighs: the events that end sales' work with a
/// lead (the ones that move it forward are milestones).
const OUTCOMES: [EventType; 4] = [
    EventType::SalesRejected,
    EventType::Disqualified,
    EventType::OpportunityLost,
    EventType::Recycled,
];

/// The most common key (the first in order among equals).
fn most_common<'a>(counts: impl Iterator<Item = (&'a str, usize)>) -> Option<&'a str> {
    counts
        .fold(None::<(&str, usize)>, |best, (k, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((k, n)),
        })
        .map(|(k, _)| k)
}

/// The value of every feature for every lead, as of the lead's last applied event.
pub(crate) fn feature_matrix(
    features: &[Feature],
    leads: &[Replayed],
    half_life_days: f64,
) -> Matrix {
    let mut data = Vec::with_capacity(features.len() * leads.len());
    for r in leads {
        for f in features {
            data.push(value(f, r, half_life_days));
        }
    }
    Matrix {
        cols: features.len(),
        data,
    }
}

/// The feature's value on one replayed lead.
pub(crate) fn value(feature: &Feature, r: &Replayed, half_life_days: f64) -> f64 {
    let decayed = |at: DateTime<Utc>| decay_factor(at, r.at, half_life_days);
    match feature {
        Feature::Touch { touch } => r
            .touches
            .iter()
            .filter(|(k, _)| k == touch)
            .map(|(_, at)| decayed(*at))
            .sum(),
        Feature::Sales { channel, outcome } => {
            let rule = SalesRule {
                channel: channel.clone(),
                outcome: outcome.clone(),
                points: 1.0,
            };
            r.attempts
                .iter()
                .filter(|(c, o, _)| rule.matches(c.as_deref(), o.as_deref()))
                .map(|(_, _, at)| decayed(*at))
                .sum()
        }
        Feature::Equals { .. } | Feature::AtLeast { .. } => {
            feature.fit_rule(1.0).map_or(0.0, |rule| {
                fit_points(std::slice::from_ref(&rule), r.lead.profile())
            })
        }
        Feature::Milestone { stage } => {
            f64::from(u8::from(r.lead.score().reached.contains(*stage)))
        }
        Feature::Outcome { event } => r.outcomes.iter().filter(|&e| e == event).count() as f64,
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
