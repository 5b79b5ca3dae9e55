//! Metrics of a ranking against outcomes: ROC AUC, conversion rates and lift.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The area under the ROC curve of `scored` (score, converted) pairs: the probability
/// that a converted lead, drawn at random, scores higher than an unconverted one, ties
/// counting one half.
///
/// Computed as the Mann-Whitney U statistic with average ranks for tied scores, so a
/// perfect ranking is 1, a reversed one 0, and scores that are all equal 0.5. `None`
/// when the pairs are not of both kinds (no converted or no unconverted lead), for which
/// the AUC is undefined. Scores are compared with [`f64::total_cmp`].
///
/// ```
/// use leadcycle::calibrate::roc_auc;
/// assert_eq!(roc_auc(&[(3.0, true), (2.0, false), (1.0, false)]), Some(1.0));
/// assert_eq!(roc_auc(&[(1.0, true), (1.0, false)]), Some(0.5));
/// assert_eq!(roc_auc(&[(1.0, true)]), None);
/// ```
pub fn roc_auc(scored: &[(f64, bool)]) -> Option<f64> {
    let positives = scored.iter().filter(|(_, y)| *y).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scored.len()).collect();
    order.sort_by(|&a, &b| scored[a].0.total_cmp(&scored[b].0).then(a.cmp(&b)));
    // Sum of the (1-based, tie-averaged) ranks of the converted leads.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let score = scored[order[start]].0;
        let mut end = start + 1;
        while end < order.len() && scored[order[end]].0.total_cmp(&score) == Ordering::Equal {
            end += 1;
        }
        // Ranks start+1 ..= end share their average.
        let average = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end].iter().filter(|&&i| scored[i].1).count();
        rank_sum += average * tied_positives as f64;
        start = end;
    }
    let p = positives as f64;
    let u = rank_sum - p * (p + 1.0) / 2.0;
    Some(u / (p * negatives as f64))
}

/// `conversions / leads`, or `None` for an empty group.
pub fn conversion_rate(leads: usize, conversions: usize) -> Option<f64> {
    (leads > 0).then(|| conversions as f64 / leads as f64)
}

/// The leads of one group (a grade, a band, a cell) and how many of them converted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket<K> {
    /// The group: a [`Grade`](crate::scoring::Grade), a [`Band`](crate::scoring::Band)
    /// or a [`Cell`](crate::scoring::Cell).
    pub key: K,
    /// How many leads are in it.
    pub leads: usize,
    /// How many of them converted.
    pub conversions: usize,
    /// `conversions / leads`; `None` when the group is empty.
    pub rate: Option<f64>,
}

impl<K> Bucket<K> {
    pub(crate) fn new(key: K, leads: usize, conversions: usize) -> Self {
        Bucket {
            key,
            leads,
            conversions,
            rate: conversion_rate(leads, conversions),
        }
    }
}

/// One tenth of the leads ranked by score, highest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    /// 1 for the highest-scoring tenth, 10 for the lowest.
    pub decile: u8,
    /// How many leads are in it: `n / 10` or one more (the first `n % 10` deciles get
    /// the extra lead), so fewer than ten leads leave some deciles empty.
    pub leads: usize,
    /// How many of them converted.
    pub conversions: usize,
    /// `conversions / leads`; `None` when the decile is empty.
    pub rate: Option<f64>,
    /// `rate / base rate`: how many times likelier to convert than a lead at random;
    /// `None` when the decile is empty or no lead converted at all.
    pub lift: Option<f64>,
    /// The lowest score in the decile.
    pub min_score: Option<f64>,
    /// The highest score in the decile.
    pub max_score: Option<f64>,
}

/// The ten deciles of `ranked` (score, converted) pairs, already sorted best first.
pub(crate) fn deciles(ranked: &[(f64, bool)], base_rate: f64) -> Vec<Decile> {
    let n = ranked.len();
    let (size, extra) = (n / 10, n % 10);
    let mut start = 0;
    (0..10)
        .map(|d| {
            let len = size + usize::from(d < extra);
            let part = &ranked[start..start + len];
            start += len;
            let conversions = part.iter().filter(|(_, y)| *y).count();
            let rate = conversion_rate(len, conversions);
            Decile {
                decile: d as u8 + 1,
                leads: len,
                conversions,
                rate,
                lift: rate.filter(|_| base_rate > 0.0).map(|r| r / base_rate),
                min_score: part.last().map(|(s, _)| *s),
                max_score: part.first().map(|(s, _)| *s),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        // One positive tied with one of two negatives, above the other.
        let auc = roc_auc(&[(1.0, true), (1.0, false), (0.0, false)]).unwrap();
        assert!((auc - 0.75).abs() < 1e-12);
    }

    #[test]
    fn deciles_spread_the_remainder_over_the_first() {
        let ranked: Vec<(f64, bool)> = (0..23).map(|i| (-(i as f64), i % 3 == 0)).collect();
        let d = deciles(&ranked, 8.0 / 23.0);
        let sizes: Vec<usize> = d.iter().map(|d| d.leads).collect();
        assert_eq!(sizes, [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(d.iter().map(|d| d.conversions).sum::<usize>(), 8);
    }
}
