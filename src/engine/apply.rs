//! Applying one event that passed every check to a lead.

use super::disposition::Recycling;
use super::transition::Target;
use super::{after, Engine};
use crate::effect::{Cause, Effect, NurtureEnd, Reason};
use crate::event::{Event, EventKind};
use crate::id::RepId;
use crate::lead::Lead;
use crate::name::Name;
use crate::policy::sales_points;
use crate::rules::{Hook, Subject};
use crate::scoring::{fit_changes, LedgerCause, SalesAttempt};
use crate::stage::Stage;
use chrono::{DateTime, Utc};

impl Engine {
    /// Applies an event that [`Engine::refusal`] accepted, after the lead's due
    /// deadlines fired. It cannot fail: every refusal was judged before any change.
    pub(super) fn apply(&self, lead: &mut Lead, event: &Event, out: &mut Vec<Effect>) {
        let at = event.at();
        let cause = Cause::from(event.event_type());
        self.rearm(lead, at);
        self.wake_exhausted(lead, at);
        let mut hand_raiser = false;
        // The points the event gained, for `[alerts]`.
        let mut gained = 0.0;
        // The program a consumed branch content moves the lead into, once the touch
        // is applied.
        let mut branch = None;
        match event.kind() {
            EventKind::Touch {
                kind,
                campaign,
                channel,
                content,
            } => {
                let facts = self.inner.touch_kinds.get(kind);
                // The policy's kinds are interned already: the ledger, the counts and
                // the last touch take that name, and only another kind (one the hook
                // may still give points) is interned, once.
                let kind = facts.map_or_else(|| Name::from(kind.as_str()), |f| f.name);
                let points = facts.map_or(0.0, |f| f.points) + self.extra_points(lead, event, out);
                gained = points;
                if points != 0.0 {
                    self.decay(lead, at);
                    let group = facts
                        .and_then(|f| f.group.as_ref())
                        .map(|(g, cap)| (g, *cap));
                    lead.score
                        .add_touch(&kind, points, group, at, self.bounds());
                }
                hand_raiser = facts.is_some_and(|f| f.hand_raiser);
                lead.touch_counts.add(kind, 1);
                lead.last_touch
                    .update(kind, campaign.as_deref(), channel.as_deref(), at);
                if let Some(content) = content {
                    lead.content_seen.insert(content);
                    branch = self.choose(lead, content);
                }
            }
            EventKind::Profile { set } => {
                let before = lead.profile.clone();
                lead.profile.extend(set.iter().map(|(k, v)| (k, v.clone())));
                let changes = fit_changes(&self.inner.policy.scoring.fit, &before, &lead.profile);
                self.decay(lead, at);
                lead.score
                    .set_fit(&changes, at, self.inner.policy.scoring.ledger_size);
            }
            EventKind::SalesAccepted { rep } => {
                take_ownership(lead, rep);
                self.move_to(lead, Target::Sal, cause, at, out);
            }
            EventKind::SalesQualified { rep } => {
                take_ownership(lead, rep);
                self.move_to(lead, Target::Sql, cause, at, out);
            }
            EventKind::SalesAttempt {
                channel, outcome, ..
            } => {
                self.sales_points(lead, channel.as_deref(), outcome.as_deref(), at);
                self.sales_attempt(lead, at);
            }
            EventKind::OpportunityOpened { opportunity, .. } => {
                lead.rare.get_mut().opportunity = Some(opportunity.clone());
                self.move_to(lead, Target::Opportunity, cause, at, out);
            }
            EventKind::OpportunityWon { .. } => {
                self.move_to(lead, Target::Customer, cause, at, out);
            }
            EventKind::SalesRejected { .. }
            | EventKind::OpportunityLost { .. }
            | EventKind::Disqualified { .. }
            | EventKind::Recycled { .. } => {
                if let Some(why) = Recycling::asked_by(event) {
                    self.recycle(lead, why, cause, at, out);
                }
            }
            EventKind::Unsubscribed {} => {
                lead.do_not_email = true;
                if matches!(lead.stage, Stage::Inquiry | Stage::Mql | Stage::Recycled) {
                    let to = Target::Removed {
                        reason: Reason::Unsubscribed,
                    };
                    self.move_to(lead, to, cause, at, out);
                } else {
                    self.end_nurture(lead, NurtureEnd::Unsubscribed, at, out);
                }
            }
            EventKind::ContactLost { cause: why } => {
                let to = Target::Removed {
                    reason: Reason::named(why.as_str()),
                };
                self.move_to(lead, to, cause, at, out);
            }
            EventKind::Created { .. }
            | EventKind::Merged { .. }
            | EventKind::Tick {}
            | EventKind::AccountAlias { .. } => {
                unreachable!("refusal sends `{}` elsewhere", event.event_type())
            }
        }
        if let Some(&points) = self.inner.policy.scoring.outcomes.get(&event.event_type()) {
            let size = self.inner.policy.scoring.ledger_size;
            lead.score.add_outcome(event.event_type(), points, at, size);
        }
        self.applied(lead, event);
        // A touch that qualifies the lead takes it out of nurture, so it does not
        // branch: moving it first would send it a step of the new program and end
        // that enrollment in the same instant, telling the host to mail an MQL. The
        // choice is remembered either way (`choose`), for its next disposition.
        let qualified = self.qualify(lead, event, hand_raiser, out);
        if let Some(program) = branch.filter(|_| !qualified) {
            self.branch(lead, program, at, out);
        }
        self.alert_owner(lead, at, gained, hand_raiser, out);
    }

    /// The `points` hook's extra points for a touch, read before the touch is counted;
    /// 0 without a hook, or when it fails (a `rule_failed` effect says so).
    fn extra_points(&self, lead: &Lead, event: &Event, out: &mut Vec<Effect>) -> f64 {
        let subject = Subject {
            lead,
            policy: &self.inner.policy,
            at: event.at(),
            event: Some(event),
        };
        match self.inner.rules.points(&subject) {
            None => 0.0,
            Some(Ok(points)) => points,
            Some(Err(error)) => {
                let fallback = "no extra points".to_owned();
                self.rule_failed(lead, event.at(), Hook::Points, &error, fallback, out);
                0.0
            }
        }
    }

    /// A contact attempt's engagement points (`scoring.sales`), grouped with the
    /// `sales_attempt` kind when a group lists it.
    fn sales_points(
        &self,
        lead: &mut Lead,
        channel: Option<&str>,
        outcome: Option<&str>,
        at: DateTime<Utc>,
    ) {
        let points = sales_points(&self.inner.policy.scoring.sales, channel, outcome);
        if points == 0.0 {
            return;
        }
        self.decay(lead, at);
        let group = self
            .inner
            .touch_kinds
            .get(SALES_ATTEMPT)
            .and_then(|f| f.group.as_ref().map(|(g, cap)| (g, *cap)));
        let cause = LedgerCause::Sales(Box::new(SalesAttempt {
            channel: channel.map(Name::from),
            outcome: outcome.map(Name::from),
        }));
        lead.score
            .add_engagement(cause, points, group, at, self.bounds());
    }

    /// A contact attempt answers the respond service level, counts toward the attempts
    /// one and resets the idle clock, in the stages sales owns.
    fn sales_attempt(&self, lead: &mut Lead, at: DateTime<Utc>) {
        let Some(sla) = self.inner.policy.sla.for_stage(lead.stage) else {
            return;
        };
        lead.update_sla(|clock| {
            clock.respond_due = None;
            clock.attempts_made += 1;
            if sla.attempts.is_some_and(|n| clock.attempts_made >= n) {
                clock.attempts_due = None;
            }
            clock.idle_due = sla.idle_days.map(|d| after(at, d));
        });
    }
}

/// The kind a `[scoring.groups]` entry lists to cap sales attempts' points.
const SALES_ATTEMPT: &str = "sales_attempt";

/// The rep now owns the lead; the first rep to take it is remembered for life.
fn take_ownership(lead: &mut Lead, rep: &RepId) {
    let rare = lead.rare.get_mut();
    rare.owner = Some(rep.clone());
    rare.original_rep.get_or_insert_with(|| rep.clone());
}
