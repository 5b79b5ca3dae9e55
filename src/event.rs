//! Events: what the host tells the engine happened. One JSON object per line on the wire.

use crate::id::{EventId, LeadId, RepId};
use crate::profile::Profile;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One input event: something that happened to a lead at a time, or a `tick` that
/// advances the clock.
///
/// The serde form is CONTRACT.md's JSON line: `type`, `at`, `lead` (absent on a
/// `tick`, required on every other type), an optional `id`, and the fields of the type.
///
/// ```
/// use leadcycle::{Event, EventKind};
/// let e: Event = serde_json::from_str(
///     r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
/// ).unwrap();
/// assert!(matches!(e.kind, EventKind::SalesAccepted { .. }));
/// assert_eq!(e.lead.unwrap().as_str(), "L1");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EventWire")]
pub struct Event {
    /// What happened, with its fields.
    #[serde(flatten)]
    pub kind: EventKind,
    /// The lead it happened to; `None` exactly when this is a `tick`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<LeadId>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The host's event id: an id already applied to the lead is refused as a duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
}

/// The wire shape before the `lead` / `tick` rule is checked.
#[derive(Deserialize)]
struct EventWire {
    #[serde(flatten)]
    kind: EventKind,
    #[serde(default)]
    lead: Option<LeadId>,
    at: DateTime<Utc>,
    #[serde(default)]
    id: Option<EventId>,
}

impl TryFrom<EventWire> for Event {
    type Error = String;

    fn try_from(w: EventWire) -> Result<Self, String> {
        match (&w.kind, &w.lead) {
            (EventKind::Tick {}, Some(lead)) => Err(format!(
                "a `tick` takes no `lead` (it advances every lead's clock), but it names lead {lead}"
            )),
            (kind, None) if !matches!(kind, EventKind::Tick {}) => Err(format!(
                "missing field `lead`: a `{}` event must name the lead it happened to",
                kind.event_type()
            )),
            _ => Ok(Event {
                kind: w.kind,
                lead: w.lead,
                at: w.at,
                id: w.id,
            }),
        }
    }
}

impl Event {
    /// An event that happened to `lead` at `at`.
    pub fn new(lead: impl Into<LeadId>, at: DateTime<Utc>, kind: EventKind) -> Self {
        Event {
            kind,
            lead: Some(lead.into()),
            at,
            id: None,
        }
    }

    /// A `tick`: no event older than `at` will come; deadlines up to `at` fire.
    pub fn tick(at: DateTime<Utc>) -> Self {
        Event {
            kind: EventKind::Tick {},
            lead: None,
            at,
            id: None,
        }
    }

    /// The same event with a host event id, for idempotent delivery.
    pub fn with_id(mut self, id: impl Into<EventId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.kind.event_type()
    }
}

/// What happened, with the fields of each event type (CONTRACT.md, "Events").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A new lead (form fill, list import, badge scan): its first touch.
    Created {
        /// Where it came from (`"webinar"`).
        source: String,
        /// The campaign that brought it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<String>,
        /// The channel that brought it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// The account (company) it belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        /// Its profile attributes.
        #[serde(default, skip_serializing_if = "Profile::is_empty")]
        profile: Profile,
    },
    /// A marketing touch: an email click, a download, a page view.
    Touch {
        /// The touch kind, scored by `[scoring.engagement]`; unknown kinds score 0.
        kind: String,
        /// The campaign of the touch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<String>,
        /// The channel of the touch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// The content the lead consumed; nurture will not send it again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
    },
    /// Profile attributes changed; fit is re-scored.
    Profile {
        /// The attributes to set (others are kept).
        set: Profile,
    },
    /// A rep took the lead.
    SalesAccepted {
        /// The rep.
        rep: RepId,
    },
    /// Sales sent the lead back with a reason.
    SalesRejected {
        /// The rep.
        rep: RepId,
        /// The standardized reason (`"no_budget"`).
        reason: String,
        /// An extension program the rep chose instead of the reason's program.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
    },
    /// A contact attempt by sales.
    SalesAttempt {
        /// The rep.
        rep: RepId,
        /// How they tried (`"call"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// What came of it (`"voicemail"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<String>,
    },
    /// The rep confirmed need, budget, authority and timing.
    SalesQualified {
        /// The rep.
        rep: RepId,
    },
    /// An opportunity was opened.
    OpportunityOpened {
        /// The host's opportunity id.
        opportunity: String,
        /// Its amount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<f64>,
    },
    /// The opportunity was won.
    OpportunityWon {
        /// The host's opportunity id.
        opportunity: String,
    },
    /// The opportunity was lost.
    OpportunityLost {
        /// The host's opportunity id.
        opportunity: String,
        /// Why it was lost.
        reason: String,
        /// An extension program chosen instead of the reason's program.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
    },
    /// Sales disqualified the lead.
    Disqualified {
        /// The rep.
        rep: RepId,
        /// The standardized reason.
        reason: String,
        /// An extension program chosen instead of the reason's program.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
    },
    /// Sales handed the lead back to marketing.
    Recycled {
        /// The rep.
        rep: RepId,
        /// The standardized reason.
        reason: String,
        /// An extension program chosen instead of the reason's program.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
    },
    /// The lead asked not to be emailed.
    Unsubscribed {},
    /// The contact can no longer be reached.
    ContactLost {
        /// Why (`"bounced"`, `"left_company"`).
        cause: String,
    },
    /// This lead is a duplicate of `into`, which survives and absorbs it.
    Merged {
        /// The surviving lead.
        into: LeadId,
    },
    /// The clock advanced: no older event will come.
    Tick {},
}

impl EventKind {
    /// The extension program a rep chose on a recycling event, if it names one.
    pub fn chosen_program(&self) -> Option<&str> {
        match self {
            EventKind::SalesRejected { program, .. }
            | EventKind::OpportunityLost { program, .. }
            | EventKind::Disqualified { program, .. }
            | EventKind::Recycled { program, .. } => program.as_deref(),
            _ => None,
        }
    }
}

macro_rules! event_types {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The type of an event, without its fields.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EventType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl EventType {
            /// The type's name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }
        }

        impl EventKind {
            /// The type of this event.
            pub fn event_type(&self) -> EventType {
                match self {
                    $(EventKind::$variant { .. } => EventType::$variant,)*
                }
            }
        }
    };
}

event_types! {
    Created => "created",
    Touch => "touch",
    Profile => "profile",
    SalesAccepted => "sales_accepted",
    SalesRejected => "sales_rejected",
    SalesAttempt => "sales_attempt",
    SalesQualified => "sales_qualified",
    OpportunityOpened => "opportunity_opened",
    OpportunityWon => "opportunity_won",
    OpportunityLost => "opportunity_lost",
    Disqualified => "disqualified",
    Recycled => "recycled",
    Unsubscribed => "unsubscribed",
    ContactLost => "contact_lost",
    Merged => "merged",
    Tick => "tick",
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
