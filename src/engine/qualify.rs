//! The qualification decision: when an inquiry or recycled lead becomes an MQL, and
//! who gets it.

use super::transition::Target;
use super::Engine;
use crate::effect::{Cause, Effect, EffectKind, RouteReason};
use crate::id::RepId;
use crate::lead::Lead;
use crate::scoring::{Band, Cell, Grade};
use crate::stage::Stage;
use chrono::{DateTime, Utc};

/// A lead becoming an MQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Qualification {
    /// `score` or `hand_raiser`.
    pub cause: Cause,
    /// The rep the lead is routed to, if any.
    pub route_to: Option<RepId>,
}

impl Engine {
    /// The one qualification decision (where the `requalify` and `route` hooks will
    /// plug in), checked after every applied event:
    ///
    /// - only an inquiry (threshold `mql_threshold`) or a recycled lead
    ///   (`requalify_threshold`) qualifies;
    /// - a hand-raiser touch qualifies it at once, armed or not;
    /// - otherwise an armed lead qualifies when its score reaches the threshold or it
    ///   sits in one of the policy's `mql_cells` (see [`Engine::rearm`] for arming);
    /// - a returning recycled lead is routed to its original rep, if it has one.
    pub(super) fn qualification(
        &self,
        lead: &Lead,
        at: DateTime<Utc>,
        hand_raiser: bool,
    ) -> Option<Qualification> {
        let threshold = self.threshold(lead.stage)?;
        let cause = if hand_raiser {
            Cause::HandRaiser
        } else if lead.armed && self.qualifies(lead, threshold, 0.0, at) {
            Cause::Score
        } else {
            return None;
        };
        let route_to = match lead.stage {
            Stage::Recycled => lead.original_rep.clone(),
            _ => None,
        };
        Some(Qualification { cause, route_to })
    }

    /// Qualifies the lead as [`Engine::qualification`] decides; returns whether it did.
    pub(super) fn qualify(
        &self,
        lead: &mut Lead,
        at: DateTime<Utc>,
        hand_raiser: bool,
        out: &mut Vec<Effect>,
    ) -> bool {
        let Some(q) = self.qualification(lead, at, hand_raiser) else {
            return false;
        };
        self.move_to(lead, Target::Mql, q.cause, at, out);
        if let Some(rep) = q.route_to {
            lead.owner = Some(rep.clone());
            out.push(Effect::new(
                &lead.id,
                at,
                EffectKind::Routed {
                    rep,
                    why: RouteReason::ReEngaged,
                },
            ));
        }
        true
    }

    /// Hysteresis: a disarmed lead (one that entered `recycled`) is re-armed once its
    /// score, read just before an event is applied, would not qualify even
    /// `hysteresis` points higher.
    pub(super) fn rearm(&self, lead: &mut Lead, at: DateTime<Utc>) {
        if lead.armed {
            return;
        }
        if let Some(threshold) = self.threshold(lead.stage) {
            if !self.qualifies(lead, threshold, self.policy.scoring.hysteresis, at) {
                lead.armed = true;
            }
        }
    }

    /// Whether the lead, with `margin` extra engagement points, would reach the
    /// threshold or sit in one of the policy's qualifying matrix cells at `t`.
    fn qualifies(&self, lead: &Lead, threshold: f64, margin: f64, t: DateTime<Utc>) -> bool {
        let scoring = &self.policy.scoring;
        let engagement = lead.score.engagement_at(t) + margin;
        if lead.score.fit + engagement >= threshold {
            return true;
        }
        if scoring.mql_cells.is_empty() {
            return false;
        }
        let cell = Cell {
            grade: Grade::of(lead.score.fit, &scoring.grades),
            band: Band::of(engagement, &scoring.bands),
        };
        scoring.mql_cells.contains(&cell)
    }

    /// The score threshold of the stages a lead qualifies from.
    fn threshold(&self, stage: Stage) -> Option<f64> {
        match stage {
            Stage::Inquiry => Some(self.policy.scoring.mql_threshold),
            Stage::Recycled => Some(self.policy.scoring.requalify_threshold),
            _ => None,
        }
    }
}
