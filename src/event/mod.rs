//! Events: what the host tells the engine happened. One JSON object per line on the wire.
//!
//! An [`Event`] can only be built in a shape the engine accepts: a `tick` names no
//! lead, every other type names one. Its fields are private; the constructors
//! ([`Event::touch`], [`Event::tick`], ...) and the JSON parser uphold that rule, so
//! the engine never has to refuse an event for its shape alone.

mod build;
mod kind;
mod wire;

pub use kind::{EventKind, EventType};

use crate::error::rfc3339;
use crate::id::{EventId, LeadId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One input event: something that happened to a lead at a time, or a `tick` that
/// advances the clock.
///
/// The serde form is the [contract](crate::docs::contract)'s JSON line: `type`, `at`, `lead` (absent on a
/// `tick`, required on every other type), an optional `id`, and the fields of the type.
/// Build one in Rust with the constructor named after its type, and add optional
/// fields with the `with_*` methods:
///
/// ```
/// use leadcycle::chrono::{DateTime, Utc};
/// use leadcycle::{Event, EventKind, EventType};
///
/// let at: DateTime<Utc> = "2026-01-06T09:00:00Z".parse().unwrap();
/// let touch = Event::touch("L1", at, "content_download")
///     .with_campaign("w-17")
///     .with_content("roi-calculator")
///     .with_id("e-2");
/// assert_eq!(touch.event_type(), EventType::Touch);
/// assert_eq!(touch.lead().unwrap().as_str(), "L1");
/// assert!(matches!(touch.kind(), EventKind::Touch { content: Some(c), .. } if c == "roi-calculator"));
///
/// // The same event, read from its JSON line.
/// let parsed: Event = serde_json::from_str(
///     r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"content_download","campaign":"w-17","content":"roi-calculator","id":"e-2"}"#,
/// ).unwrap();
/// assert_eq!(parsed, touch);
///
/// // A tick names no lead; there is no way to give it one.
/// assert_eq!(Event::tick(at).lead(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "wire::EventWire")]
pub struct Event {
    /// What happened, with its fields.
    #[serde(flatten)]
    kind: EventKind,
    /// The lead it happened to; `None` exactly when this is a `tick`.
    #[serde(skip_serializing_if = "Option::is_none")]
    lead: Option<LeadId>,
    /// When it happened.
    at: DateTime<Utc>,
    /// The host's event id: an id already applied to the lead is refused as a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<EventId>,
    /// Fields the event carried that its type does not have, in name order. Never
    /// written back: the serde form stays the contract's.
    #[serde(skip)]
    unknown_fields: Vec<String>,
}

impl Event {
    /// What happened, with the fields of its type.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.kind.event_type()
    }

    /// The lead it happened to: `None` exactly when this is a `tick`.
    pub fn lead(&self) -> Option<&LeadId> {
        self.lead.as_ref()
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The host's event id, if it gave one.
    pub fn id(&self) -> Option<&EventId> {
        self.id.as_ref()
    }

    /// The fields the event carried that its type does not have, in name order: keys of
    /// its JSON line (`"programme"`, a host's own `"crm_ref"`), or a `with_*` method its
    /// type has no field for. They are ignored, unless the policy sets
    /// `strict_events`, which refuses the event as `malformed` naming them.
    pub fn unknown_fields(&self) -> &[String] {
        &self.unknown_fields
    }

    /// Moves the event to another time; a host or a bench reusing one event value
    /// calls this instead of building a new one.
    pub fn set_at(&mut self, at: DateTime<Utc>) {
        self.at = at;
    }

    /// The lead, to replace it in place (a bench or a host reusing one event value for
    /// many leads, without allocating); `None` for a `tick`, which can never be given a
    /// lead.
    pub fn lead_mut(&mut self) -> Option<&mut LeadId> {
        self.lead.as_mut()
    }
}

/// One line for a person: the time, the lead, the type and the fields given, e.g.
/// `2026-01-20T12:00:00Z L1: disqualified rep=R7 reason=bad_timing`.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&rfc3339(&self.at))?;
        if let Some(lead) = &self.lead {
            write!(f, " {lead}")?;
        }
        write!(f, ": {}", self.event_type())?;
        self.kind.write_fields(f)?;
        if let Some(id) = &self.id {
            write!(f, " id={id}")?;
        }
        Ok(())
    }
}
