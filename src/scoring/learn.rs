//! Learning a scoring section from labelled leads: features, the regression, and the
//! scale from log-odds to points.

use super::evidence::{replay_all, summarize, Evaluation, EvidenceError, LabelledLead, Replayed};
use super::fit::fit_points;
use super::logistic::{predict, solve, Matrix, Settings};
use super::metrics::roc_auc;
use super::state::decay_factor;
use crate::engine::Engine;
use crate::policy::{FitRule, ScoringPolicy};
use crate::profile::ProfileValue;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Settings of [`fit`](super::fit). [`FitOptions::default`] suits a few hundred to a
/// few million leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// The L2 penalty: the regression minimises the log-loss summed over the training
    /// leads plus `l2 / 2` times the sum of the squared weights of the *standardised*
    /// features (the intercept is not penalised): a Gaussian prior of variance
    /// `1 / l2` on each standardised weight, whose pull fades as leads accumulate.
    /// Larger values shrink weights toward 0. Must be greater than 0. Default 1.
    pub l2: f64,
    /// The most Newton steps taken. Default 100 (a few dozen are usual).
    pub max_iterations: usize,
    /// Newton stops when no standardised weight moves by more than this. Default 1e-9.
    pub tolerance: f64,
    /// A profile value, a numeric cut, a touch kind or a sales outcome becomes a
    /// feature only when at least this many training leads have it (and, for a cut,
    /// at least this many lie on each side of it). Default 5.
    pub min_support: usize,
    /// A numeric profile attribute is cut at the quantiles that split its training
    /// values into this many groups (cuts rounded to two significant digits). Default 5.
    pub numeric_buckets: usize,
    /// The share of training leads whose learned score should reach the engine's
    /// `mql_threshold`: the scale from log-odds to points is chosen so. In (0, 1);
    /// default 0.2.
    pub target_rate: f64,
    /// Learned points are rounded to a multiple of this (0 for no rounding). Default 1.
    pub point_step: f64,
    /// Points per unit of log-odds when the target-rate scale is undefined (the
    /// threshold is not positive, or the top `target_rate` of the training leads do not
    /// have a positive learned score). Default 20.
    pub fallback_points_per_log_odds: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            l2: 1.0,
            max_iterations: 100,
            tolerance: 1e-9,
            min_support: 5,
            numeric_buckets: 5,
            target_rate: 0.2,
            point_step: 1.0,
            fallback_points_per_log_odds: 20.0,
        }
    }
}

impl FitOptions {
    fn validate(&self) -> Result<(), EvidenceError> {
        let bad = |option, value: f64, expected| {
            Err(EvidenceError::InvalidOption {
                option,
                value,
                expected,
            })
        };
        if !(self.l2.is_finite() && self.l2 > 0.0) {
            return bad("l2", self.l2, "a finite number greater than 0");
        }
        if self.max_iterations == 0 {
            return bad("max_iterations", 0.0, "at least 1");
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return bad(
                "tolerance",
                self.tolerance,
                "a finite number greater than 0",
            );
        }
        if self.numeric_buckets < 2 {
            return bad("numeric_buckets", self.numeric_buckets as f64, "at least 2");
        }
        if !(self.target_rate > 0.0 && self.target_rate < 1.0) {
            return bad(
                "target_rate",
                self.target_rate,
                "a share strictly between 0 and 1",
            );
        }
        if !(self.point_step.is_finite() && self.point_step >= 0.0) {
            return bad(
                "point_step",
                self.point_step,
                "a finite number of 0 or more",
            );
        }
        if !(self.fallback_points_per_log_odds.is_finite()
            && self.fallback_points_per_log_odds > 0.0)
        {
            return bad(
                "fallback_points_per_log_odds",
                self.fallback_points_per_log_odds,
                "a finite number greater than 0",
            );
        }
        Ok(())
    }
}

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

/// A learned weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weight {
    /// The feature.
    pub feature: Feature,
    /// Change in log-odds of converting per unit of the feature (original units).
    pub log_odds: f64,
    /// The same as policy points (`log_odds` x the scale, rounded), for features of
    /// the learned policy; `None` otherwise.
    pub points: Option<f64>,
}

/// A fitted logistic model and how well its log-odds rank the leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Log-odds of converting with every feature at 0.
    pub intercept: f64,
    /// One weight per feature.
    pub weights: Vec<Weight>,
    /// Newton steps taken.
    pub iterations: usize,
    /// Whether the steps converged within the tolerance.
    pub converged: bool,
    /// ROC AUC of the model's log-odds on the train split.
    pub train_auc: f64,
    /// ROC AUC of the model's log-odds on the test split.
    pub holdout_auc: f64,
}

/// How the log-odds scale became points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMethod {
    /// `mql_threshold / boundary`: the top `target_rate` of the training leads score at
    /// least the threshold (before rounding, caps and floor).
    TargetRate,
    /// The fixed `fallback_points_per_log_odds`, since the target-rate scale was
    /// undefined.
    Fallback,
}

/// The conversion from log-odds to points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Points per unit of log-odds.
    pub points_per_log_odds: f64,
    /// How it was chosen.
    pub method: ScaleMethod,
    /// The learned log-odds (without the intercept) of the training lead at the
    /// top-`target_rate` boundary.
    pub boundary_log_odds: f64,
    /// The share of training leads meant to reach `mql_threshold`.
    pub target_rate: f64,
}

/// Counts of one split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitSummary {
    /// Leads.
    pub leads: usize,
    /// Leads that converted.
    pub conversions: usize,
    /// Events the engine refused while replaying them.
    pub refused_events: usize,
}

/// What [`fit`](super::fit) learned and how well it does on held-out leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The learned scoring section: the engine's own, with `engagement` (points per
    /// touch kind seen in training) and `fit` (rules with non-zero points) replaced.
    pub policy: ScoringPolicy,
    /// The scale from log-odds to points.
    pub scale: Scale,
    /// The model of the features a policy can express (touches, profile values): the
    /// source of the learned points.
    pub policy_model: Model,
    /// The model of every feature, sales attempts and stage included, for comparison.
    pub full_model: Model,
    /// The full model's weights of the signals a policy cannot express (sales attempts
    /// and outcomes, the stage reached), in log-odds.
    pub other_signals: Vec<Weight>,
    /// The train split.
    pub train: SplitSummary,
    /// The test split.
    pub test: SplitSummary,
    /// ROC AUC on the train split of the learned scoring section, applied by an engine.
    pub train_auc: f64,
    /// ROC AUC on the test split of the learned scoring section, applied by an engine
    /// (so rounding, groups, caps and floor are included).
    pub holdout_auc: f64,
    /// ROC AUC on the test split of the given engine's own scoring, for comparison.
    pub baseline_holdout_auc: f64,
    /// The test split evaluated under the learned scoring section.
    pub holdout: Evaluation,
}

/// Learns a scoring section from labelled leads and checks it on held-out ones.
///
/// Each lead is replayed alone through `engine` (as in [`evaluate`](super::evaluate))
/// and measured as of its last applied event (see [`Feature`]). Two L2-regularised
/// logistic regressions are fitted on `train` by Newton's method: the *policy model*
/// on the features a policy can express (touch kinds, profile values), whose weights
/// become points, and the *full model* on every feature. The policy model's log-odds
/// are converted to points with the [`Scale`] that puts the top
/// [`FitOptions::target_rate`] of the training leads at or above the engine's
/// `mql_threshold`, rounded to [`FitOptions::point_step`]. The learned section then
/// scores the `test` leads through an engine built from the given engine's policy with
/// the scoring section replaced.
///
/// Deterministic: the same inputs give the same report, bit for bit.
///
/// Errors: [`EvidenceError::NoLeads`] or [`EvidenceError::OneClass`] for a split that
/// is empty or all of one label, [`EvidenceError::NoCreatedEvent`],
/// [`EvidenceError::InvalidOption`].
pub fn fit(
    engine: &Engine,
    train: &[LabelledLead],
    test: &[LabelledLead],
    options: &FitOptions,
) -> Result<FitReport, EvidenceError> {
    options.validate()?;
    check_split(train, "the train split")?;
    check_split(test, "the test split")?;
    let half_life = engine.policy().scoring.half_life_days;
    let train_r = replay_all(engine, train)?;
    let test_r = replay_all(engine, test)?;

    let candidates = vocabulary(&train_r, options);
    let x_all = matrix(&candidates, &train_r, half_life);
    let varying: Vec<usize> = (0..candidates.len())
        .filter(|&j| varies(&x_all, j))
        .collect();
    let features: Vec<Feature> = varying.iter().map(|&j| candidates[j].clone()).collect();
    let x_train = matrix(&features, &train_r, half_life);
    let x_test = matrix(&features, &test_r, half_life);
    let y_train: Vec<bool> = train_r.iter().map(|r| r.converted).collect();
    let y_test: Vec<bool> = test_r.iter().map(|r| r.converted).collect();
    let settings = Settings {
        l2: options.l2,
        max_iterations: options.max_iterations,
        tolerance: options.tolerance,
    };

    let policy_cols: Vec<usize> = (0..features.len())
        .filter(|&j| features[j].in_policy())
        .collect();
    let all_cols: Vec<usize> = (0..features.len()).collect();
    let policy_fit = solve(&x_train, &y_train, &policy_cols, settings)?;
    let full_fit = solve(&x_train, &y_train, &all_cols, settings)?;

    // The scale: the top `target_rate` of the training leads reach the threshold.
    let mut learned: Vec<f64> = (0..x_train.rows())
        .map(|i| predict(&x_train, i, &policy_cols, 0.0, &policy_fit.weights))
        .collect();
    learned.sort_by(|a, b| b.total_cmp(a));
    let top = ((options.target_rate * learned.len() as f64).ceil() as usize).max(1);
    let boundary = learned[top.min(learned.len()) - 1];
    let threshold = engine.policy().scoring.mql_threshold;
    let (points_per_log_odds, method) = if threshold > 0.0 && boundary > 1e-9 {
        (threshold / boundary, ScaleMethod::TargetRate)
    } else {
        (options.fallback_points_per_log_odds, ScaleMethod::Fallback)
    };
    let scale = Scale {
        points_per_log_odds,
        method,
        boundary_log_odds: boundary,
        target_rate: options.target_rate,
    };
    let to_points = |log_odds: f64| round_to(log_odds * points_per_log_odds, options.point_step);

    let mut scoring = engine.policy().scoring.clone();
    scoring.engagement = BTreeMap::new();
    scoring.fit = Vec::new();
    let mut policy_weights = Vec::new();
    for (&j, &w) in policy_cols.iter().zip(&policy_fit.weights) {
        let feature = &features[j];
        let points = to_points(w);
        match feature {
            Feature::Touch { touch } => {
                scoring.engagement.insert(touch.clone(), points);
            }
            _ => {
                if points != 0.0 {
                    scoring.fit.extend(feature.fit_rule(points));
                }
            }
        }
        policy_weights.push(Weight {
            feature: feature.clone(),
            log_odds: w,
            points: Some(points),
        });
    }
    let full_weights: Vec<Weight> = all_cols
        .iter()
        .zip(&full_fit.weights)
        .map(|(&j, &w)| Weight {
            feature: features[j].clone(),
            log_odds: w,
            points: None,
        })
        .collect();
    let other_signals = full_weights
        .iter()
        .filter(|w| !w.feature.in_policy())
        .cloned()
        .collect();

    let model_auc = |x: &Matrix, y: &[bool], cols: &[usize], intercept: f64, w: &[f64]| {
        let pairs: Vec<(f64, bool)> = (0..x.rows())
            .map(|i| (predict(x, i, cols, intercept, w), y[i]))
            .collect();
        auc(roc_auc(&pairs))
    };
    let policy_model = Model {
        intercept: policy_fit.intercept,
        train_auc: model_auc(
            &x_train,
            &y_train,
            &policy_cols,
            policy_fit.intercept,
            &policy_fit.weights,
        ),
        holdout_auc: model_auc(
            &x_test,
            &y_test,
            &policy_cols,
            policy_fit.intercept,
            &policy_fit.weights,
        ),
        weights: policy_weights,
        iterations: policy_fit.iterations,
        converged: policy_fit.converged,
    };
    let full_model = Model {
        intercept: full_fit.intercept,
        train_auc: model_auc(
            &x_train,
            &y_train,
            &all_cols,
            full_fit.intercept,
            &full_fit.weights,
        ),
        holdout_auc: model_auc(
            &x_test,
            &y_test,
            &all_cols,
            full_fit.intercept,
            &full_fit.weights,
        ),
        weights: full_weights,
        iterations: full_fit.iterations,
        converged: full_fit.converged,
    };

    let mut policy = engine.policy().clone();
    policy.scoring = scoring.clone();
    let learned_engine = Engine::new(policy)?;
    let holdout = summarize(&learned_engine, &replay_all(&learned_engine, test)?);
    let train_eval = summarize(&learned_engine, &replay_all(&learned_engine, train)?);
    let baseline = summarize(engine, &test_r);
    Ok(FitReport {
        policy: scoring,
        scale,
        policy_model,
        full_model,
        other_signals,
        train: split_summary(&train_r),
        test: split_summary(&test_r),
        train_auc: auc(train_eval.auc),
        holdout_auc: auc(holdout.auc),
        baseline_holdout_auc: auc(baseline.auc),
        holdout,
    })
}

/// Both splits hold both labels (checked first), so every AUC is defined; 0.5, the
/// AUC of no information, stands in should one not be.
fn auc(value: Option<f64>) -> f64 {
    value.unwrap_or(0.5)
}

fn check_split(leads: &[LabelledLead], what: &'static str) -> Result<(), EvidenceError> {
    let Some(first) = leads.first() else {
        return Err(EvidenceError::NoLeads { what });
    };
    if leads.iter().all(|l| l.converted == first.converted) {
        return Err(EvidenceError::OneClass {
            what,
            leads: leads.len(),
            converted: first.converted,
        });
    }
    Ok(())
}

fn split_summary(replayed: &[Replayed]) -> SplitSummary {
    SplitSummary {
        leads: replayed.len(),
        conversions: replayed.iter().filter(|r| r.converted).count(),
        refused_events: replayed.iter().map(|r| r.refused).sum(),
    }
}

/// `x` rounded to a multiple of `step` (unchanged for a step of 0), without `-0`.
fn round_to(x: f64, step: f64) -> f64 {
    let rounded = if step > 0.0 {
        (x / step).round() * step
    } else {
        x
    };
    rounded + 0.0
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
fn vocabulary(train: &[Replayed], options: &FitOptions) -> Vec<Feature> {
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
fn matrix(features: &[Feature], leads: &[Replayed], half_life_days: f64) -> Matrix {
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

fn varies(x: &Matrix, col: usize) -> bool {
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

    #[test]
    fn rounding_drops_negative_zero() {
        assert_eq!(round_to(-0.2, 1.0).to_string(), "0");
        assert_eq!(round_to(12.6, 5.0), 15.0);
    }
}
