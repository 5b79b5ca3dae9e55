//! Distributions that combine exactly: whole-number values counted in a sorted
//! histogram, so the median and p90 of two reports merged are those of the whole.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many times each whole-number value was seen, with its median and 90th
/// percentile (nearest rank: the smallest value with at least that share of the
/// values at or below it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Distribution {
    /// How many values.
    pub count: u64,
    /// The median value; `None` when there are none.
    pub median: Option<u64>,
    /// The 90th percentile; `None` when there are none.
    pub p90: Option<u64>,
    /// Each value seen and how many times.
    pub values: BTreeMap<u64, u64>,
}

impl Distribution {
    /// Counts one more `value`.
    pub(super) fn add(&mut self, value: u64) {
        *self.values.entry(value).or_insert(0) += 1;
        self.count += 1;
    }

    /// Adds every value of `other`.
    pub(super) fn merge(&mut self, other: &Distribution) {
        for (value, n) in &other.values {
            *self.values.entry(*value).or_insert(0) += n;
        }
        self.count += other.count;
        self.finish();
    }

    /// Recomputes the median and p90 from the values.
    pub(super) fn finish(&mut self) {
        self.median = self.quantile(50);
        self.p90 = self.quantile(90);
    }

    /// The nearest-rank `percent`th percentile.
    fn quantile(&self, percent: u64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        // The rank, 1-based: ceil(count * percent / 100).
        let rank = (self.count * percent).div_ceil(100).max(1);
        let mut seen = 0;
        for (value, n) in &self.values {
            seen += n;
            if seen >= rank {
                return Some(*value);
            }
        }
        None
    }
}

/// Durations, counted in whole hours (cut down), with the median and p90 in days.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Durations {
    /// How many durations.
    pub count: u64,
    /// The median, in days (whole hours / 24); `None` when there are none.
    pub median_days: Option<f64>,
    /// The 90th percentile, in days; `None` when there are none.
    pub p90_days: Option<f64>,
    /// Each duration in whole hours and how many times it was seen.
    pub hours: BTreeMap<u64, u64>,
}

impl Durations {
    /// Counts one more duration of `seconds` (negative ones count as zero).
    pub(super) fn add_seconds(&mut self, seconds: i64) {
        let hours = u64::try_from(seconds.max(0) / 3600).unwrap_or(0);
        *self.hours.entry(hours).or_insert(0) += 1;
        self.count += 1;
    }

    /// Adds every duration of `other`.
    pub(super) fn merge(&mut self, other: &Durations) {
        for (h, n) in &other.hours {
            *self.hours.entry(*h).or_insert(0) += n;
        }
        self.count += other.count;
        self.finish();
    }

    /// Recomputes the median and p90 from the histogram.
    pub(super) fn finish(&mut self) {
        let as_distribution = Distribution {
            count: self.count,
            median: None,
            p90: None,
            values: self.hours.clone(),
        };
        let days = |h: Option<u64>| h.map(|h| h as f64 / 24.0);
        self.median_days = days(as_distribution.quantile(50));
        self.p90_days = days(as_distribution.quantile(90));
    }
}

/// A share: `part` of `whole`, and `part / whole` (`None` when `whole` is 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rate {
    /// The numerator.
    pub part: u64,
    /// The denominator.
    pub whole: u64,
    /// `part / whole`, or `None` when `whole` is 0.
    pub rate: Option<f64>,
}

impl Rate {
    /// `part` of `whole`.
    pub(super) fn of(part: u64, whole: u64) -> Self {
        Rate {
            part,
            whole,
            rate: (whole > 0).then(|| part as f64 / whole as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_are_nearest_rank() {
        let mut d = Distribution::default();
        for v in 1..=10 {
            d.add(v);
        }
        d.finish();
        assert_eq!((d.median, d.p90), (Some(5), Some(9)));
        let mut one = Distribution::default();
        one.add(7);
        one.finish();
        assert_eq!((one.median, one.p90), (Some(7), Some(7)));
    }

    #[test]
    fn merged_distributions_equal_the_distribution_of_all_values() {
        let (mut a, mut b, mut all) = Default::default();
        for v in [3, 1, 4, 1, 5] {
            Distribution::add(&mut a, v);
            Distribution::add(&mut all, v);
        }
        for v in [9, 2, 6] {
            Distribution::add(&mut b, v);
            Distribution::add(&mut all, v);
        }
        Distribution::merge(&mut a, &b);
        all.finish();
        assert_eq!(a, all);
    }
}
