use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Engagement points as of a time. Engagement decays continuously with the policy's
/// half-life, so it is stored with the time it was last updated and decayed lazily
/// when read: it never drifts with how often it is computed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    /// Points at `at`.
    pub points: f64,
    /// When `points` was computed.
    pub at: DateTime<Utc>,
}

impl Engagement {
    /// No engagement, as of `at`.
    pub fn zero(at: DateTime<Utc>) -> Self {
        Engagement { points: 0.0, at }
    }

    /// The points decayed to time `t` (no decay for a `t` before `at`).
    pub fn at_time(&self, t: DateTime<Utc>, half_life_days: f64) -> f64 {
        let elapsed_ms = (t - self.at).num_milliseconds();
        if elapsed_ms <= 0 || self.points == 0.0 {
            return self.points;
        }
        let half_lives = elapsed_ms as f64 / (half_life_days * 86_400_000.0);
        self.points * (-half_lives * std::f64::consts::LN_2).exp()
    }

    /// The engagement after adding `points` at `t`, clamped to `[floor, cap]`.
    pub fn add(
        &self,
        points: f64,
        t: DateTime<Utc>,
        half_life_days: f64,
        floor: f64,
        cap: f64,
    ) -> Self {
        let decayed = self.at_time(t, half_life_days);
        Engagement {
            points: (decayed + points).clamp(floor, cap),
            at: t.max(self.at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn engagement_halves_every_half_life() {
        let e = Engagement {
            points: 80.0,
            at: t("2026-01-01T00:00:00Z"),
        };
        assert!((e.at_time(t("2026-01-31T00:00:00Z"), 30.0) - 40.0).abs() < 1e-9);
        assert!((e.at_time(t("2026-03-02T00:00:00Z"), 30.0) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn additions_are_clamped_to_cap_and_floor() {
        let e = Engagement::zero(t("2026-01-01T00:00:00Z"));
        let e = e.add(500.0, t("2026-01-01T00:00:00Z"), 30.0, 0.0, 150.0);
        assert_eq!(e.points, 150.0);
        let e = e.add(-900.0, t("2026-01-01T00:00:00Z"), 30.0, 0.0, 150.0);
        assert_eq!(e.points, 0.0);
    }
}
