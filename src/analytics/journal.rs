//! The journal: the events a host fed and the effects it got back, kept per lead.

use crate::effect::{Cause, Effect, EffectKind, Reason, SlaKind};
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// An effect the journal cannot take: it contradicts what the journal already holds
/// about its lead. The journal is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JournalError {
    /// An effect other than `rejected` names no lead or no time.
    #[error("a `{effect_type}` effect without a lead or a time cannot be attributed; expected every effect but `rejected` to name its lead and time")]
    Unattributed {
        /// The effect's type on the wire.
        effect_type: &'static str,
    },
    /// A `transition` leaves a stage the lead is not in (or enters `inquiry` for a
    /// lead the journal already holds).
    #[error("lead {lead} at {at}: a transition from {found} but the journal has the lead in {expected}; expected the effects of one replay, in order")]
    StageMismatch {
        /// The lead.
        lead: LeadId,
        /// The transition's time.
        at: DateTime<Utc>,
        /// The stage the transition leaves (`none` for a new lead).
        found: String,
        /// The stage the journal has the lead in (`none` for a lead it never saw).
        expected: String,
    },
    /// An effect for a lead the journal never saw enter the waterfall.
    #[error("lead {lead} at {at}: a `{effect_type}` effect for a lead with no `transition` into inquiry before it; expected the lead's creation first")]
    UnknownLead {
        /// The lead.
        lead: LeadId,
        /// The effect's time.
        at: DateTime<Utc>,
        /// The effect's type on the wire.
        effect_type: &'static str,
    },
    /// An effect older than the lead's last effect.
    #[error("lead {lead}: an effect at {at} comes after one at {last}; expected each lead's effects in time order")]
    OutOfOrder {
        /// The lead.
        lead: LeadId,
        /// The effect's time.
        at: DateTime<Utc>,
        /// The time of the lead's last effect.
        last: DateTime<Utc>,
    },
}

/// One stage change of a lead.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Move {
    pub at: DateTime<Utc>,
    pub from: Option<Stage>,
    pub to: Stage,
    pub cause: Cause,
    pub reason: Option<Reason>,
    /// For a move into `recycled`: the program it was enrolled in at that moment.
    pub program: Option<String>,
}

/// The lead's current enrollment, as the effects tell it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Enrolled {
    pub program: String,
    /// The step it was enrolled at.
    pub assigned_step: usize,
}

/// Everything the journal holds about one lead.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct LeadRecord {
    /// The events fed for this lead, in the order recorded.
    pub events: Vec<Event>,
    /// The events the engine refused (from `rejected` effects).
    pub refused: Vec<Event>,
    pub moves: Vec<Move>,
    /// `sla_breached` effects: when, and for which stage.
    pub breaches: Vec<(DateTime<Utc>, Stage, SlaKind)>,
    pub enrolled: Option<Enrolled>,
    pub last_at: Option<DateTime<Utc>>,
}

impl LeadRecord {
    /// The stage the journal has the lead in.
    pub fn stage(&self) -> Option<Stage> {
        self.moves.last().map(|m| m.to)
    }

    /// The events the engine applied: those fed, less one for each refusal of an
    /// equal event.
    pub fn applied_events(&self) -> Vec<&Event> {
        let mut refused: Vec<&Event> = self.refused.iter().collect();
        self.events
            .iter()
            .filter(|e| match refused.iter().position(|r| r == e) {
                Some(i) => {
                    refused.swap_remove(i);
                    false
                }
                None => true,
            })
            .collect()
    }
}

/// The journal: what a host fed the engine and what it got back, read back per lead.
///
/// Record the events and the effects in any interleaving (all events then all
/// effects, or step by step); each lead's effects must come in the order the engine
/// gave them, as one replay prints them. An event the engine refused is known from its
/// `rejected` effect (which repeats the event) and does not count. Nothing here reads
/// a clock: "now" is the latest time in the journal ([`Journal::until`]).
///
/// ```
/// use leadcycle::analytics::{Journal, Thresholds};
/// use leadcycle::{Engine, Event, LeadBook, Policy, Stage};
///
/// let engine = Engine::new(Policy::default()).unwrap();
/// let mut book = LeadBook::new();
/// let mut journal = Journal::new();
/// let at = |s: &str| s.parse().unwrap();
/// for event in [
///     Event::created("L1", at("2026-01-05T10:00:00Z"), "webinar"),
///     Event::touch("L1", at("2026-01-06T09:00:00Z"), "demo_request"),
/// ] {
///     journal.record_event(&event);
///     for effect in book.apply(&engine, &event) {
///         journal.record_effect(&effect).unwrap();
///     }
/// }
/// let report = journal.report(engine.policy(), &Thresholds::default()).unwrap();
/// assert_eq!(report.stages[&Stage::Mql].now, 1);
/// assert_eq!(report.stages[&Stage::Inquiry].entered, 1);
/// ```
///
/// A journal is serde data too: a host checkpoints it and goes on recording later.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    pub(super) leads: BTreeMap<LeadId, LeadRecord>,
    pub(super) until: Option<DateTime<Utc>>,
    pub(super) rejected: u64,
    /// The `account_alias` events, in order: (account, alias).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) aliases: Vec<(String, String)>,
    /// `account_engaged` effects per account.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) engaged: BTreeMap<String, u64>,
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Journal::default()
    }

    /// The latest time of any event or effect recorded: the report's "now".
    pub fn until(&self) -> Option<DateTime<Utc>> {
        self.until
    }

    /// The number of leads the journal saw enter the waterfall.
    pub fn leads(&self) -> usize {
        self.leads.values().filter(|r| !r.moves.is_empty()).count()
    }

    fn see(&mut self, at: DateTime<Utc>) {
        self.until = Some(self.until.map_or(at, |u| u.max(at)));
    }

    /// Records an event the host fed. A `tick` only moves [`Journal::until`]; an
    /// `account_alias` is kept for the accounts' names.
    pub fn record_event(&mut self, event: &Event) {
        self.see(event.at());
        if let EventKind::AccountAlias { account, alias } = event.kind() {
            self.aliases.push((account.clone(), alias.clone()));
        }
        if let Some(lead) = event.lead() {
            let kept = matches!(
                event.kind(),
                EventKind::Created { .. }
                    | EventKind::Touch { .. }
                    | EventKind::Profile { .. }
                    | EventKind::Merged { .. }
            );
            if kept {
                self.leads
                    .entry(lead.clone())
                    .or_default()
                    .events
                    .push(event.clone());
            }
        }
    }

    /// Records an effect the engine gave back. An effect that contradicts the journal
    /// (a transition from a stage the lead is not in, an effect for a lead never
    /// created, or one older than the lead's last) is refused with a [`JournalError`]
    /// and changes nothing.
    pub fn record_effect(&mut self, effect: &Effect) -> Result<(), JournalError> {
        let effect_type = effect.kind.effect_type().as_str();
        if let EffectKind::Rejected { event, .. } = &effect.kind {
            self.rejected += 1;
            if let Some(at) = effect.at {
                self.see(at);
            }
            if let (Some(event), Some(lead)) = (event, &effect.lead) {
                self.leads
                    .entry(lead.clone())
                    .or_default()
                    .refused
                    .push((**event).clone());
            }
            return Ok(());
        }
        let (Some(lead), Some(at)) = (&effect.lead, effect.at) else {
            return Err(JournalError::Unattributed { effect_type });
        };
        let record = self.leads.get(lead);
        let stage = record.and_then(LeadRecord::stage);
        if let Some(last) = record.and_then(|r| r.last_at) {
            if at < last {
                return Err(JournalError::OutOfOrder {
                    lead: lead.clone(),
                    at,
                    last,
                });
            }
        }
        let shown = |s: Option<Stage>| s.map_or("none".to_owned(), |s| s.as_str().to_owned());
        match &effect.kind {
            EffectKind::Transition { from, .. } if *from != stage => {
                return Err(JournalError::StageMismatch {
                    lead: lead.clone(),
                    at,
                    found: shown(*from),
                    expected: shown(stage),
                });
            }
            EffectKind::Transition { .. } => {}
            _ if stage.is_none() => {
                return Err(JournalError::UnknownLead {
                    lead: lead.clone(),
                    at,
                    effect_type,
                })
            }
            _ => {}
        }
        // Checked: from here on nothing fails.
        self.see(at);
        let record = self.leads.entry(lead.clone()).or_default();
        record.last_at = Some(at);
        match &effect.kind {
            EffectKind::Transition {
                from,
                to,
                cause,
                reason,
                ..
            } => record.moves.push(Move {
                at,
                from: *from,
                to: *to,
                cause: *cause,
                reason: reason.clone(),
                program: None,
            }),
            EffectKind::NurtureAssigned { program, step, .. } => {
                if let Some(last) = record.moves.last_mut() {
                    if last.to == Stage::Recycled && last.at == at && last.program.is_none() {
                        last.program = Some(program.clone());
                    }
                }
                record.enrolled = Some(Enrolled {
                    program: program.clone(),
                    assigned_step: *step,
                });
            }
            EffectKind::NurtureEnded { .. } => record.enrolled = None,
            EffectKind::SlaBreached { stage, sla, .. } => {
                record.breaches.push((at, *stage, *sla));
            }
            EffectKind::AccountEngaged { account, .. } => {
                *self.engaged.entry(account.clone()).or_default() += 1;
            }
            _ => {}
        }
        Ok(())
    }
}
