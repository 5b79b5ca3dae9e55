//! Learning a scoring section from labelled leads: the options, the half-life, the
//! regression and its feature selection, the scale from log-odds to points, the
//! grades, bands and cells, and the report.

use super::evidence::{replay_all, summarize, Evaluation, EvidenceError, LabelledLead, Replayed};
use super::feature::{feature_matrix, value, varies, vocabulary, Feature};
use super::logistic::{predict, solve, Matrix, Settings, Solved};
use super::metrics::{conversion_rate, roc_auc};
use crate::engine::Engine;
use crate::matrix::{Band, Bands, Cell, Grade, Grades};
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
    /// The half-lives (days) the learner tries: each is scored by cross-validation on
    /// the train split and the best one becomes the policy's `half_life_days`. Empty:
    /// keep the policy's own. Default 1, 3, 7, 14, 30, 60, 90.
    pub half_lives: Vec<f64>,
    /// The number of cross-validation folds (a lead's fold is the FNV-1a hash of its
    /// id modulo this). At least 2; default 5.
    pub folds: usize,
    /// A feature stays only when the data supports it: when its weight is at least
    /// this many standard errors from 0 (Wald statistic) or dropping it raises the
    /// deviance by at least `min_z`² (likelihood ratio). Weaker ones are dropped one
    /// at a time, least supported first, refitting each time. 0 keeps every feature.
    /// Default √2: a rule stays when it lowers the deviance by more than 2, the
    /// Akaike information criterion (1.96 would be a two-sided 5% test, stricter).
    pub min_z: f64,
    /// The shares of the train leads at or above the A, B and C grade boundaries (and
    /// the band 1, 2 and 3 boundaries), cumulative, before adjacent tiers whose
    /// conversion is out of order are pooled. Default 0.1, 0.3, 0.6.
    pub tier_shares: [f64; 3],
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
            half_lives: vec![1.0, 3.0, 7.0, 14.0, 30.0, 60.0, 90.0],
            folds: 5,
            min_z: std::f64::consts::SQRT_2,
            tier_shares: [0.1, 0.3, 0.6],
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
        if let Some(&h) = self
            .half_lives
            .iter()
            .find(|h| !(h.is_finite() && **h > 0.0))
        {
            return bad("half_lives", h, "finite numbers of days greater than 0");
        }
        if self.folds < 2 {
            return bad("folds", self.folds as f64, "at least 2");
        }
        if !(self.min_z.is_finite() && self.min_z >= 0.0) {
            return bad("min_z", self.min_z, "a finite number of 0 or more");
        }
        let [a, b, c] = self.tier_shares;
        if !(0.0 < a && a <= b && b <= c && c < 1.0) {
            return bad(
                "tier_shares",
                a,
                "three cumulative shares 0 < A <= B <= C < 1",
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
    /// The weight over its standard error (Wald statistic).
    pub z: f64,
    /// The same as policy points (`log_odds` x the scale, rounded), for the features
    /// of the written-back section; `None` otherwise.
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

/// One half-life the learner tried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HalfLifeTrial {
    /// The half-life, in days.
    pub half_life_days: f64,
    /// The mean ROC AUC over the cross-validation folds of the train split.
    pub cv_auc: f64,
}

/// What [`learn`](super::learn) learned and how well it does on held-out leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnReport {
    /// The written-back scoring section: the engine's own with `half_life_days`,
    /// `engagement`, `sales`, `fit`, `milestones`, `grades`, `bands` and `mql_cells`
    /// learned, `groups` cleared and `engagement_cap` / `engagement_floor` widened so
    /// that they never clip a train or test lead (see docs/scoring.md).
    pub policy: ScoringPolicy,
    /// The half-lives tried, in the order of [`LearnOptions::half_lives`].
    pub half_lives: Vec<HalfLifeTrial>,
    /// The scale from log-odds to points.
    pub scale: Scale,
    /// The learner's model: the features the data supports, at the chosen half-life.
    /// Its rounded weights are the written-back section.
    pub model: Model,
    /// Every candidate feature at the chosen half-life, before any was dropped, for
    /// comparison.
    pub all_features_model: Model,
    /// The features dropped as unsupported, each as it stood when it was dropped.
    pub dropped: Vec<Weight>,
    /// The train split.
    pub train: SplitSummary,
    /// The test split.
    pub test: SplitSummary,
    /// ROC AUC on the train split of the written-back section, applied by an engine.
    pub train_auc: f64,
    /// ROC AUC on the test split of the written-back section, applied by an engine
    /// (so rounding and everything the engine does are included).
    pub holdout_auc: f64,
    /// ROC AUC on the test split of the given engine's own scoring, for comparison.
    pub baseline_holdout_auc: f64,
    /// The train split evaluated under the written-back section (its grades and bands
    /// order conversion monotonically here).
    pub training: Evaluation,
    /// The test split evaluated under the written-back section.
    pub holdout: Evaluation,
}

/// Learns a scoring section from labelled leads and checks it on held-out ones.
///
/// Each lead is replayed alone through `engine` (as in [`evaluate`](super::evaluate))
/// and measured as of its last applied event (see [`Feature`]): touches and sales
/// attempts as decayed counts, profile values, milestones reached. Every feature is a
/// policy setting, so the learned model is a policy section. The learner
///
/// 1. picks the half-life with the best cross-validated AUC on `train`
///    ([`LearnOptions::half_lives`], [`LearnOptions::folds`]);
/// 2. solves an L2-regularised logistic regression by Newton's method and drops,
///    one at a time, the feature whose weight is least supported (Wald statistic
///    below [`LearnOptions::min_z`]), refitting each time;
/// 3. converts log-odds to points with the [`Scale`] that puts the top
///    [`LearnOptions::target_rate`] of the train leads at or above `mql_threshold`,
///    rounded to [`LearnOptions::point_step`];
/// 4. re-derives grades and bands from the train leads' fit and engagement at
///    [`LearnOptions::tier_shares`], pooling adjacent tiers until conversion is
///    monotone, and `mql_cells` (cells of at least `min_support` train leads that
///    convert at least as well as the train leads at or above the threshold);
/// 5. scores `train` and `test` through an engine built from the given engine's
///    policy with the scoring section replaced.
///
/// Deterministic: the same inputs give the same report, bit for bit.
///
/// Errors: [`EvidenceError::NoLeads`] or [`EvidenceError::OneClass`] for a split that
/// is empty or all of one label, [`EvidenceError::NoCreatedEvent`],
/// [`EvidenceError::InvalidOption`], [`EvidenceError::Numerical`].
pub fn learn(
    engine: &Engine,
    train: &[LabelledLead],
    test: &[LabelledLead],
    options: &LearnOptions,
) -> Result<LearnReport, EvidenceError> {
    options.validate()?;
    check_split(train, "the train split")?;
    check_split(test, "the test split")?;
    let given = &engine.policy().scoring;
    let train_r = replay_all(engine, train)?;
    let test_r = replay_all(engine, test)?;
    let y_train: Vec<bool> = train_r.iter().map(|r| r.converted).collect();
    let y_test: Vec<bool> = test_r.iter().map(|r| r.converted).collect();
    let settings = Settings {
        l2: options.l2,
        max_iterations: options.max_iterations,
        tolerance: options.tolerance,
    };

    let candidates = vocabulary(&train_r, options);
    let probe = feature_matrix(&candidates, &train_r, given.half_life_days);
    // A feature that never varies, or that always equals an earlier one (reaching
    // sql and opportunity where no `sales_qualified` event is ever sent), carries
    // nothing the others do not.
    let kept: Vec<usize> = (0..candidates.len())
        .filter(|&j| varies(&probe, j))
        .collect();
    let features: Vec<Feature> = kept
        .iter()
        .enumerate()
        .filter(|&(i, &j)| !kept[..i].iter().any(|&e| same_column(&probe, e, j)))
        .map(|(_, &j)| candidates[j].clone())
        .collect();

    // 1. The half-life.
    let folds: Vec<usize> = train_r
        .iter()
        .map(|r| (fnv1a(r.lead.id().as_str()) % options.folds as u64) as usize)
        .collect();
    let mut half_lives = Vec::new();
    for &h in &options.half_lives {
        let x = feature_matrix(&features, &train_r, h);
        let cv_auc = cross_validate(&x, &y_train, &folds, options.folds, settings)?;
        half_lives.push(HalfLifeTrial {
            half_life_days: h,
            cv_auc,
        });
    }
    let half_life = half_lives
        .iter()
        .fold(None::<&HalfLifeTrial>, |best, t| match best {
            Some(b) if b.cv_auc >= t.cv_auc => Some(b),
            _ => Some(t),
        })
        .map_or(given.half_life_days, |t| t.half_life_days);
    let x_train = feature_matrix(&features, &train_r, half_life);
    let x_test = feature_matrix(&features, &test_r, half_life);

    // 2. Every feature, then only the supported ones.
    let every: Vec<usize> = (0..features.len()).collect();
    let all_solved = solve(&x_train, &y_train, &every, settings)?;
    let (cols, solved, dropped) = select(&x_train, &y_train, &features, settings, options)?;

    // 3. The scale and the points.
    let mut learned: Vec<f64> = (0..x_train.rows())
        .map(|i| predict(&x_train, i, &cols, 0.0, &solved.weights))
        .collect();
    learned.sort_by(|a, b| b.total_cmp(a));
    let top = ((options.target_rate * learned.len() as f64).ceil() as usize).max(1);
    let boundary = learned[top.min(learned.len()) - 1];
    let threshold = given.mql_threshold;
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

    let mut scoring = given.clone();
    scoring.half_life_days = half_life;
    scoring.engagement = BTreeMap::new();
    scoring.sales = Vec::new();
    scoring.fit = Vec::new();
    scoring.milestones = BTreeMap::new();
    scoring.groups = BTreeMap::new();
    scoring.mql_cells = Vec::new();
    let mut weights = Vec::new();
    for ((&j, &w), &z) in cols.iter().zip(&solved.weights).zip(&solved.z_scores) {
        let points = to_points(w);
        if points != 0.0 {
            features[j].write_into(&mut scoring, points);
        }
        weights.push(Weight {
            feature: features[j].clone(),
            log_odds: w,
            z,
            points: Some(points),
        });
    }
    widen_bounds(&mut scoring, &features, &cols, &weights, &train_r, &test_r);

    // 4. Grades, bands and cells from the train leads under the learned points.
    let mut policy = engine.policy().clone();
    policy.scoring = scoring.clone();
    let first = Engine::new(policy.clone())?;
    let first_train = summarize(&first, &replay_all(&first, train)?);
    derive_tiers(&mut scoring, &first_train, options);
    policy.scoring = scoring.clone();
    let learned_engine = Engine::new(policy)?;

    // 5. The evidence.
    let training = summarize(&learned_engine, &replay_all(&learned_engine, train)?);
    let holdout = summarize(&learned_engine, &replay_all(&learned_engine, test)?);
    let baseline = summarize(engine, &test_r);
    let model_auc = |x: &Matrix, y: &[bool], cols: &[usize], intercept: f64, w: &[f64]| {
        let pairs: Vec<(f64, bool)> = (0..x.rows())
            .map(|i| (predict(x, i, cols, intercept, w), y[i]))
            .collect();
        auc(roc_auc(&pairs))
    };
    let model = Model {
        intercept: solved.intercept,
        train_auc: model_auc(&x_train, &y_train, &cols, solved.intercept, &solved.weights),
        holdout_auc: model_auc(&x_test, &y_test, &cols, solved.intercept, &solved.weights),
        weights,
        iterations: solved.iterations,
        converged: solved.converged,
    };
    let all_features_model = Model {
        intercept: all_solved.intercept,
        train_auc: model_auc(
            &x_train,
            &y_train,
            &every,
            all_solved.intercept,
            &all_solved.weights,
        ),
        holdout_auc: model_auc(
            &x_test,
            &y_test,
            &every,
            all_solved.intercept,
            &all_solved.weights,
        ),
        weights: every
            .iter()
            .map(|&j| Weight {
                feature: features[j].clone(),
                log_odds: all_solved.weights[j],
                z: all_solved.z_scores[j],
                points: None,
            })
            .collect(),
        iterations: all_solved.iterations,
        converged: all_solved.converged,
    };
    Ok(LearnReport {
        policy: scoring,
        half_lives,
        scale,
        model,
        all_features_model,
        dropped,
        train: split_summary(&train_r),
        test: split_summary(&test_r),
        train_auc: auc(training.auc),
        holdout_auc: auc(holdout.auc),
        baseline_holdout_auc: auc(baseline.auc),
        training,
        holdout,
    })
}

/// The mean ROC AUC over `k` folds of a model fit on the other folds.
fn cross_validate(
    x: &Matrix,
    y: &[bool],
    folds: &[usize],
    k: usize,
    settings: Settings,
) -> Result<f64, EvidenceError> {
    let every: Vec<usize> = (0..x.cols).collect();
    let mut total = 0.0;
    let mut counted = 0;
    for fold in 0..k {
        let (inside, outside): (Vec<usize>, Vec<usize>) =
            (0..x.rows()).partition(|&i| folds[i] != fold);
        let rows = |which: &[usize]| Matrix {
            cols: x.cols,
            data: which.iter().flat_map(|&i| x.row(i)).copied().collect(),
        };
        let labels = |which: &[usize]| which.iter().map(|&i| y[i]).collect::<Vec<bool>>();
        let y_in = labels(&inside);
        if y_in.iter().all(|&v| v) || y_in.iter().all(|&v| !v) {
            continue;
        }
        let x_out = rows(&outside);
        let solved = solve(&rows(&inside), &y_in, &every, settings)?;
        let pairs: Vec<(f64, bool)> = (0..outside.len())
            .map(|i| {
                let score = predict(&x_out, i, &every, 0.0, &solved.weights);
                (score, y[outside[i]])
            })
            .collect();
        if let Some(a) = roc_auc(&pairs) {
            total += a;
            counted += 1;
        }
    }
    Ok(if counted == 0 {
        0.5
    } else {
        total / counted as f64
    })
}

/// Backward elimination: while some weight is weaker than `min_z` standard errors,
/// the weakest ones (by Wald statistic) are tried in turn and the first whose
/// likelihood-ratio statistic is also below `min_z`² (a feature that does not lower
/// the deviance enough) is dropped; then the model is refit. The likelihood ratio
/// decides because the Wald statistic understates huge effects (a stage almost only
/// converting leads reach).
fn select(
    x: &Matrix,
    y: &[bool],
    features: &[Feature],
    settings: Settings,
    options: &LearnOptions,
) -> Result<(Vec<usize>, Solved, Vec<Weight>), EvidenceError> {
    let mut cols: Vec<usize> = (0..features.len()).collect();
    let mut dropped = Vec::new();
    let critical = options.min_z * options.min_z;
    'refit: loop {
        let solved = solve(x, y, &cols, settings)?;
        let mut weak: Vec<usize> = (0..cols.len())
            .filter(|&k| solved.z_scores[k].abs() < options.min_z)
            .collect();
        weak.sort_by(|&a, &b| {
            let (za, zb) = (solved.z_scores[a].abs(), solved.z_scores[b].abs());
            za.total_cmp(&zb).then(a.cmp(&b))
        });
        for k in weak {
            let without: Vec<usize> = cols.iter().copied().filter(|&c| c != cols[k]).collect();
            let reduced = solve(x, y, &without, settings)?;
            if reduced.deviance - solved.deviance < critical {
                dropped.push(Weight {
                    feature: features[cols[k]].clone(),
                    log_odds: solved.weights[k],
                    z: solved.z_scores[k],
                    points: None,
                });
                cols = without;
                continue 'refit;
            }
        }
        return Ok((cols, solved, dropped));
    }
}

/// Widens `engagement_cap` and `engagement_floor` so that they clip no train or test
/// lead at any moment of its history: no lead's engagement can exceed the sum over its
/// engagement features of |points| x the undecayed count, so the cap is the largest
/// such sum, rounded up to a round number (and never below the given cap).
fn widen_bounds(
    scoring: &mut ScoringPolicy,
    features: &[Feature],
    cols: &[usize],
    weights: &[Weight],
    train: &[Replayed],
    test: &[Replayed],
) {
    let engaging: Vec<(&Feature, f64)> = cols
        .iter()
        .zip(weights)
        .filter(|(&j, w)| features[j].decays() && w.points.is_some_and(|p| p != 0.0))
        .map(|(&j, w)| (&features[j], w.points.unwrap_or(0.0).abs()))
        .collect();
    let most = train
        .iter()
        .chain(test)
        .map(|r| {
            engaging
                .iter()
                .map(|(f, p)| p * value(f, r, f64::INFINITY))
                .sum::<f64>()
        })
        .fold(0.0_f64, f64::max);
    let round_up = |x: f64| {
        if x <= 0.0 {
            return 0.0;
        }
        let unit = 10f64.powf(x.log10().floor());
        (x / unit).ceil() * unit
    };
    scoring.engagement_cap = scoring.engagement_cap.max(round_up(most));
    let negative = weights.iter().any(|w| w.points.is_some_and(|p| p < 0.0));
    if negative {
        scoring.engagement_floor = scoring.engagement_floor.min(-scoring.engagement_cap);
    }
}

/// Sets grades and bands from the train leads' fit and engagement (cumulative
/// `tier_shares` at or above each boundary, then adjacent tiers pooled until
/// conversion falls from A to D and from 1 to 4), and `mql_cells`.
fn derive_tiers(scoring: &mut ScoringPolicy, train: &Evaluation, options: &LearnOptions) {
    let fit: Vec<(f64, bool)> = train.scored.iter().map(|s| (s.fit, s.converted)).collect();
    let [a, b, c] = monotone_tiers(&fit, options.tier_shares);
    scoring.grades = Grades { a, b, c };
    let engagement: Vec<(f64, bool)> = train
        .scored
        .iter()
        .map(|s| (s.engagement, s.converted))
        .collect();
    let [one, two, three] = monotone_tiers(&engagement, options.tier_shares);
    scoring.bands = Bands { one, two, three };

    let threshold = scoring.mql_threshold;
    let qualified = train.scored.iter().filter(|s| s.score >= threshold);
    let (n, c) = qualified.fold((0, 0), |(n, c), s| (n + 1, c + usize::from(s.converted)));
    let Some(reference) = conversion_rate(n, c) else {
        return;
    };
    let mut cells: BTreeMap<Cell, (usize, usize)> = BTreeMap::new();
    for s in &train.scored {
        let cell = Cell {
            grade: Grade::of(s.fit, &scoring.grades),
            band: Band::of(s.engagement, &scoring.bands),
        };
        let e = cells.entry(cell).or_default();
        e.0 += 1;
        e.1 += usize::from(s.converted);
    }
    scoring.mql_cells = cells
        .into_iter()
        .filter(|&(_, (n, c))| {
            n >= options.min_support && conversion_rate(n, c).is_some_and(|r| r >= reference)
        })
        .map(|(cell, _)| cell)
        .collect();
}

/// Three descending boundaries over `values` such that the tiers they make (at or
/// above the first, ..., below the third) convert in falling order.
fn monotone_tiers(values: &[(f64, bool)], shares: [f64; 3]) -> [f64; 3] {
    let mut sorted: Vec<f64> = values.iter().map(|v| v.0).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let n = sorted.len();
    let lowest = sorted.last().copied().unwrap_or(0.0);
    let at = |share: f64| {
        let k = ((share * n as f64).ceil() as usize).clamp(1, n.max(1));
        sorted.get(k - 1).copied().unwrap_or(0.0)
    };
    // Boundaries read as numbers a person would write: rounded down to a tenth
    // (so a lead at the cut stays at or above it).
    let mut cuts = shares.map(|share| (at(share) * 10.0).floor() / 10.0);
    loop {
        let tier = |v: f64| cuts.iter().position(|&c| v >= c).unwrap_or(3);
        let mut counts = [(0usize, 0usize); 4];
        for &(v, converted) in values {
            let t = tier(v);
            counts[t].0 += 1;
            counts[t].1 += usize::from(converted);
        }
        let rates: Vec<(usize, f64)> = (0..4)
            .filter_map(|t| conversion_rate(counts[t].0, counts[t].1).map(|r| (t, r)))
            .collect();
        let Some(pair) = rates.windows(2).find(|w| w[0].1 < w[1].1) else {
            return cuts;
        };
        // Pool the lower tier into the upper one: the boundary between them moves
        // down to the lower tier's own lower boundary, leaving it empty.
        let (upper, lower) = (pair[0].0, pair[1].0);
        let floor = if lower < 3 { cuts[lower] } else { lowest };
        for cut in cuts.iter_mut().take(lower).skip(upper) {
            *cut = floor;
        }
    }
}

/// Whether two columns of `x` hold the same values.
fn same_column(x: &Matrix, a: usize, b: usize) -> bool {
    (0..x.rows()).all(|i| x.row(i)[a] == x.row(i)[b])
}

/// The 64-bit FNV-1a hash of a string's UTF-8 bytes.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
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
