//! L2-regularised logistic regression by Newton's method, in plain Rust.
//!
//! Deterministic: every sum runs in a fixed order, there is no randomness, and the
//! iteration stops on a fixed tolerance or a fixed iteration count.

use super::evidence::EvidenceError;

/// A dense row-major matrix of feature values: `rows` x `cols`.
pub(crate) struct Matrix {
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.cols).unwrap_or(0)
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// The settings of one regression.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// The L2 penalty on standardised weights: the objective is the summed log-loss plus
    /// `l2 / 2` times the sum of squared standardised weights (the intercept is free),
    /// a Gaussian prior of variance `1 / l2` whose pull fades as leads accumulate.
    pub l2: f64,
    pub max_iterations: usize,
    /// Stop when no standardised coefficient moves by more than this in a step.
    pub tolerance: f64,
}

/// A solved model in the original units of the features.
#[derive(Clone, Debug)]
pub(crate) struct Solved {
    pub intercept: f64,
    /// One weight per column asked for, in that order.
    pub weights: Vec<f64>,
    /// Each weight over its standard error (0 for a constant column).
    pub z_scores: Vec<f64>,
    /// Twice the minimised objective, summed over the rows: the (penalised)
    /// deviance, for likelihood-ratio tests.
    pub deviance: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Solves for `P(y) = sigmoid(b + sum_j w_j x_j)` over the columns `cols` of `x`.
///
/// Features are standardised internally (mean 0, standard deviation 1) so that one
/// penalty fits all and Newton's steps are well conditioned; the weights returned are
/// converted back to the original units. A column with no variance gets weight 0.
pub(crate) fn solve(
    x: &Matrix,
    y: &[bool],
    cols: &[usize],
    settings: Settings,
) -> Result<Solved, EvidenceError> {
    let n = x.rows();
    debug_assert_eq!(n, y.len());
    if x.data.iter().any(|v| !v.is_finite()) {
        return Err(EvidenceError::Numerical {
            problem: "a feature value is not a finite number".to_owned(),
        });
    }
    let nf = n as f64;
    // Work with the mean log-loss, so the penalty per lead is `l2 / n`.
    let ridge = settings.l2 / nf.max(1.0);
    // Standardise, keeping only columns that vary.
    let mut used = Vec::new();
    let mut means = Vec::new();
    let mut sds = Vec::new();
    for (k, &c) in cols.iter().enumerate() {
        let mean = (0..n).map(|i| x.row(i)[c]).sum::<f64>() / nf;
        let var = (0..n).map(|i| (x.row(i)[c] - mean).powi(2)).sum::<f64>() / nf;
        let sd = var.sqrt();
        if sd > 1e-12 * (1.0 + mean.abs()) {
            used.push((k, c));
            means.push(mean);
            sds.push(sd);
        }
    }
    let p = used.len();
    let d = p + 1;
    let mut z = vec![0.0; n * d];
    for i in 0..n {
        let row = x.row(i);
        z[i * d] = 1.0;
        for (j, &(_, c)) in used.iter().enumerate() {
            z[i * d + 1 + j] = (row[c] - means[j]) / sds[j];
        }
    }
    let targets: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v))).collect();
    let positives = targets.iter().sum::<f64>();
    let mut beta = vec![0.0; d];
    // Start from the base rate (clamped, so that one class alone stays finite).
    let rate = (positives / nf).clamp(1e-6, 1.0 - 1e-6);
    beta[0] = (rate / (1.0 - rate)).ln();

    let objective = |beta: &[f64]| -> f64 {
        let loss: f64 = (0..n)
            .map(|i| {
                let eta = dot(&z[i * d..(i + 1) * d], beta);
                softplus(eta) - targets[i] * eta
            })
            .sum::<f64>()
            / nf;
        loss + ridge / 2.0 * beta[1..].iter().map(|b| b * b).sum::<f64>()
    };

    let mut iterations = 0;
    let mut converged = false;
    let mut current = objective(&beta);
    while iterations < settings.max_iterations {
        iterations += 1;
        let (grad, hess) = gradient_and_hessian(&z, &targets, &beta, ridge);
        let step = cholesky_solve(&hess, &grad, d)?;
        let slope = dot(&grad, &step);
        // Backtracking line search on the objective (Armijo); Newton's full step is
        // almost always taken.
        let mut t = 1.0;
        let mut accepted = None;
        while t > 1e-10 {
            let candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let value = objective(&candidate);
            if value.is_finite() && value <= current - 1e-4 * t * slope {
                accepted = Some((candidate, value));
                break;
            }
            t /= 2.0;
        }
        let Some((next, value)) = accepted else {
            // No step decreases the objective: we are at its minimum to within
            // rounding.
            converged = true;
            break;
        };
        let moved = step.iter().fold(0.0_f64, |m, s| m.max((t * s).abs()));
        beta = next;
        current = value;
        if moved < settings.tolerance {
            converged = true;
            break;
        }
    }

    // Back to original units: w_j = beta_j / sd_j, b = beta_0 - sum_j w_j mean_j.
    // Wald statistics: the inverse of the (penalised) Hessian of the summed loss is
    // the weights' approximate covariance.
    let (_, hess) = gradient_and_hessian(&z, &targets, &beta, ridge);
    let mut weights = vec![0.0; cols.len()];
    let mut z_scores = vec![0.0; cols.len()];
    let mut intercept = beta[0];
    for (j, &(k, _)) in used.iter().enumerate() {
        let w = beta[j + 1] / sds[j];
        weights[k] = w;
        intercept -= w * means[j];
        let mut unit = vec![0.0; d];
        unit[j + 1] = 1.0;
        let variance = cholesky_solve(&hess, &unit, d)?[j + 1] / nf;
        z_scores[k] = beta[j + 1] / variance.sqrt();
    }
    Ok(Solved {
        intercept,
        weights,
        z_scores,
        deviance: 2.0 * nf * current,
        iterations,
        converged,
    })
}

/// The gradient and Hessian (lower triangle filled, then mirrored) of the mean
/// log-loss plus the ridge penalty at `beta`, over the standardised rows `z`.
fn gradient_and_hessian(
    z: &[f64],
    targets: &[f64],
    beta: &[f64],
    ridge: f64,
) -> (Vec<f64>, Vec<f64>) {
    let d = beta.len();
    let n = targets.len();
    let nf = n as f64;
    let mut grad = vec![0.0; d];
    let mut hess = vec![0.0; d * d];
    for i in 0..n {
        let zi = &z[i * d..(i + 1) * d];
        let mu = sigmoid(dot(zi, beta));
        let r = mu - targets[i];
        let w = mu * (1.0 - mu);
        for a in 0..d {
            grad[a] += r * zi[a];
            let wa = w * zi[a];
            for b in 0..=a {
                hess[a * d + b] += wa * zi[b];
            }
        }
    }
    for a in 0..d {
        grad[a] /= nf;
        for b in 0..=a {
            hess[a * d + b] /= nf;
        }
        if a > 0 {
            grad[a] += ridge * beta[a];
            hess[a * d + a] += ridge;
        }
        hess[a * d + a] += 1e-12;
    }
    (grad, hess)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)`, without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Solves `A s = g` for a symmetric positive definite `A` given by its lower triangle
/// (row-major, `d` x `d`), by Cholesky factorisation.
fn cholesky_solve(a: &[f64], g: &[f64], d: usize) -> Result<Vec<f64>, EvidenceError> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut sum = a[i * d + j];
            for k in 0..j {
                sum -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if !(sum > 0.0 && sum.is_finite()) {
                    return Err(EvidenceError::Numerical {
                        problem: format!(
                            "the Hessian is not positive definite (pivot {i} is {sum})"
                        ),
                    });
                }
                l[i * d + i] = sum.sqrt();
            } else {
                l[i * d + j] = sum / l[j * d + j];
            }
        }
    }
    // Forward: L u = g; backward: L^T s = u.
    let mut u = vec![0.0; d];
    for i in 0..d {
        let sum = g[i] - (0..i).map(|k| l[i * d + k] * u[k]).sum::<f64>();
        u[i] = sum / l[i * d + i];
    }
    let mut s = vec![0.0; d];
    for i in (0..d).rev() {
        let sum = u[i] - (i + 1..d).map(|k| l[k * d + i] * s[k]).sum::<f64>();
        s[i] = sum / l[i * d + i];
    }
    Ok(s)
}

/// The linear predictor `b + w . x` of row `row` over the columns `cols`.
pub(crate) fn predict(
    x: &Matrix,
    row: usize,
    cols: &[usize],
    intercept: f64,
    weights: &[f64],
) -> f64 {
    let r = x.row(row);
    intercept
        + cols
            .iter()
            .zip(weights)
            .map(|(&c, w)| w * r[c])
            .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_planted_weight() {
        // y = 1 exactly for the rows with x >= 2, with some overlap so that it is not
        // separable: the weight must come out clearly positive.
        let xs = [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0, 1.0, 2.0];
        let ys = [
            false, false, true, true, false, true, true, true, false, false,
        ];
        let x = Matrix {
            cols: 1,
            data: xs.to_vec(),
        };
        let s = solve(
            &x,
            &ys,
            &[0],
            Settings {
                l2: 0.1,
                max_iterations: 100,
                tolerance: 1e-10,
            },
        )
        .unwrap();
        assert!(s.converged);
        assert!(s.weights[0] > 0.5, "{s:?}");
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] s = [2, 1] -> s = [0.5, 0]
        let s = cholesky_solve(&[4.0, 0.0, 2.0, 3.0], &[2.0, 1.0], 2).unwrap();
        assert!((s[0] - 0.5).abs() < 1e-12 && s[1].abs() < 1e-12);
    }
}
