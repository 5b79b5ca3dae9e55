//! Learning a scoring section from labelled leads: the options, the two regressions,
//! the scale from log-odds to points, and the report.

use super::evidence::{replay_all, summarize, Evaluation, EvidenceError, LabelledLead, Replayed};
use super::feature::{feature_matrix, varies, vocabulary, Feature};
use super::logistic::{predict, solve, Matrix, Settings};
use super::metrics::roc_auc;
use crate::engine::Engine;
use crate::policy::ScoringPolicy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Settings of [`learn`](super::learn). [`LearnOptions::default`] suits a few hundred
/// to a few million leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnOptions {
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

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
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

impl LearnOptions {
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

/// A learned logistic model and how well its log-odds rank the leads.
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

/// What [`learn`](super::learn) learned and how well it does on held-out leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnReport {
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
/// logistic regressions are solved on `train` by Newton's method: the *policy model*
/// on the features a policy can express (touch kinds, profile values), whose weights
/// become points, and the *full model* on every feature. The policy model's log-odds
/// are converted to points with the [`Scale`] that puts the top
/// [`LearnOptions::target_rate`] of the training leads at or above the engine's
/// `mql_threshold`, rounded to [`LearnOptions::point_step`]. The learned section then
/// scores the `test` leads through an engine built from the given engine's policy with
/// the scoring section replaced.
///
/// Deterministic: the same inputs give the same report, bit for bit.
///
/// Errors: [`EvidenceError::NoLeads`] or [`EvidenceError::OneClass`] for a split that
/// is empty or all of one label, [`EvidenceError::NoCreatedEvent`],
/// [`EvidenceError::InvalidOption`].
pub fn learn(
    engine: &Engine,
    train: &[LabelledLead],
    test: &[LabelledLead],
    options: &LearnOptions,
) -> Result<LearnReport, EvidenceError> {
    options.validate()?;
    check_split(train, "the train split")?;
    check_split(test, "the test split")?;
    let half_life = engine.policy().scoring.half_life_days;
    let train_r = replay_all(engine, train)?;
    let test_r = replay_all(engine, test)?;

    let candidates = vocabulary(&train_r, options);
    let x_all = feature_matrix(&candidates, &train_r, half_life);
    let varying: Vec<usize> = (0..candidates.len())
        .filter(|&j| varies(&x_all, j))
        .collect();
    let features: Vec<Feature> = varying.iter().map(|&j| candidates[j].clone()).collect();
    let x_train = feature_matrix(&features, &train_r, half_life);
    let x_test = feature_matrix(&features, &test_r, half_life);
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
    let policy_solved = solve(&x_train, &y_train, &policy_cols, settings)?;
    let full_solved = solve(&x_train, &y_train, &all_cols, settings)?;

    // The scale: the top `target_rate` of the training leads reach the threshold.
    let mut learned: Vec<f64> = (0..x_train.rows())
        .map(|i| predict(&x_train, i, &policy_cols, 0.0, &policy_solved.weights))
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
    for (&j, &w) in policy_cols.iter().zip(&policy_solved.weights) {
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
        .zip(&full_solved.weights)
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
        intercept: policy_solved.intercept,
        train_auc: model_auc(
            &x_train,
            &y_train,
            &policy_cols,
            policy_solved.intercept,
            &policy_solved.weights,
        ),
        holdout_auc: model_auc(
            &x_test,
            &y_test,
            &policy_cols,
            policy_solved.intercept,
            &policy_solved.weights,
        ),
        weights: policy_weights,
        iterations: policy_solved.iterations,
        converged: policy_solved.converged,
    };
    let full_model = Model {
        intercept: full_solved.intercept,
        train_auc: model_auc(
            &x_train,
            &y_train,
            &all_cols,
            full_solved.intercept,
            &full_solved.weights,
        ),
        holdout_auc: model_auc(
            &x_test,
            &y_test,
            &all_cols,
            full_solved.intercept,
            &full_solved.weights,
        ),
        weights: full_weights,
        iterations: full_solved.iterations,
        converged: full_solved.converged,
    };

    let mut policy = engine.policy().clone();
    policy.scoring = scoring.clone();
    let learned_engine = Engine::new(policy)?;
    let holdout = summarize(&learned_engine, &replay_all(&learned_engine, test)?);
    let train_eval = summarize(&learned_engine, &replay_all(&learned_engine, train)?);
    let baseline = summarize(engine, &test_r);
    Ok(LearnReport {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_drops_negative_zero() {
        assert_eq!(round_to(-0.2, 1.0).to_string(), "0");
        assert_eq!(round_to(12.6, 5.0), 15.0);
    }
}
