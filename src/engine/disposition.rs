//! The disposition decision: what becomes of a lead that is recycled.

use super::after;
use super::transition::Target;
use super::Engine;
use crate::effect::{Cause, Effect, EffectKind, Reason};
use crate::event::{Event, EventKind};
use crate::lead::Lead;
use crate::rules::{self, Hook, Subject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a lead is being recycled.
#[derive(Clone, Copy, Debug)]
pub(super) enum Recycling<'a> {
    /// Sales let it go (`sales_rejected`, `disqualified`, `recycled`,
    /// `opportunity_lost`) with a reason, and maybe an extension program.
    Active {
        reason: &'a str,
        program: Option<&'a str>,
        event: &'a Event,
    },
    /// It sat in its stage past the idle limit.
    Passive,
}

impl<'a> Recycling<'a> {
    /// The recycling `event` asks for, with the rep's reason and extension program;
    /// `None` for an event that does not recycle.
    pub(super) fn asked_by(event: &'a Event) -> Option<Self> {
        let (EventKind::SalesRejected {
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
        }) = event.kind()
        else {
            return None;
        };
        Some(Recycling::Active {
            reason,
            program: program.as_deref(),
            event,
        })
    }

    /// The reason recorded on the transition and the enrollment: the rep's reason,
    /// or `sla_idle`.
    fn reason(self) -> Reason {
        match self {
            Recycling::Active { reason, .. } => Reason::named(reason),
            Recycling::Passive => Reason::SlaIdle,
        }
    }
}

/// What becomes of a recycled lead: the engine's one disposition decision, as
/// [`Engine::disposition_of`] tells it before the event is applied. The program is
/// the policy's own name, borrowed from the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "disposition", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Disposition<'a> {
    /// Nurture it in `program`, starting at `step` (0-based).
    Nurture {
        /// The program, as the policy names it.
        program: &'a str,
        /// The first step it is sent.
        step: usize,
    },
    /// Remove it from the waterfall for `reason`.
    Remove {
        /// Why it leaves (`unsubscribed`, or a reason of `recycle.remove_reasons`, or a
        /// hook's).
        reason: Reason,
    },
    /// Leave it with sales, in its stage (only a `disposition` hook decides this).
    Keep {
        /// The hook's reason.
        reason: String,
    },
}

impl Engine {
    /// What recycling `lead` with `event` would do, without changing the lead: the
    /// same decision the step makes ([`Disposition`]; the `disposition` hook first,
    /// then the policy), for a host that shows it before a rep confirms (or a bench
    /// that times the decision alone). `None` when `event` is not one that recycles
    /// (`sales_rejected`, `disqualified`, `recycled`, `opportunity_lost`). A hook that
    /// fails adds its `rule_failed` effect to `out`, as the step would, and the policy
    /// decides.
    ///
    /// The event is not judged: whether the lead's stage allows it, or whether its
    /// deadlines fire first, is the step's business ([`Engine::step`]).
    ///
    /// ```
    /// use leadcycle::{Disposition, Engine, Event, Policy};
    /// # let t = |s: &str| s.parse::<leadcycle::chrono::DateTime<leadcycle::chrono::Utc>>().unwrap();
    /// let engine = Engine::new(Policy::default())?;
    /// let (lead, _) = engine.create(&Event::created("L1", t("2026-03-02T09:00:00Z"), "webinar"))?;
    /// let rejected = Event::disqualified("L1", t("2026-03-03T09:00:00Z"), "R7", "bad_timing");
    /// let mut out = Vec::new();
    /// assert_eq!(
    ///     engine.disposition_of(&lead, &rejected, &mut out),
    ///     Some(Disposition::Nurture { program: "timing_drip", step: 0 })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disposition_of<'a>(
        &'a self,
        lead: &Lead,
        event: &'a Event,
        out: &mut Vec<Effect>,
    ) -> Option<Disposition<'a>> {
        let why = Recycling::asked_by(event)?;
        Some(self.disposition(lead, why, event.at(), out))
    }

    /// The one disposition decision, for active and passive recycling alike.
    ///
    /// The `disposition` hook, if the policy sets one, decides first; when it returns
    /// `()` or fails (a `rule_failed` effect says so), the policy decides:
    ///
    /// 1. a reason listed in `recycle.remove_reasons` removes the lead (active only);
    /// 2. a lead that unsubscribed is removed (reason `unsubscribed`), never recycled;
    /// 3. otherwise it is nurtured in the rep's extension program, else the reason's
    ///    program, else `recycle.default_program` (active), or in
    ///    `recycle.passive_program` (passive) — at the first step it has not been sent
    ///    (step 0 for a program that does not resume).
    ///
    /// A hook cannot nurture a lead that unsubscribed: that decision removes it
    /// (`unsubscribed`), as the policy would.
    pub(super) fn disposition<'a>(
        &'a self,
        lead: &Lead,
        why: Recycling<'a>,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) -> Disposition<'a> {
        let event = match why {
            Recycling::Active { event, .. } => Some(event),
            Recycling::Passive => None,
        };
        let subject = Subject {
            lead,
            policy: &self.inner.policy,
            at,
            event,
        };
        let decided = match self.inner.rules.disposition(&subject) {
            None | Some(Ok(rules::Disposition::Default)) => {
                return self.policy_disposition(lead, why)
            }
            Some(Ok(decided)) => decided,
            Some(Err(error)) => {
                let default = self.policy_disposition(lead, why);
                let fallback = match &default {
                    Disposition::Nurture { program, step } => {
                        format!("the policy's disposition: nurture in {program} at step {step}")
                    }
                    Disposition::Remove { reason } => {
                        format!("the policy's disposition: remove ({reason})")
                    }
                    Disposition::Keep { .. } => unreachable!("the policy never keeps a lead"),
                };
                self.rule_failed(lead, at, Hook::Disposition, &error, fallback, out);
                return default;
            }
        };
        match decided {
            rules::Disposition::Nurture { .. } if lead.do_not_email => Disposition::Remove {
                reason: Reason::Unsubscribed,
            },
            rules::Disposition::Nurture { program, step } => {
                let step = step.unwrap_or_else(|| self.entry_step(lead, program));
                Disposition::Nurture { program, step }
            }
            rules::Disposition::Remove { reason } => Disposition::Remove {
                reason: Reason::named(reason),
            },
            rules::Disposition::Keep { reason } => Disposition::Keep { reason },
            rules::Disposition::Default => unreachable!("handled above"),
        }
    }

    /// The policy's own disposition, without hooks.
    fn policy_disposition<'a>(&'a self, lead: &Lead, why: Recycling<'a>) -> Disposition<'a> {
        let recycle = &self.inner.policy.recycle;
        let program = match why {
            Recycling::Active { reason, .. }
                if recycle.remove_reasons.iter().any(|r| r == reason) =>
            {
                return Disposition::Remove {
                    reason: Reason::named(reason),
                };
            }
            _ if lead.do_not_email => {
                return Disposition::Remove {
                    reason: Reason::Unsubscribed,
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

    /// Recycles the lead as [`Engine::disposition`] decides. A lead kept with sales
    /// stays in its stage, and its idle clock starts again: the event (or the idle
    /// deadline) counts as the last sales activity.
    pub(super) fn recycle(
        &self,
        lead: &mut Lead,
        why: Recycling<'_>,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        let to = match self.disposition(lead, why, at, out) {
            Disposition::Nurture { program, step } => Target::Recycled {
                program,
                step,
                reason: why.reason(),
            },
            Disposition::Remove { reason } => {
                self.move_to(lead, Target::Removed { reason }, cause, at, out);
                return;
            }
            Disposition::Keep { reason } => {
                out.push(Effect::new(
                    &lead.id,
                    at,
                    EffectKind::Kept {
                        stage: lead.stage,
                        reason,
                        cause,
                    },
                ));
                let idle_days = self.inner.policy.sla.for_stage(lead.stage);
                let idle_due = idle_days.and_then(|s| s.idle_days).map(|d| after(at, d));
                lead.update_sla(|sla| sla.idle_due = idle_due);
                return;
            }
        };
        self.move_to(lead, to, cause, at, out);
    }
}
