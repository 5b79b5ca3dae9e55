//! Applying one (already ordered and de-duplicated) event to a lead.

use super::{after, Engine};
use crate::effect::{Cause, Effect, NurtureEnd};
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::id::RepId;
use crate::lead::Lead;
use crate::scoring::fit_changes;
use crate::stage::{legal_from, Stage};
use chrono::{DateTime, Utc};

impl Engine {
    /// Checks that the event is legal from the lead's stage, then applies it. Every
    /// refusal happens before the first change, so on error the lead is untouched.
    pub(super) fn apply(
        &self,
        lead: &mut Lead,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let ty = event.event_type();
        if matches!(
            event.kind,
            EventKind::Created { .. } | EventKind::Merged { .. } | EventKind::Tick {}
        ) {
            // Only a hand-built event gets here (a `tick` naming a lead, say): the wire
            // format and Engine::step route these types elsewhere.
            return Err(StepError::Malformed {
                lead: event.lead.clone(),
                problem: format!(
                    "lead {}: a `{ty}` event cannot be applied as a step of an existing lead (a `tick` names no lead; `created` and `merged` go through Engine::create and Engine::merge)",
                    lead.id
                ),
            });
        }
        self.check_not_removed(lead, event)?;
        let legal = legal_from(ty);
        if !legal.contains(&lead.stage) {
            return Err(StepError::IllegalTransition {
                lead: lead.id.clone(),
                stage: lead.stage,
                event: ty,
                legal_from: legal,
            });
        }
        if let Some(program) = chosen_program(&event.kind) {
            if !self.policy.programs.contains_key(program) {
                return Err(StepError::UnknownProgram {
                    lead: lead.id.clone(),
                    event: ty,
                    program: program.to_owned(),
                    known: self.policy.program_names(),
                });
            }
        }

        let at = event.at;
        let cause = Cause::from(ty);
        self.rearm(lead, at);
        self.wake_exhausted(lead, at);
        let mut hand_raiser = false;
        match &event.kind {
            EventKind::Touch {
                kind,
                campaign,
                channel,
                content,
            } => {
                let points = self
                    .policy
                    .scoring
                    .engagement
                    .get(kind)
                    .copied()
                    .unwrap_or(0.0);
                if points != 0.0 {
                    self.decay(lead, at);
                    let group = self.group_of.get(kind).map(|(g, cap)| (g.as_str(), *cap));
                    lead.score.add_touch(kind, points, group, at, self.bounds());
                }
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
                if let Some(content) = content.as_ref().filter(|c| !lead.content_seen.contains(*c))
                {
                    lead.content_seen.insert(content.clone());
                }
                hand_raiser = self.policy.scoring.hand_raisers.iter().any(|h| h == kind);
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
                let from = lead.stage;
                take_ownership(lead, rep);
                self.move_to(lead, Stage::Sal, cause, at, out);
                if from == Stage::Recycled {
                    self.end_nurture(lead, NurtureEnd::ReEngaged, at, out);
                }
            }
            EventKind::SalesQualified { rep } => {
                take_ownership(lead, rep);
                self.move_to(lead, Stage::Sql, cause, at, out);
            }
            EventKind::SalesAttempt { .. } => self.sales_attempt(lead, at),
            EventKind::OpportunityOpened { opportunity, .. } => {
                lead.opportunity = Some(opportunity.clone());
                self.move_to(lead, Stage::Opportunity, cause, at, out);
            }
            EventKind::OpportunityWon { .. } => {
                self.move_to(lead, Stage::Customer, cause, at, out);
                if !lead.do_not_email {
                    let program = self.policy.recycle.customer_program.clone();
                    self.assign(lead, &program, "opportunity_won", at, out);
                }
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
            } => self.recycle(lead, reason, program.as_deref(), cause, at, out),
            EventKind::Unsubscribed {} => {
                lead.do_not_email = true;
                if matches!(lead.stage, Stage::Inquiry | Stage::Mql | Stage::Recycled) {
                    self.remove(
                        lead,
                        "unsubscribed",
                        cause,
                        NurtureEnd::Unsubscribed,
                        at,
                        out,
                    );
                } else {
                    self.end_nurture(lead, NurtureEnd::Unsubscribed, at, out);
                }
            }
            EventKind::ContactLost { cause: why } => {
                self.remove(lead, why, cause, NurtureEnd::Removed, at, out)
            }
            EventKind::Created { .. } | EventKind::Merged { .. } | EventKind::Tick {} => {}
        }
        lead.clock = lead.clock.max(at);
        if let Some(id) = &event.id {
            lead.applied_events.insert(id.clone());
        }
        self.qualify(lead, at, hand_raiser, out);
        Ok(())
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

    /// Active recycling: a remove reason removes the lead; an unsubscribed lead is
    /// removed; otherwise it enters the rep's extension program, the reason's program,
    /// or the default program.
    pub(super) fn recycle(
        &self,
        lead: &mut Lead,
        reason: &str,
        chosen: Option<&str>,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        let recycle = &self.policy.recycle;
        if recycle.remove_reasons.iter().any(|r| r == reason) {
            self.remove(lead, reason, cause, NurtureEnd::Removed, at, out);
        } else if lead.do_not_email {
            self.remove(lead, "unsubscribed", cause, NurtureEnd::Removed, at, out);
        } else {
            let program = chosen
                .or_else(|| recycle.reasons.get(reason).map(String::as_str))
                .unwrap_or(&recycle.default_program)
                .to_owned();
            self.enter_recycled(lead, &program, reason, cause, at, out);
        }
    }

    /// Marketing owns the lead again, enrolled in `program`; it is disarmed so that a
    /// lead recycled while still hot cannot bounce straight back.
    pub(super) fn enter_recycled(
        &self,
        lead: &mut Lead,
        program: &str,
        reason: &str,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        self.move_to(lead, Stage::Recycled, cause, at, out);
        lead.owner = None;
        lead.armed = false;
        lead.times_recycled += 1;
        self.assign(lead, program, reason, at, out);
    }

    /// Moves the lead out of the waterfall for `reason`; its nurture ends with `why`.
    pub(super) fn remove(
        &self,
        lead: &mut Lead,
        reason: &str,
        cause: Cause,
        why: NurtureEnd,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        self.move_to(lead, Stage::Removed, cause, at, out);
        lead.removed_reason = Some(reason.to_owned());
        self.end_nurture(lead, why, at, out);
    }
}

/// The rep now owns the lead; the first rep to take it is remembered for life.
fn take_ownership(lead: &mut Lead, rep: &RepId) {
    lead.owner = Some(rep.clone());
    if lead.original_rep.is_none() {
        lead.original_rep = Some(rep.clone());
    }
}

/// The extension program a rep chose, if the event carries one.
fn chosen_program(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::SalesRejected { program, .. }
        | EventKind::OpportunityLost { program, .. }
        | EventKind::Disqualified { program, .. }
        | EventKind::Recycled { program, .. } => program.as_deref(),
        _ => None,
    }
}
