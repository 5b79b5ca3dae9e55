//! The engine: the compiled policy and the pure step function at the centre.

mod apply;
mod merge;
mod nurture;
mod timers;

use crate::effect::{Cause, Effect, EffectKind};
use crate::error::{PolicyError, StepError};
use crate::event::{Event, EventKind};
use crate::lead::{Lead, SlaClock, Touch};
use crate::policy::Policy;
use crate::scoring::{fit_entries, Band, Bounds, Cell, Grade, ScoreState};
use crate::stage::Stage;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Applies events to leads under one validated [`Policy`].
///
/// An `Engine` is immutable, `Send + Sync` and cheap to share across threads. Its
/// methods are pure: they read no clock, do no I/O, and return the effects instead of
/// performing them. On error the lead is unchanged.
#[derive(Clone, Debug)]
pub struct Engine {
    policy: Policy,
    /// Touch kind -> (engagement group, its cap), from `scoring.groups`.
    group_of: BTreeMap<String, (String, f64)>,
}

impl Engine {
    /// Builds an engine, validating the policy: every program it names must be defined,
    /// every duration positive, the grade table in order.
    pub fn new(policy: Policy) -> Result<Self, PolicyError> {
        policy.validate()?;
        let group_of = policy
            .scoring
            .groups
            .iter()
            .flat_map(|(name, g)| {
                g.kinds
                    .iter()
                    .map(move |k| (k.clone(), (name.clone(), g.cap)))
            })
            .collect();
        Ok(Engine { policy, group_of })
    }

    /// The policy this engine runs.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Creates a lead from its `created` event: the lead enters `inquiry` (and may
    /// qualify at once by fit).
    pub fn create(&self, event: &Event) -> Result<(Lead, Vec<Effect>), StepError> {
        let EventKind::Created {
            source,
            campaign,
            channel,
            account,
            profile,
        } = &event.kind
        else {
            return Err(StepError::Malformed {
                lead: event.lead.clone(),
                problem: format!(
                    "Engine::create takes a `created` event, but was given `{}`: apply other events to an existing lead with Engine::step",
                    event.event_type()
                ),
            });
        };
        let id = required_lead(event)?;
        let at = event.at;
        let touch = Touch {
            source: source.clone(),
            campaign: campaign.clone(),
            channel: channel.clone(),
            at,
        };
        let mut lead = Lead {
            id: id.clone(),
            stage: Stage::Inquiry,
            entered_stage_at: at,
            created_at: at,
            clock: at,
            first_touch: touch.clone(),
            last_touch: touch,
            touch_counts: BTreeMap::new(),
            score: ScoreState::new(at, self.policy.scoring.half_life_days),
            profile: profile.clone(),
            account: account.clone(),
            owner: None,
            original_rep: None,
            opportunity: None,
            armed: true,
            do_not_email: false,
            removed_reason: None,
            nurture: None,
            program_positions: BTreeMap::new(),
            content_seen: BTreeSet::new(),
            sla: SlaClock::default(),
            times_recycled: 0,
            applied_events: event.id.iter().cloned().collect(),
        };
        let changes = fit_entries(&self.policy.scoring.fit, profile);
        lead.score
            .set_fit(&changes, at, self.policy.scoring.ledger_size);
        let mut out = vec![Effect::new(
            &lead.id,
            at,
            EffectKind::Transition {
                from: None,
                to: Stage::Inquiry,
                cause: Cause::Created,
            },
        )];
        self.qualify(&mut lead, at, false, &mut out);
        Ok((lead, out))
    }

    /// Applies one event to one lead and returns what happened.
    ///
    /// The lead's own deadlines at or before the event's time fire first (their effects
    /// are stamped with the deadline's time), then the event is applied. A `tick` only
    /// fires deadlines, like [`Engine::advance`]. On error nothing changes: not the
    /// lead, and no deadline fires.
    pub fn step(&self, lead: &mut Lead, event: &Event) -> Result<Vec<Effect>, StepError> {
        let mut out = Vec::new();
        self.step_into(lead, event, &mut out)?;
        Ok(out)
    }

    /// Like [`Engine::step`], appending the effects to `out` (which is left as it was
    /// on error). Reusing one buffer saves an allocation per step.
    pub fn step_into(
        &self,
        lead: &mut Lead,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        match &event.kind {
            EventKind::Tick {} => {
                self.advance_into(lead, event.at, out);
                return Ok(());
            }
            EventKind::Created { .. } => return Err(created_again(lead, event)),
            EventKind::Merged { .. } => {
                return Err(StepError::Malformed {
                    lead: Some(lead.id.clone()),
                    problem: format!(
                        "lead {}: a `merged` event changes two leads; apply it with Engine::merge (or a LeadBook), which is given the survivor too",
                        lead.id
                    ),
                })
            }
            _ => {}
        }
        self.check_before_timers(lead, event)?;
        self.step_checked(lead, event, out)
    }

    /// [`Engine::step_into`] for a lead event that passed `check_before_timers`.
    pub(crate) fn step_checked(
        &self,
        lead: &mut Lead,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let start = out.len();
        if lead.next_deadline().is_some_and(|d| d <= event.at) {
            // Deadlines fire before the event, but must not fire if the event is then
            // refused: work on a copy. Most steps have nothing due and skip the clone.
            let mut work = lead.clone();
            self.advance_into(&mut work, event.at, out);
            match self.apply(&mut work, event, out) {
                Ok(()) => *lead = work,
                Err(e) => {
                    out.truncate(start);
                    return Err(e);
                }
            }
        } else {
            self.apply(lead, event, out)?;
        }
        Ok(())
    }

    /// The lead's fit grade under this policy's grade table.
    pub fn grade(&self, lead: &Lead) -> Grade {
        Grade::of(lead.score.fit, &self.policy.scoring.grades)
    }

    /// The lead's engagement band at time `t` under this policy's band table.
    pub fn band(&self, lead: &Lead, t: DateTime<Utc>) -> Band {
        Band::of(lead.score.engagement_at(t), &self.policy.scoring.bands)
    }

    /// The lead's matrix cell (`A1`..`D4`) at time `t`.
    pub fn cell(&self, lead: &Lead, t: DateTime<Utc>) -> Cell {
        Cell {
            grade: self.grade(lead),
            band: self.band(lead, t),
        }
    }

    /// The bounds engagement is kept within, and the ledger's size.
    pub(crate) fn bounds(&self) -> Bounds {
        let s = &self.policy.scoring;
        Bounds {
            floor: s.engagement_floor,
            cap: s.engagement_cap,
            ledger_size: s.ledger_size,
        }
    }

    /// Brings the lead's score to time `t` (decay), under this policy.
    pub(crate) fn decay(&self, lead: &mut Lead, t: DateTime<Utc>) {
        lead.score
            .decay_to(t, self.policy.scoring.half_life_days, self.bounds());
    }

    /// Refusals that do not depend on deadlines firing first.
    pub(crate) fn check_before_timers(&self, lead: &Lead, event: &Event) -> Result<(), StepError> {
        let named = required_lead(event)?;
        if *named != lead.id {
            return Err(StepError::Malformed {
                lead: Some(named.clone()),
                problem: format!(
                    "a `{}` event for lead {named} was applied to lead {}: step the lead the event names",
                    event.event_type(),
                    lead.id
                ),
            });
        }
        if let Some(id) = &event.id {
            if lead.applied_events.contains(id) {
                return Err(StepError::DuplicateEvent {
                    lead: lead.id.clone(),
                    id: id.clone(),
                });
            }
        }
        self.check_not_removed(lead, event)?;
        if event.at < lead.clock {
            return Err(StepError::OutOfOrder {
                lead: Some(lead.id.clone()),
                event: event.event_type(),
                at: event.at,
                after: lead.clock,
                what: "the lead's last event",
            });
        }
        Ok(())
    }

    fn check_not_removed(&self, lead: &Lead, event: &Event) -> Result<(), StepError> {
        if lead.stage == Stage::Removed {
            return Err(StepError::RemovedLead {
                lead: lead.id.clone(),
                event: event.event_type(),
                reason: lead.removed_reason.clone().unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// The single write path of a lead's stage: checks the move against the waterfall,
    /// reports it, and starts the new stay's service-level clock.
    fn move_to(
        &self,
        lead: &mut Lead,
        to: Stage,
        cause: Cause,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        debug_assert!(
            lead.stage.can_move_to(to),
            "illegal move {} -> {to} by {cause} for lead {}",
            lead.stage,
            lead.id
        );
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::Transition {
                from: Some(lead.stage),
                to,
                cause,
            },
        ));
        lead.stage = to;
        lead.entered_stage_at = at;
        lead.sla = self.sla_clock(to, at);
    }

    fn sla_clock(&self, stage: Stage, at: DateTime<Utc>) -> SlaClock {
        let Some(sla) = self.policy.sla.for_stage(stage) else {
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

    /// Qualifies an inquiry or recycled lead whose score reached its threshold while
    /// armed, or at once on a hand-raiser touch. A returning recycled lead goes back to
    /// its original rep.
    fn qualify(
        &self,
        lead: &mut Lead,
        at: DateTime<Utc>,
        hand_raiser: bool,
        out: &mut Vec<Effect>,
    ) {
        let Some(threshold) = self.threshold(lead.stage) else {
            return;
        };
        let cause = if hand_raiser {
            Cause::HandRaiser
        } else if lead.armed && self.qualifies(lead, threshold, 0.0, at) {
            Cause::Score
        } else {
            return;
        };
        let from = lead.stage;
        self.move_to(lead, Stage::Mql, cause, at, out);
        if from == Stage::Recycled {
            self.end_nurture(lead, crate::effect::NurtureEnd::ReEngaged, at, out);
            if let Some(rep) = lead.original_rep.clone() {
                lead.owner = Some(rep.clone());
                out.push(Effect::new(
                    &lead.id,
                    at,
                    EffectKind::Routed {
                        rep,
                        why: crate::effect::RouteReason::ReEngaged,
                    },
                ));
            }
        }
    }

    /// Re-arms a disarmed lead whose score, before an event, fell below its threshold
    /// minus the hysteresis.
    fn rearm(&self, lead: &mut Lead, at: DateTime<Utc>) {
        if lead.armed {
            return;
        }
        if let Some(threshold) = self.threshold(lead.stage) {
            // Re-armed only once it would not qualify even `hysteresis` points higher.
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

/// The refusal of a `created` event for a lead that exists: a redelivery of the
/// lead's own `created` (same id) is a duplicate event, anything else a duplicate lead.
pub(crate) fn created_again(lead: &Lead, event: &Event) -> StepError {
    match &event.id {
        Some(id) if lead.applied_events.contains(id) => StepError::DuplicateEvent {
            lead: lead.id.clone(),
            id: id.clone(),
        },
        _ => StepError::DuplicateLead {
            lead: lead.id.clone(),
        },
    }
}

fn required_lead(event: &Event) -> Result<&crate::id::LeadId, StepError> {
    event.lead.as_ref().ok_or_else(|| StepError::Malformed {
        lead: None,
        problem: format!("a `{}` event must name its `lead`", event.event_type()),
    })
}

/// `d` days (a policy duration, to the millisecond) after `at`. A deadline past the
/// end of representable time saturates there: it never fires, and never panics.
pub(crate) fn after(at: DateTime<Utc>, d: f64) -> DateTime<Utc> {
    TimeDelta::try_milliseconds((d * 86_400_000.0).round() as i64)
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
