//! Which refusal an event gets: the contract's order, written once.

use super::Engine;
use crate::error::StepError;
use crate::event::{Event, EventKind};
use crate::id::{LeadId, RepId};
use crate::lead::Lead;
use crate::stage::{legal_from, Stage};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

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
    /// Before the deadlines: `malformed` for the event on its own (an empty `lead`,
    /// `rep`, `reason`, `program` or `into`; under `strict_events` a field its type
    /// does not have or a reason the policy does not know), `unknown_lead` (in a book,
    /// [`Engine::unknown_lead`]), `malformed` against the lead (the event names
    /// another lead, a merge into itself or without its survivor, an event of the
    /// wrong type for [`Engine::create`] or [`Engine::merge`]), a `created` event for
    /// an existing lead (`duplicate_event` for a redelivery of its own, else
    /// `duplicate_lead`), `duplicate_event` (an id applied within the dedupe window),
    /// `removed_lead` (the lead was already removed), `out_of_order` (older than the
    /// lead's clock, than the survivor's, than the last tick).
    ///
    /// After the deadlines (both leads' for a merge): `removed_lead` (a deadline
    /// removed the lead; for a merge the event's own lead is named first, else the
    /// survivor), `illegal_transition`, `unknown_program`.
    ///
    /// What no event value can be is never checked: [`Event`] guarantees that a tick
    /// names no lead and every other event names one.
    pub(crate) fn refusal(
        &self,
        phase: Phase,
        subject: Subject<'_>,
        event: &Event,
        watermark: Option<DateTime<Utc>>,
    ) -> Result<(), StepError> {
        if phase == Phase::BeforeDeadlines {
            self.malformed_event(event)?;
        }
        let Subject::Lead { lead, survivor } = subject else {
            if phase == Phase::BeforeDeadlines {
                refusal_without_lead(subject, event)?;
                check_watermark(watermark, event)?;
            }
            return Ok(());
        };
        match phase {
            Phase::BeforeDeadlines => {
                malformed_for_lead(lead, survivor, event)?;
                if let EventKind::Created { .. } = event.kind() {
                    return Err(self.created_again(lead, event));
                }
                if let Some(id) = event.id().filter(|_| self.is_redelivery(lead, event)) {
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
                if let Some(program) = event.kind().chosen_program() {
                    if !self.inner.policy.programs.contains_key(program) {
                        return Err(StepError::UnknownProgram {
                            lead: lead.id.clone(),
                            event: ty,
                            program: program.to_owned(),
                            known: self.inner.policy.program_names(),
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
        let Some(id) = event.id() else {
            return false;
        };
        lead.applied_events.contains_within(
            id,
            lead.clock.max(event.at()),
            self.inner.dedupe_window,
        )
    }

    /// The refusal of a `created` event for a lead that exists: a redelivery of the
    /// lead's own `created` (an id it remembers) is a duplicate event, anything else a
    /// duplicate lead.
    fn created_again(&self, lead: &Lead, event: &Event) -> StepError {
        match event.id() {
            Some(id) if self.is_redelivery(lead, event) => StepError::DuplicateEvent {
                lead: lead.id.clone(),
                id: id.clone(),
            },
            _ => StepError::DuplicateLead {
                lead: lead.id.clone(),
            },
        }
    }

    /// The refusal of an event for a lead the book does not hold: `malformed` when
    /// the event is malformed on its own (an empty `lead` or `into` names no lead the
    /// book could hold), else `unknown_lead`.
    pub(crate) fn unknown_lead(&self, lead: &LeadId, event: &Event) -> StepError {
        match self.malformed_event(event) {
            Err(malformed) => malformed,
            Ok(()) => StepError::UnknownLead {
                lead: lead.clone(),
                event: event.event_type(),
            },
        }
    }

    /// The refusals of an event on its own, whatever lead it is applied to: a field
    /// that names something is empty; under `strict_events`, a field its type does not
    /// have, or a reason the policy does not know.
    #[inline]
    fn malformed_event(&self, event: &Event) -> Result<(), StepError> {
        let empty = empty_field(event);
        if empty.is_none() && !self.inner.policy.strict_events {
            return Ok(()); // the common case, on every step
        }
        self.malformed_event_refusal(event, empty)
    }

    /// [`Engine::malformed_event`] for an event with an empty field, or under
    /// `strict_events`.
    #[cold]
    fn malformed_event_refusal(
        &self,
        event: &Event,
        empty: Option<&'static str>,
    ) -> Result<(), StepError> {
        if let Some(field) = empty {
            return Err(StepError::EmptyField {
                lead: event.lead().filter(|_| field != "lead").cloned(),
                event: event.event_type(),
                field,
            });
        }
        self.strict(event)
    }

    /// The checks of `strict_events`.
    fn strict(&self, event: &Event) -> Result<(), StepError> {
        if !event.unknown_fields().is_empty() {
            return Err(StepError::UnknownField {
                lead: event.lead().cloned(),
                event: event.event_type(),
                fields: event.unknown_fields().to_vec(),
            });
        }
        let recycle = &self.inner.policy.recycle;
        match event.kind().reason() {
            Some(reason)
                if !recycle.reasons.contains_key(reason)
                    && !recycle.remove_reasons.iter().any(|r| r == reason) =>
            {
                let known: BTreeSet<&str> = recycle
                    .reasons
                    .keys()
                    .chain(&recycle.remove_reasons)
                    .map(String::as_str)
                    .collect();
                Err(StepError::UnknownReason {
                    lead: event.lead().cloned(),
                    event: event.event_type(),
                    reason: reason.to_owned(),
                    known: known.into_iter().collect::<Vec<_>>().join(", "),
                })
            }
            _ => Ok(()),
        }
    }
}

/// The first field, in the order `lead`, `rep`, `reason`, `program`, `into`, that
/// should name something and is an empty string.
#[inline]
fn empty_field(event: &Event) -> Option<&'static str> {
    let empty = |value: Option<&str>| value.is_some_and(str::is_empty);
    let kind = event.kind();
    if empty(event.lead().map(LeadId::as_str)) {
        Some("lead")
    } else if empty(kind.rep().map(RepId::as_str)) {
        Some("rep")
    } else if empty(kind.reason()) {
        Some("reason")
    } else if empty(kind.chosen_program()) {
        Some("program")
    } else if matches!(kind, EventKind::Merged { into } if into.as_str().is_empty()) {
        Some("into")
    } else {
        None
    }
}

/// The refusals of an event that has no lead in hand. A book hands over a tick only
/// when the event names no lead, which makes it a tick; [`Engine::create`] may be
/// handed any event, and takes only a `created` one.
fn refusal_without_lead(subject: Subject<'_>, event: &Event) -> Result<(), StepError> {
    match (subject, event.kind()) {
        (Subject::New, EventKind::Created { .. }) | (Subject::Tick, _) => Ok(()),
        _ => Err(StepError::Malformed {
            lead: event.lead().cloned(),
            problem: format!(
                "Engine::create takes a `created` event, but was given `{}`: apply other events to an existing lead with Engine::step",
                event.event_type()
            ),
        }),
    }
}

/// An event that cannot be applied to `lead` as written: given with a survivor but not
/// a merge, naming another lead, a merge into itself, without its survivor, or with
/// another survivor than the one it names.
#[inline]
fn malformed_for_lead(
    lead: &Lead,
    survivor: Option<&Lead>,
    event: &Event,
) -> Result<(), StepError> {
    let ty = event.event_type();
    let malformed = |problem: String| StepError::Malformed {
        lead: event.lead().cloned(),
        problem,
    };
    let merge = match event.kind() {
        EventKind::Merged { into } => Some(into),
        _ => None,
    };
    if let (None, Some(_)) = (merge, survivor) {
        return Err(malformed(format!(
            "Engine::merge takes a `merged` event, but was given `{ty}`"
        )));
    }
    // Engine::step sends a tick to Engine::advance, and a merge was ruled out above:
    // the event names a lead.
    if event.lead() != Some(&lead.id) {
        let named = event.lead().map_or("no lead", LeadId::as_str);
        return Err(malformed(format!(
            "a `{ty}` event for lead {named} was applied to lead {}: step the lead the event names",
            lead.id
        )));
    }
    match (merge, survivor) {
        (Some(into), _) if *into == lead.id => Err(StepError::self_merge(&lead.id)),
        (Some(_), None) => Err(malformed(format!(
            "lead {}: a `merged` event changes two leads; apply it with Engine::merge (or a LeadBook), which is given the survivor too",
            lead.id
        ))),
        (Some(into), Some(survivor)) if *into != survivor.id => Err(malformed(format!(
            "the `merged` event names survivor {into}, but lead {} was given as the survivor",
            survivor.id
        ))),
        _ => Ok(()),
    }
}

#[inline]
fn check_not_removed(lead: &Lead, event: &Event) -> Result<(), StepError> {
    if lead.stage == Stage::Removed {
        return Err(StepError::RemovedLead {
            lead: lead.id.clone(),
            event: event.event_type(),
            reason: lead.rare.get().removed_reason.clone().unwrap_or_default(),
        });
    }
    Ok(())
}

#[inline]
fn check_clock(lead: &Lead, event: &Event, what: &'static str) -> Result<(), StepError> {
    if event.at() < lead.clock {
        return Err(StepError::OutOfOrder {
            lead: Some(lead.id.clone()),
            event: event.event_type(),
            at: event.at(),
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
        Some(mark) if event.at() < mark => Err(StepError::OutOfOrder {
            lead: event.lead().cloned(),
            event: event.event_type(),
            at: event.at(),
            after: mark,
            what: "the last tick",
        }),
        _ => Ok(()),
    }
}
