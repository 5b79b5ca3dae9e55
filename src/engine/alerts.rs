//! Alerts to the owning rep: a lead a rep owns heats up, and the rep should hear of it.

use super::{after, Engine};
use crate::day_points::{utc_day, window_start};
use crate::effect::{AlertCause, Effect, EffectKind};
use crate::lead::Lead;
use crate::stage::Stage;
use chrono::{DateTime, Utc};

impl Engine {
    /// After an event is applied: when the policy has `[alerts]` and a rep owns the
    /// lead (it is in sal, sql or opportunity with an owner), the points the event
    /// gained are added to the lead's window of whole UTC days, and the owner is
    /// alerted (`owner_alert`) when the event was a hand-raiser touch (`hand_raiser`),
    /// or when it gained points and the window's points reach `[alerts] points`
    /// (`spike`) — but never within `window_days` of the lead's last alert.
    ///
    /// It runs only at the lead's own events, never at a tick, so the alerts do not
    /// depend on where ticks fall; the window holds one entry per day at most.
    pub(super) fn alert_owner(
        &self,
        lead: &mut Lead,
        at: DateTime<Utc>,
        gained: f64,
        hand_raiser: bool,
        out: &mut Vec<Effect>,
    ) {
        let Some(policy) = &self.inner.policy.alerts else {
            return;
        };
        if !matches!(lead.stage, Stage::Sal | Stage::Sql | Stage::Opportunity) {
            return;
        }
        let Some(rep) = lead.rare.get().owner.clone() else {
            return;
        };
        let today = utc_day(at);
        let start = window_start(today, policy.window_days);
        let memory = &mut lead.rare.get_mut().alerts;
        memory.gains.forget_before(start);
        if gained != 0.0 {
            memory.gains.add(today, gained);
        }
        let window = f64::from(policy.window_days);
        if memory.last.is_some_and(|last| at < after(last, window)) {
            return;
        }
        let points = memory.gains.total_within(start, today);
        let cause = if hand_raiser {
            AlertCause::HandRaiser
        } else if gained > 0.0 && points >= policy.points {
            AlertCause::Spike
        } else {
            return;
        };
        memory.last = Some(at);
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::OwnerAlert { rep, cause, points },
        ));
    }
}
