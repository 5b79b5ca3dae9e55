//! Which refusal an event gets: the contract's order, written once.

use super::Engine;
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::lead::Lead;
use crate::stage::{legal_from, Stage};
use chrono::{DateTime, Utc};

/// What an event is judged against.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Subject<'a> {
    /// A `tick`: it names no lead.
    Tick,
    /// A `created` event for a lead the host (or book) does not hold.
    New,
    /// An existing lead, and for a `merged` event the survivor it names.
    Lead {
        lead: &'a Lead,
        survivor: Option<&'a Lead>,
    },
}

/// When a refusal is judged: before the lead's due deadlines fire (such a refusal fires
/// nothing), or after, against the stage the lead is really in (the deadlines' effects
/// stand).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    BeforeDeadlines,
    AfterDeadlines,
}

impl Engine {
    /// The one place that decides which refusal an event gets. Checks run in this
    /// order, and the first that fails names the refusal:
    ///
    /// Before the deadlines: `malformed` (the event cannot be applied as written: it
    /// names no lead or another lead, a merge into itself or without its survivor, a
    /// tick naming a lead), a `created` event for an existing lead (`duplicate_event`
    /// for a redelivery of its own, else `duplicate_lead`), `duplicate_event` (an id
    /// applied within the dedupe window), `removed_lead` (the lead was already
    /// removed), `out_of_order` (older than the lead's clock, than the survivor's,
    /// than the last tick).
    ///
    /// After the deadlines (both leads' for a merge): `removed_lead` (a deadline
    /// removed the lead; for a merge the event's own lead is named first, else the
    /// survivor), `illegal_transition`, `unknown_program`.
    pub(crate) fn refusal(
        &self,
        phase: Phase,
        subject: Subject<'_>,
        event: &Event,
        watermark: Option<DateTime<Utc>>,
    ) -> Result<(), StepError> {
        let Subject::Lead { lead, survivor } = subject else {
            if phase == Phase::BeforeDeadlines {
                self.refusal_without_lead(subject, event)?;
                check_watermark(watermark, event)?;
            }
            return Ok(());
        };
        match phase {
            Phase::BeforeDeadlines => {
                malformed_for_lead(lead, survivor, event)?;
                if let EventKind::Created { .. } = event.kind {
                    return Err(self.created_again(lead, event));
                }
                if let Some(id) = event
                    .id
                    .as_ref()
                    .filter(|_| self.is_redelivery(lead, event))
                {
                    return Err(StepError::DuplicateEvent {
                        lead: lead.id.clone(),
                        id: id.clone(),
                    });
                }
                // A merge's removed leads are named only once both leads' deadlines
                // have fired: which one is named must not depend on where ticks fall.
                if survivor.is_none() {
                    check_not_removed(lead, event)?;
                }
                check_clock(lead, event, "the lead's last event")?;
                if let Some(survivor) = survivor {
                    check_clock(survivor, event, "the survivor's last event")?;
                }
                check_watermark(watermark, event)
            }
            Phase::AfterDeadlines => {
                check_not_removed(lead, event)?;
                if let Some(survivor) = survivor {
                    check_not_removed(survivor, event)?;
                }
                let ty = event.event_type();
                let legal = legal_from(ty);
                if !legal.contains(&lead.stage) {
                    return Err(StepError::IllegalTransition {
                        lead: lead.id.clone(),
                        stage: lead.stage,
                        event: ty,
                        legal_from: legal,
                    });
                }
                if let Some(program) = event.kind.chosen_program() {
                    if !self.policy.programs.contains_key(program) {
                        return Err(StepError::UnknownProgram {
                            lead: lead.id.clone(),
                            event: ty,
                            program: program.to_owned(),
                            known: self.policy.program_names(),
                        });
                    }
                }
                Ok(())
            }
        }
    }

    /// Whether the event's id is one the lead applied within the dedupe window before
    /// the later of its clock and the event's time.
    ///
    /// For a redelivery (the same event, so its time is at or before the lead's clock)
    /// that is the window before the lead's clock, as the contract says. Measuring from
    /// the event's time when it is later keeps the answer for a reused id independent
    /// of where ticks fell: a tick moves the clock (and forgets ids) only up to times
    /// no later than the next event's.
    fn is_redelivery(&self, lead: &Lead, event: &Event) -> bool {
        let Some(id) = &event.id else {
            return false;
        };
        let since = lead
            .clock
            .max(event.at)
            .checked_sub_signed(self.dedupe_window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        lead.applied_events.contains_since(id, since)
    }

    /// The refusal of a `created` event for a lead that exists: a redelivery of the
    /// lead's own `created` (an id it remembers) is a duplicate event, anything else a
    /// duplicate lead.
    fn created_again(&self, lead: &Lead, event: &Event) -> StepError {
        match &event.id {
            Some(id) if self.is_redelivery(lead, event) => StepError::DuplicateEvent {
                lead: lead.id.clone(),
                id: id.clone(),
            },
            _ => StepError::DuplicateLead {
                lead: lead.id.clone(),
            },
        }
    }

    /// The refusals of an event that has no lead in hand: a tick, or a new lead's
    /// `created`.
    fn refusal_without_lead(&self, subject: Subject<'_>, event: &Event) -> Result<(), StepError> {
        let ty = event.event_type();
        match (subject, &event.kind, &event.lead) {
            (Subject::Tick, EventKind::Tick {}, None) => Ok(()),
            (Subject::Tick, _, _) => Err(StepError::Malformed {
                lead: event.lead.clone(),
                problem: format!("a `{ty}` event is not a tick: a tick has type `tick` and names no lead"),
            }),
            (_, EventKind::Created { .. }, Some(_)) => Ok(()),
            (_, EventKind::Created { .. }, None) => Err(StepError::Malformed {
                lead: None,
                problem: "a `created` event must name its `lead`".to_owned(),
            }),
            _ => Err(StepError::Malformed {
                lead: event.lead.clone(),
                problem: format!(
                    "Engine::create takes a `created` event, but was given `{ty}`: apply other events to an existing lead with Engine::step"
                ),
            }),
        }
    }
}

/// An event that cannot be applied to `lead` as written.
#[inline]
fn malformed_for_lead(
    lead: &Lead,
    survivor: Option<&Lead>,
    event: &Event,
) -> Result<(), StepError> {
    let ty = event.event_type();
    let malformed = |problem: String| StepError::Malformed {
        lead: event.lead.clone(),
        problem,
    };
    let Some(named) = &event.lead else {
        return Err(malformed(format!("a `{ty}` event must name its `lead`")));
    };
    if *named != lead.id {
        return Err(malformed(format!(
            "a `{ty}` event for lead {named} was applied to lead {}: step the lead the event names",
            lead.id
        )));
    }
    match (&event.kind, survivor) {
        (EventKind::Tick {}, _) => Err(malformed(format!(
            "lead {named}: a `tick` names no lead; it advances every lead's clock"
        ))),
        (EventKind::Merged { into }, _) if *into == lead.id => {
            Err(StepError::self_merge(&lead.id))
        }
        (EventKind::Merged { .. }, None) => Err(malformed(format!(
            "lead {named}: a `merged` event changes two leads; apply it with Engine::merge (or a LeadBook), which is given the survivor too"
        ))),
        (EventKind::Merged { into }, Some(survivor)) if *into != survivor.id => {
            Err(malformed(format!(
                "the `merged` event names survivor {into}, but lead {} was given as the survivor",
                survivor.id
            )))
        }
        (EventKind::Merged { .. }, Some(_)) => Ok(()),
        (_, Some(_)) => Err(malformed(format!(
            "Engine::merge takes a `merged` event, but was given `{ty}`"
        ))),
        (_, None) => Ok(()),
    }
}

#[inline]
fn check_not_removed(lead: &Lead, event: &Event) -> Result<(), StepError> {
    if lead.stage == Stage::Removed {
        return Err(StepError::RemovedLead {
            lead: lead.id.clone(),
            event: event.event_type(),
            reason: lead.removed_reason.clone().unwrap_or_default(),
        });
    }
    Ok(())
}

#[inline]
fn check_clock(lead: &Lead, event: &Event, what: &'static str) -> Result<(), StepError> {
    if event.at < lead.clock {
        return Err(StepError::OutOfOrder {
            lead: Some(lead.id.clone()),
            event: event.event_type(),
            at: event.at,
            after: lead.clock,
            what,
        });
    }
    Ok(())
}

/// Refuses an event older than the last tick: the tick promised none would come.
#[inline]
fn check_watermark(watermark: Option<DateTime<Utc>>, event: &Event) -> Result<(), StepError> {
    match watermark {
        Some(mark) if event.at < mark => Err(StepError::OutOfOrder {
            lead: event.lead.clone(),
            event: event.event_type(),
            at: event.at,
            after: mark,
            what: "the last tick",
        }),
        _ => Ok(()),
    }
}
