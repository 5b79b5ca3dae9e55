//! A lead's score: fit points, engagement that decays, and the ledger that explains it.

use super::GroupPoints;
use crate::id::LeadId;
use crate::name::Name;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A lead's score state. Engagement (in total and per group) is stored as of `at` and
/// decays continuously with the half-life; it is decayed lazily, exactly at the time it
/// is read, so it never drifts with how often it is computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreState {
    /// Fit points: the sum of the matching fit rules.
    pub fit: f64,
    /// Funnel points: milestones reached (`scoring.milestones`) and sales outcomes
    /// taken (`scoring.outcomes`); they do not decay. Left out of the serde form when
    /// 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub funnel: f64,
    /// The stages the lead has reached, for milestones. Left out of the serde form
    /// when empty.
    #[serde(default, skip_serializing_if = "Reached::is_empty")]
    pub reached: Reached,
    /// Engagement points at `at`.
    pub engagement: f64,
    /// Engagement points per engagement group at `at` (only groups the lead touched).
    pub groups: GroupPoints,
    /// When `engagement` and `groups` were last computed.
    pub at: DateTime<Utc>,
    /// The half-life (days) of the policy that last scored the lead.
    pub half_life_days: f64,
    /// Why the score is what it is.
    pub ledger: Ledger,
}

/// The bounds engagement is kept within.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub floor: f64,
    pub cap: f64,
    pub ledger_size: usize,
}

impl ScoreState {
    /// A new lead's score: fit points and no engagement.
    pub(crate) fn new(at: DateTime<Utc>, half_life_days: f64) -> Self {
        ScoreState {
            fit: 0.0,
            funnel: 0.0,
            reached: Reached::default(),
            engagement: 0.0,
            groups: GroupPoints::default(),
            at,
            half_life_days,
            ledger: Ledger::default(),
        }
    }

    /// The decay factor from `at` to `t` (1 for a `t` at or before `at`).
    fn factor(&self, t: DateTime<Utc>) -> f64 {
        decay_factor(self.at, t, self.half_life_days)
    }

    /// Engagement decayed to time `t`.
    pub fn engagement_at(&self, t: DateTime<Utc>) -> f64 {
        self.engagement * self.factor(t)
    }

    /// Fit plus funnel points plus engagement decayed to time `t`.
    pub fn score_at(&self, t: DateTime<Utc>) -> f64 {
        self.fit + self.funnel + self.engagement_at(t)
    }

    /// Adds a sales outcome's points (`scoring.outcomes`) at `t`.
    pub(crate) fn add_outcome(
        &mut self,
        event: crate::event::EventType,
        points: f64,
        t: DateTime<Utc>,
        ledger_size: usize,
    ) {
        if points != 0.0 {
            self.funnel += points;
            self.ledger
                .record(t, LedgerCause::Outcome { event }, points, ledger_size);
        }
    }

    /// Notes that the lead entered `stage` at `t`: it reaches the stage (for a
    /// waterfall stage, every earlier one too) and earns the milestone points of each
    /// stage it reaches for the first time, one ledger entry each.
    pub(crate) fn reach(
        &mut self,
        stage: Stage,
        points: &BTreeMap<Stage, f64>,
        t: DateTime<Utc>,
        ledger_size: usize,
    ) {
        let stages = match WATERFALL.iter().position(|&s| s == stage) {
            Some(rank) => &WATERFALL[1..=rank],
            None => std::slice::from_ref(&stage),
        };
        for &s in stages {
            if self.reached.insert(s) {
                if let Some(&p) = points.get(&s) {
                    self.funnel += p;
                    self.ledger
                        .record(t, LedgerCause::Milestone { stage: s }, p, ledger_size);
                }
            }
        }
    }

    /// Brings the state to time `t`, recording the decay in the ledger.
    pub(crate) fn decay_to(&mut self, t: DateTime<Utc>, half_life_days: f64, bounds: Bounds) {
        let f = self.factor(t);
        if f < 1.0 {
            let before = self.engagement;
            self.engagement *= f;
            for v in self.groups.values_mut() {
                *v *= f;
            }
            self.ledger.record(
                t,
                LedgerCause::Decay,
                self.engagement - before,
                bounds.ledger_size,
            );
        }
        self.at = self.at.max(t);
        self.half_life_days = half_life_days;
    }

    /// Adds a touch's points at `t` (after `decay_to(t)`): to its group, capped at the
    /// group's cap, then to the total, kept within `[floor, cap]`.
    ///
    /// The touch kind and group are [`Name`]s, so recording them in the ledger
    /// allocates nothing.
    pub(crate) fn add_touch(
        &mut self,
        kind: &Name,
        points: f64,
        group: Option<(&Name, f64)>,
        t: DateTime<Utc>,
        bounds: Bounds,
    ) {
        if points == 0.0 {
            return;
        }
        let cause = LedgerCause::Touch { touch: *kind };
        self.add_engagement(cause, points, group, t, bounds);
    }

    /// Adds engagement points for `cause` at `t` (after `decay_to(t)`), as
    /// [`add_touch`](Self::add_touch) does: a touch's or a sales attempt's.
    pub(crate) fn add_engagement(
        &mut self,
        cause: LedgerCause,
        points: f64,
        group: Option<(&Name, f64)>,
        t: DateTime<Utc>,
        bounds: Bounds,
    ) {
        if points == 0.0 {
            return;
        }
        self.ledger.record(t, cause, points, bounds.ledger_size);
        let mut applied = points;
        if let Some((name, group_cap)) = group {
            let g = self.groups.points_mut(*name);
            let wanted = *g + points;
            let kept = wanted.clamp(bounds.floor, group_cap.max(bounds.floor));
            *g = kept;
            if kept != wanted {
                self.ledger.record(
                    t,
                    LedgerCause::GroupCap { group: *name },
                    kept - wanted,
                    bounds.ledger_size,
                );
                applied += kept - wanted;
            }
        }
        let wanted = self.engagement + applied;
        let kept = wanted.clamp(bounds.floor, bounds.cap);
        self.engagement = kept;
        if kept != wanted {
            let cause = if kept > wanted {
                LedgerCause::Floor
            } else {
                LedgerCause::Cap
            };
            self.ledger
                .record(t, cause, kept - wanted, bounds.ledger_size);
            if let Some((name, _)) = group {
                // The group gives up what the total could not hold.
                if let Some(g) = self.groups.get_mut(name) {
                    *g += kept - wanted;
                }
            }
        }
    }

    /// Sets fit points, recording one ledger entry per rule whose match changed.
    pub(crate) fn set_fit(
        &mut self,
        changes: &[(String, f64)],
        t: DateTime<Utc>,
        ledger_size: usize,
    ) {
        for (attr, delta) in changes {
            self.fit += delta;
            self.ledger.record(
                t,
                LedgerCause::Fit {
                    attr: Name::from(attr.as_str()),
                },
                *delta,
                ledger_size,
            );
        }
    }

    /// Absorbs a merged duplicate's engagement (both already decayed to `t`).
    pub(crate) fn absorb(
        &mut self,
        other: &ScoreState,
        from: &LeadId,
        t: DateTime<Utc>,
        bounds: Bounds,
    ) {
        let wanted = self.engagement + other.engagement;
        self.ledger.record(
            t,
            LedgerCause::Merged {
                lead: Box::new(from.clone()),
            },
            other.engagement,
            bounds.ledger_size,
        );
        for &(name, v) in other.groups.entries() {
            *self.groups.points_mut(name) += v;
        }
        self.engagement = wanted.clamp(bounds.floor, bounds.cap);
        if self.engagement != wanted {
            let cause = if self.engagement > wanted {
                LedgerCause::Floor
            } else {
                LedgerCause::Cap
            };
            self.ledger
                .record(t, cause, self.engagement - wanted, bounds.ledger_size);
        }
    }
}

/// The decay factor from `from` to `to`: `0.5^(elapsed / half-life)`, to the
/// millisecond, and 1 when no time elapsed. The one formula for engagement decay.
pub(crate) fn decay_factor(from: DateTime<Utc>, to: DateTime<Utc>, half_life_days: f64) -> f64 {
    // Comparing is far cheaper than subtracting, and most reads are at the last update.
    if to <= from {
        return 1.0;
    }
    let elapsed_ms = (to - from).num_milliseconds();
    let half_lives = elapsed_ms as f64 / (half_life_days * 86_400_000.0);
    (-half_lives * std::f64::consts::LN_2).exp()
}

/// The waterfall, in order: reaching a stage reaches every earlier one.
const WATERFALL: [Stage; 6] = [
    Stage::Inquiry,
    Stage::Mql,
    Stage::Sal,
    Stage::Sql,
    Stage::Opportunity,
    Stage::Customer,
];

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A set of stages in one byte (a lead's score state is kept for millions of leads);
/// its serde form is the list of the stages, in stage order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reached(u8);

impl Reached {
    fn bit(stage: Stage) -> u8 {
        1 << (stage as u8)
    }

    /// Whether the set holds `stage`.
    pub fn contains(self, stage: Stage) -> bool {
        self.0 & Self::bit(stage) != 0
    }

    /// Adds `stage`; true when it was not there.
    pub fn insert(&mut self, stage: Stage) -> bool {
        let new = !self.contains(stage);
        self.0 |= Self::bit(stage);
        new
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The stages in the set, in stage order.
    pub fn iter(self) -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(move |&s| self.contains(s))
    }
}

impl Serialize for Reached {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Reached {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stages = Vec::<Stage>::deserialize(deserializer)?;
        let mut set = Reached::default();
        for s in stages {
            set.insert(s);
        }
        Ok(set)
    }
}

/// The last changes to a lead's score, bounded in size. `earlier` sums the changes that
/// no longer fit, so `earlier` plus every entry's points is the score at the last update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The sum of the changes dropped to keep the ledger bounded.
    pub earlier: f64,
    /// The latest changes, oldest first.
    pub entries: VecDeque<LedgerEntry>,
}

impl Ledger {
    fn record(&mut self, at: DateTime<Utc>, cause: LedgerCause, points: f64, size: usize) {
        if points == 0.0 {
            return;
        }
        // Consecutive decay folds into one entry: a ledger of decays explains nothing.
        if let (LedgerCause::Decay, Some(last)) = (&cause, self.entries.back_mut()) {
            if last.cause == LedgerCause::Decay {
                last.points += points;
                last.at = at;
                return;
            }
        }
        // Make room first, so the buffer never grows past `size` entries.
        while self.entries.len() >= size.max(1) {
            if let Some(old) = self.entries.pop_front() {
                self.earlier += old.points;
            }
        }
        if size == 0 {
            self.earlier += points;
            return;
        }
        self.entries.push_back(LedgerEntry { at, cause, points });
    }

    /// The sum of the ledger: the score at the last update.
    pub fn total(&self) -> f64 {
        self.earlier + self.entries.iter().map(|e| e.points).sum::<f64>()
    }
}

/// One change to a lead's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What changed it.
    pub cause: LedgerCause,
    /// By how many points (negative for a loss).
    pub points: f64,
}

/// What changed a score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LedgerCause {
    /// A touch of this kind scored its points.
    Touch {
        /// The touch kind.
        touch: Name,
    },
    /// A fit rule on this attribute started (positive) or stopped (negative) matching.
    Fit {
        /// The profile attribute.
        attr: Name,
    },
    /// Engagement decayed with the half-life.
    Decay,
    /// The engagement group's cap held back points.
    GroupCap {
        /// The group.
        group: Name,
    },
    /// The engagement cap held back points.
    Cap,
    /// The engagement floor held up points.
    Floor,
    /// A sales contact attempt scored the points of the `scoring.sales` rules it
    /// matched. Boxed because it is the one large cause: every ledger entry is as
    /// large as its largest cause (40 bytes with the box, 72 without).
    Sales(Box<SalesAttempt>),
    /// The lead reached a stage for the first time (`scoring.milestones`).
    Milestone {
        /// The stage.
        stage: Stage,
    },
    /// The lead took a sales outcome event (`scoring.outcomes`).
    Outcome {
        /// The event type.
        event: crate::event::EventType,
    },
    /// A merged duplicate's engagement was added.
    Merged {
        /// The duplicate. Boxed, as the sales cause is: merges are rare, and every
        /// ledger entry is as large as its largest cause.
        lead: Box<LeadId>,
    },
}

/// The sales contact attempt a [`LedgerCause::Sales`] entry scored: its serde form is
/// the entry's `channel` and `outcome` keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesAttempt {
    /// The attempt's channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Name>,
    /// The attempt's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Name>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const B: Bounds = Bounds {
        floor: 0.0,
        cap: 150.0,
        ledger_size: 8,
    };

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_ledger_entry_is_40_bytes_because_the_large_causes_are_boxed_and_names_interned() {
        assert_eq!(std::mem::size_of::<LedgerEntry>(), 40);
    }

    #[test]
    fn a_sales_cause_keeps_its_serde_form_with_the_box() {
        let sales = |channel: Option<&str>, outcome: Option<&str>| {
            LedgerCause::Sales(Box::new(SalesAttempt {
                channel: channel.map(Name::from),
                outcome: outcome.map(Name::from),
            }))
        };
        for (cause, json) in [
            (
                sales(Some("call"), Some("meeting_set")),
                r#"{"kind":"sales","channel":"call","outcome":"meeting_set"}"#,
            ),
            (
                sales(None, Some("no_answer")),
                r#"{"kind":"sales","outcome":"no_answer"}"#,
            ),
            (sales(None, None), r#"{"kind":"sales"}"#),
        ] {
            assert_eq!(serde_json::to_string(&cause).unwrap(), json);
            assert_eq!(serde_json::from_str::<LedgerCause>(json).unwrap(), cause);
        }
    }

    #[test]
    fn engagement_halves_every_half_life() {
        let mut s = ScoreState::new(t("2026-01-01T00:00:00Z"), 30.0);
        s.add_touch(&"k".into(), 80.0, None, t("2026-01-01T00:00:00Z"), B);
        assert!((s.engagement_at(t("2026-01-31T00:00:00Z")) - 40.0).abs() < 1e-9);
        assert!((s.engagement_at(t("2026-03-02T00:00:00Z")) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn additions_are_clamped_to_cap_and_floor_and_the_ledger_says_so() {
        let at = t("2026-01-01T00:00:00Z");
        let mut s = ScoreState::new(at, 30.0);
        s.add_touch(&"k".into(), 500.0, None, at, B);
        assert_eq!(s.engagement, 150.0);
        s.add_touch(&"k".into(), -900.0, None, at, B);
        assert_eq!(s.engagement, 0.0);
        assert_eq!(s.ledger.total(), 0.0);
        assert!(s.ledger.entries.iter().any(|e| e.cause == LedgerCause::Cap));
        assert!(s
            .ledger
            .entries
            .iter()
            .any(|e| e.cause == LedgerCause::Floor));
    }

    #[test]
    fn group_cap_holds_back_a_groups_points() {
        let at = t("2026-01-01T00:00:00Z");
        let mut s = ScoreState::new(at, 30.0);
        for _ in 0..5 {
            s.add_touch(
                &"email_click".into(),
                10.0,
                Some((&"email".into(), 25.0)),
                at,
                B,
            );
        }
        assert_eq!(s.engagement, 25.0);
        assert_eq!(s.groups["email"], 25.0);
        assert_eq!(s.ledger.total(), 25.0);
    }

    #[test]
    fn bounded_ledger_still_sums_to_the_score() {
        let at = t("2026-01-01T00:00:00Z");
        let mut s = ScoreState::new(at, 30.0);
        for day in 0..40 {
            let when = at + chrono::TimeDelta::days(day);
            s.decay_to(when, 30.0, B);
            s.add_touch(&"k".into(), 3.0, None, when, B);
        }
        assert_eq!(s.ledger.entries.len(), 8);
        assert!((s.ledger.total() - s.score_at(s.at)).abs() < 1e-9);
    }
}
