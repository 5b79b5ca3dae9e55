//! The qualification decision: when an inquiry or recycled lead becomes an MQL, and
//! who gets it.

use super::transition::Target;
use super::Engine;
use crate::effect::{Cause, Effect, EffectKind, RouteReason};
use crate::event::Event;
use crate::id::RepId;
use crate::lead::Lead;
use crate::rules::{Hook, Subject};
use crate::scoring::{Band, Cell, Grade};
use crate::stage::Stage;
use chrono::{DateTime, Utc};

/// What, beside its score, may qualify a lead at this decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Signals {
    /// The event is a hand-raiser touch.
    pub hand_raiser: bool,
    /// The lead's account is engaged (the book's roll-up says so).
    pub account: bool,
}

impl Signals {
    /// The account signal alone.
    pub const ACCOUNT: Signals = Signals {
        hand_raiser: false,
        account: true,
    };
}

/// A lead becoming an MQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Qualification {
    /// `score`, `hand_raiser` or `account`.
    pub cause: Cause,
    /// The rep the lead is routed to, if any.
    pub route_to: Option<RepId>,
}

impl Engine {
    /// The one qualification decision, checked after every applied event:
    ///
    /// - only an inquiry (threshold `mql_threshold`) or a recycled lead
    ///   (`requalify_threshold`) qualifies;
    /// - for a recycled lead, the `requalify` hook decides first when the policy sets
    ///   one: `true` qualifies it (armed or not), `false` keeps it in nurture (even
    ///   after a hand-raiser touch), `()` or a failure leaves the decision to the rules
    ///   below;
    /// - a hand-raiser touch qualifies it at once, armed or not;
    /// - otherwise an armed lead qualifies when its score reaches the threshold or it
    ///   sits in one of the policy's `mql_cells` (see [`Engine::rearm`] for arming);
    /// - otherwise an armed lead whose account is engaged (the book's signal) qualifies
    ///   with cause `account` when its fit grade is in `[accounts] lift_grades`;
    /// - a returning recycled lead is routed to the rep the `route` hook names, else to
    ///   its original rep, if it has one.
    pub(super) fn qualification(
        &self,
        lead: &Lead,
        event: &Event,
        signals: Signals,
        out: &mut Vec<Effect>,
    ) -> Option<Qualification> {
        let at = event.at();
        let threshold = self.threshold(lead.stage)?;
        let recycled = lead.stage == Stage::Recycled;
        let subject = Subject {
            lead,
            policy: &self.inner.policy,
            at,
            event: Some(event),
        };
        let hook = if recycled {
            self.inner.rules.requalify(&subject)
        } else {
            None
        };
        let ready = match hook {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(ready))) => Some(ready),
            Some(Err(error)) => {
                let fallback =
                    format!("the policy's threshold (requalify_threshold = {threshold})");
                self.rule_failed(lead, at, Hook::Requalify, &error, fallback, out);
                None
            }
        };
        let cause = match ready {
            Some(false) => return None,
            _ if signals.hand_raiser => Cause::HandRaiser,
            Some(true) => Cause::Score,
            None if lead.armed && self.qualifies(lead, threshold, 0.0, at) => Cause::Score,
            None if signals.account && lead.armed && self.lifted_grade(lead) => Cause::Account,
            None => return None,
        };
        let route_to = if recycled {
            self.route(&subject, out)
        } else {
            None
        };
        Some(Qualification { cause, route_to })
    }

    /// Who gets a recycled lead that qualifies: the `route` hook's rep, else its
    /// original rep.
    fn route(&self, subject: &Subject<'_, '_>, out: &mut Vec<Effect>) -> Option<RepId> {
        let lead = subject.lead;
        match self.inner.rules.route(subject) {
            None | Some(Ok(None)) => lead.rare.get().original_rep.clone(),
            Some(Ok(Some(rep))) => Some(RepId(rep)),
            Some(Err(error)) => {
                let fallback = match &lead.rare.get().original_rep {
                    Some(rep) => format!("the original rep, {rep}"),
                    None => "no rep: the lead has no original rep".to_owned(),
                };
                self.rule_failed(lead, subject.at, Hook::Route, &error, fallback, out);
                lead.rare.get().original_rep.clone()
            }
        }
    }

    /// Qualifies the lead as [`Engine::qualification`] decides after an event applied
    /// to it; returns whether it did.
    pub(super) fn qualify(
        &self,
        lead: &mut Lead,
        event: &Event,
        hand_raiser: bool,
        out: &mut Vec<Effect>,
    ) -> bool {
        let signals = Signals {
            hand_raiser,
            account: false,
        };
        self.qualify_with(lead, event, signals, out)
    }

    /// [`Engine::qualify`] with every signal the decision reads.
    pub(super) fn qualify_with(
        &self,
        lead: &mut Lead,
        event: &Event,
        signals: Signals,
        out: &mut Vec<Effect>,
    ) -> bool {
        let Some(q) = self.qualification(lead, event, signals, out) else {
            return false;
        };
        let at = event.at();
        self.move_to(lead, Target::Mql, q.cause, at, out);
        if let Some(rep) = q.route_to {
            lead.rare.get_mut().owner = Some(rep.clone());
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
            if !self.qualifies(lead, threshold, self.inner.policy.scoring.hysteresis, at) {
                lead.armed = true;
            }
        }
    }

    /// Whether the lead, with `margin` extra engagement points, would reach the
    /// threshold or sit in one of the policy's qualifying matrix cells at `t`.
    fn qualifies(&self, lead: &Lead, threshold: f64, margin: f64, t: DateTime<Utc>) -> bool {
        let scoring = &self.inner.policy.scoring;
        let engagement = lead.score.engagement_at(t) + margin;
        if lead.score.fit + lead.score.funnel + engagement >= threshold {
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

    /// Whether the policy lifts leads of this lead's fit grade when their account is
    /// engaged.
    pub(super) fn lifted_grade(&self, lead: &Lead) -> bool {
        let Some(accounts) = &self.inner.policy.accounts else {
            return false;
        };
        accounts.lift_grades.contains(&self.grade(lead))
    }

    /// The score threshold of the stages a lead qualifies from.
    fn threshold(&self, stage: Stage) -> Option<f64> {
        match stage {
            Stage::Inquiry => Some(self.inner.policy.scoring.mql_threshold),
            Stage::Recycled => Some(self.inner.policy.scoring.requalify_threshold),
            _ => None,
        }
    }
}
