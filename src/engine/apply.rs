//! Applying one event that passed every check to a lead.

use super::disposition::Recycling;
use super::transition::Target;
use super::{after, Engine};
use crate::effect::{Cause, Effect, NurtureEnd};
use crate::event::{Event, EventKind};
use crate::id::RepId;
use crate::lead::Lead;
use crate::scoring::fit_changes;
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
                let facts = self.touch_kinds.get(kind);
                if let Some(facts) = facts.filter(|f| f.points != 0.0) {
                    self.decay(lead, at);
                    let group = facts.group.as_ref().map(|(g, cap)| (g, *cap));
                    lead.score
                        .add_touch(&facts.name, facts.points, group, at, self.bounds());
                }
                hand_raiser = facts.is_some_and(|f| f.hand_raiser);
                // Reuse the existing strings: this is the hot path of a busy book.
                match lead.touch_counts.get_mut(kind) {
                    Some(n) => *n += 1,
                    None => {
                        lead.touch_counts.insert(kind.clone(), 1);
                    }
                }
                let last = &mut lead.last_touch;
                last.source.clone_from(kind);
                last.campaign.clone_from(campaign);
                last.channel.clone_from(channel);
                last.at = at;
                if let Some(content) = content {
                    if !lead.content_seen.contains(content) {
                        lead.content_seen.insert(content.clone());
                    }
                    branch = self.choose(lead, content);
                }
            }
            EventKind::Profile { set } => {
                let before = lead.profile.clone();
                lead.profile
                    .extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
                let changes = fit_changes(&self.policy.scoring.fit, &before, &lead.profile);
                self.decay(lead, at);
                lead.score
                    .set_fit(&changes, at, self.policy.scoring.ledger_size);
            }
            EventKind::SalesAccepted { rep } => {
                take_ownership(lead, rep);
                self.move_to(lead, Target::Sal, cause, at, out);
            }
            EventKind::SalesQualified { rep } => {
                take_ownership(lead, rep);
                self.move_to(lead, Target::Sql, cause, at, out);
            }
            EventKind::SalesAttempt { .. } => self.sales_attempt(lead, at),
            EventKind::OpportunityOpened { opportunity, .. } => {
                lead.opportunity = Some(opportunity.clone());
                self.move_to(lead, Target::Opportunity, cause, at, out);
            }
            EventKind::OpportunityWon { .. } => {
                self.move_to(lead, Target::Customer, cause, at, out);
            }
            EventKind::SalesRejected {
                reason, program, ..
            }
            | EventKind::OpportunityLost {
                reason, program, ..
            }
            | EventKind::Disqualified {
                reason, program, ..
            }
            | EventKind::Recycled {
                reason, program, ..
            } => {
                let why = Recycling::Active {
                    reason,
                    program: program.as_deref(),
                };
                self.recycle(lead, why, cause, at, out);
            }
            EventKind::Unsubscribed {} => {
                lead.do_not_email = true;
                if matches!(lead.stage, Stage::Inquiry | Stage::Mql | Stage::Recycled) {
                    let to = Target::Removed {
                        reason: "unsubscribed",
                    };
                    self.move_to(lead, to, cause, at, out);
                } else {
                    self.end_nurture(lead, NurtureEnd::Unsubscribed, at, out);
                }
            }
            EventKind::ContactLost { cause: why } => {
                self.move_to(lead, Target::Removed { reason: why }, cause, at, out);
            }
            EventKind::Created { .. } | EventKind::Merged { .. } | EventKind::Tick {} => {
                unreachable!("refusal sends `{}` elsewhere", event.event_type())
            }
        }
        self.applied(lead, event);
        // A touch that qualifies the lead takes it out of nurture, so it does not
        // branch: moving it first would send it a step of the new program and end
        // that enrollment in the same instant, telling the host to mail an MQL. The
        // choice is remembered either way (`choose`), for its next disposition.
        let qualified = self.qualify(lead, at, hand_raiser, out);
        if let Some(program) = branch.filter(|_| !qualified) {
            self.branch(lead, program, at, out);
        }
    }

    /// A contact attempt answers the respond service level, counts toward the attempts
    /// one and resets the idle clock, in the stages sales owns.
    fn sales_attempt(&self, lead: &mut Lead, at: DateTime<Utc>) {
        let Some(sla) = self.policy.sla.for_stage(lead.stage) else {
            return;
        };
        lead.sla.respond_due = None;
        lead.sla.attempts_made += 1;
        if sla.attempts.is_some_and(|n| lead.sla.attempts_made >= n) {
            lead.sla.attempts_due = None;
        }
        lead.sla.idle_due = sla.idle_days.map(|d| after(at, d));
    }
}

/// The rep now owns the lead; the first rep to take it is remembered for life.
fn take_ownership(lead: &mut Lead, rep: &RepId) {
    lead.owner = Some(rep.clone());
    if lead.original_rep.is_none() {
        lead.original_rep = Some(rep.clone());
    }
}
