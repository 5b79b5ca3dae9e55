//! Points per UTC day over a window of whole days: the bounded memory behind the
//! account roll-up and owner alerts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The UTC day of a time, counted from 1970-01-01 (day 0).
pub(crate) fn utc_day(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// The first day of the window of `window_days` whole UTC days that ends on `today`.
pub(crate) fn window_start(today: i64, window_days: u32) -> i64 {
    today - (i64::from(window_days) - 1)
}

/// Points gained per UTC day, oldest day first. Pruned to a window on every use, so it
/// holds at most one entry per day of the window: its memory is bounded by the
/// window, not by how many touches a busy lead makes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct DayPoints(Vec<(i64, f64)>);

impl DayPoints {
    /// No day.
    pub(crate) const fn new() -> Self {
        DayPoints(Vec::new())
    }

    /// Adds `points` on `day` (a day with a counting touch of 0 points is kept: it
    /// still counts as activity).
    pub(crate) fn add(&mut self, day: i64, points: f64) {
        match self.0.binary_search_by_key(&day, |&(d, _)| d) {
            Ok(i) => self.0[i].1 += points,
            Err(i) => self.0.insert(i, (day, points)),
        }
    }

    /// Forgets the days before `start`.
    pub(crate) fn forget_before(&mut self, start: i64) {
        let keep = self.0.partition_point(|&(d, _)| d < start);
        self.0.drain(..keep);
    }

    /// Whether there is activity on a day from `start` to `end`, both included.
    pub(crate) fn active_within(&self, start: i64, end: i64) -> bool {
        self.0.iter().any(|&(d, _)| (start..=end).contains(&d))
    }

    /// The points of the days from `start` to `end`, both included, oldest first.
    pub(crate) fn total_within(&self, start: i64, end: i64) -> f64 {
        self.0
            .iter()
            .filter(|(d, _)| (start..=end).contains(d))
            .map(|&(_, p)| p)
            .sum()
    }

    /// Adds another's days to these.
    pub(crate) fn absorb(&mut self, other: DayPoints) {
        for (day, points) in other.0 {
            self.add(day, points);
        }
    }

    /// Whether no day is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_stay_sorted_and_one_entry_per_day() {
        let mut d = DayPoints::default();
        d.add(5, 1.0);
        d.add(3, 2.0);
        d.add(5, 4.0);
        assert_eq!(d.0, vec![(3, 2.0), (5, 5.0)]);
        d.forget_before(4);
        assert_eq!(d.0, vec![(5, 5.0)]);
        assert_eq!(d.total_within(5, 5), 5.0);
        assert!(!d.active_within(6, 9));
    }

    #[test]
    fn a_day_starts_at_midnight_utc() {
        let before: DateTime<Utc> = "2026-01-05T23:59:59Z".parse().unwrap();
        let after: DateTime<Utc> = "2026-01-06T00:00:00Z".parse().unwrap();
        assert_eq!(utc_day(after) - utc_day(before), 1);
        assert_eq!(window_start(10, 1), 10);
        assert_eq!(window_start(10, 90), -79);
    }
}
