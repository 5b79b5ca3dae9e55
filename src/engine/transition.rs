//! The one write path of a lead's stage, with each stage's entry and exit actions.

use super::Engine;
use crate::effect::{Cause, Effect, EffectKind, NurtureEnd, Reason};
use crate::lead::{Lead, SlaClock};
use crate::name::Name;
use crate::stage::Stage;
use chrono::{DateTime, Utc};

use super::after;

/// Where a lead moves, with what entering that stage needs.
#[derive(Clone, Debug)]
pub(super) enum Target<'a> {
    Mql,
    Sal,
    Sql,
    Opportunity,
    Customer,
    /// Marketing owns the lead again, enrolled in `program` at `step`.
    Recycled {
        program: &'a str,
        step: usize,
        /// Recorded on the `transition` and `nurture_assigned` effects.
        reason: Reason,
    },
    /// Out of the waterfall for `reason`.
    Removed {
        reason: Reason,
    },
}

impl Target<'_> {
    fn stage(&self) -> Stage {
        match self {
            Target::Mql => Stage::Mql,
            Target::Sal => Stage::Sal,
            Target::Sql => Stage::Sql,
            Target::Opportunity => Stage::Opportunity,
            Target::Customer => Stage::Customer,
            Target::Recycled { .. } => Stage::Recycled,
            Target::Removed { .. } => Stage::Removed,
        }
    }
}

impl Engine {
    /// Moves the lead to `to`: checks the move against the waterfall's table, reports
    /// it, starts the new stay's service-level clock, and runs the exit action of the
    /// stage left and the entry action of the stage entered, so no caller can forget
    /// one:
    ///
    /// - leaving `recycled` (for `mql` or `sal`): the nurture ends, `re_engaged`;
    /// - entering `recycled`: marketing owns the lead (no owner), it is disarmed so a
    ///   lead recycled while hot cannot bounce straight back, and it is enrolled;
    /// - entering `removed`: the removal reason is kept and the nurture ends
    ///   (`unsubscribed` when the lead asked, else `removed`); nothing is ever sent
    ///   again, since a removed lead takes no events and has no deadline;
    /// - entering `customer`: the customer program, unless the lead asked not to be
    ///   emailed.
    pub(super) fn move_to(
        &self,
        lead: &mut Lead,
        to: Target<'_>,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        let from = lead.stage;
        let stage = to.stage();
        debug_assert!(
            from.can_move_to(stage) && crate::stage::moves(cause).to.contains(&stage),
            "illegal move {from} -> {stage} by {cause} for lead {}",
            lead.id
        );
        let reason = match &to {
            Target::Recycled { reason, .. } | Target::Removed { reason } => Some(reason.clone()),
            _ => None,
        };
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::Transition {
                from: Some(from),
                to: stage,
                cause,
                reason,
            },
        ));
        lead.stage = stage;
        lead.entered_stage_at = at;
        lead.set_sla(self.sla_clock(stage, at));
        let scoring = &self.inner.policy.scoring;
        lead.score
            .reach(stage, &scoring.milestones, at, scoring.ledger_size);

        if from == Stage::Recycled && stage != Stage::Removed {
            self.end_nurture(lead, NurtureEnd::ReEngaged, at, out);
        }
        match to {
            Target::Recycled {
                program,
                step,
                reason,
            } => {
                lead.rare.get_mut().owner = None;
                lead.armed = false;
                lead.rare.get_mut().times_recycled += 1;
                lead.rare
                    .get_mut()
                    .recycle_reasons
                    .push(Name::from(reason.as_str()));
                self.assign(lead, program, step, reason, at, out);
            }
            Target::Removed { reason } => {
                lead.rare.get_mut().removed_reason = Some(reason.as_str().to_owned());
                let why = if cause == Cause::Unsubscribed {
                    NurtureEnd::Unsubscribed
                } else {
                    NurtureEnd::Removed
                };
                self.end_nurture(lead, why, at, out);
            }
            Target::Customer if !lead.do_not_email => {
                let program = &self.inner.policy.recycle.customer_program;
                let step = self.entry_step(lead, program);
                self.assign(lead, program, step, Reason::OpportunityWon, at, out);
            }
            _ => {}
        }
    }

    /// The service-level deadlines of a new stay in `stage` that starts at `at`.
    fn sla_clock(&self, stage: Stage, at: DateTime<Utc>) -> SlaClock {
        let Some(sla) = self.inner.policy.sla.for_stage(stage) else {
            return SlaClock::default();
        };
        SlaClock {
            respond_due: sla.respond_days.map(|d| after(at, d)),
            attempts_due: match (sla.attempts, sla.attempts_days) {
                (Some(n), Some(d)) if n > 0 => Some(after(at, d)),
                _ => None,
            },
            attempts_made: 0,
            idle_due: sla.idle_days.map(|d| after(at, d)),
        }
    }
}
