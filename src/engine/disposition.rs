//! The disposition decision: what becomes of a lead that is recycled.

use super::transition::Target;
use super::Engine;
use crate::effect::{Cause, Effect};
use crate::lead::Lead;
use chrono::{DateTime, Utc};

/// Why a lead is being recycled.
#[derive(Clone, Copy, Debug)]
pub(super) enum Recycling<'a> {
    /// Sales let it go (`sales_rejected`, `disqualified`, `recycled`,
    /// `opportunity_lost`) with a reason, and maybe an extension program.
    Active {
        reason: &'a str,
        program: Option<&'a str>,
    },
    /// It sat in its stage past the idle limit.
    Passive,
}

impl<'a> Recycling<'a> {
    /// The reason recorded on the enrollment: the rep's reason, or `sla_idle`.
    fn reason(self) -> &'a str {
        match self {
            Recycling::Active { reason, .. } => reason,
            Recycling::Passive => "sla_idle",
        }
    }
}

/// What becomes of a recycled lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Disposition<'a> {
    /// Nurture it in `program`, starting at `step`.
    Nurture { program: &'a str, step: usize },
    /// Remove it from the waterfall for `reason`.
    Remove { reason: &'a str },
}

impl Engine {
    /// The one disposition decision, for active and passive recycling alike (where the
    /// `disposition` hook will plug in):
    ///
    /// 1. a reason listed in `recycle.remove_reasons` removes the lead (active only);
    /// 2. a lead that unsubscribed is removed (reason `unsubscribed`), never recycled;
    /// 3. otherwise it is nurtured in the rep's extension program, else the reason's
    ///    program, else `recycle.default_program` (active), or in
    ///    `recycle.passive_program` (passive) — at the first step it has not been sent
    ///    (step 0 for a program that does not resume).
    pub(super) fn disposition<'a>(&'a self, lead: &Lead, why: Recycling<'a>) -> Disposition<'a> {
        let recycle = &self.policy.recycle;
        let program = match why {
            Recycling::Active { reason, .. }
                if recycle.remove_reasons.iter().any(|r| r == reason) =>
            {
                return Disposition::Remove { reason };
            }
            _ if lead.do_not_email => {
                return Disposition::Remove {
                    reason: "unsubscribed",
                }
            }
            Recycling::Active {
                program: Some(chosen),
                ..
            } => chosen,
            Recycling::Active { reason, .. } => recycle
                .reasons
                .get(reason)
                .map_or(recycle.default_program.as_str(), String::as_str),
            Recycling::Passive => &recycle.passive_program,
        };
        Disposition::Nurture {
            program,
            step: self.entry_step(lead, program),
        }
    }

    /// Recycles the lead as [`Engine::disposition`] decides.
    pub(super) fn recycle(
        &self,
        lead: &mut Lead,
        why: Recycling<'_>,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        let to = match self.disposition(lead, why) {
            Disposition::Nurture { program, step } => Target::Recycled {
                program,
                step,
                reason: why.reason(),
            },
            Disposition::Remove { reason } => Target::Removed { reason },
        };
        self.move_to(lead, to, cause, at, out);
    }
}
