//! The closed sets of names effects carry: what moved a lead, why a nurture ended or a
//! lead was routed, which service level was missed, why an event was refused. Each is
//! `#[non_exhaustive]`: a new name is not a breaking change.

use crate::event::EventType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `Display` as the name on the wire, for enums with an `as_str`.
macro_rules! display_as_str {
    ($($ty:ty),*) => {
        $(
            impl fmt::Display for $ty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*
    };
}

macro_rules! causes {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// What moved a lead: an event type, or one of the engine's own causes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Cause {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
            /// `score`: the lead's score crossed its threshold.
            Score,
            /// `hand_raiser`: a hand-raiser touch (a demo request) qualified it at once.
            HandRaiser,
            /// `sla_idle`: the lead sat in its stage past the idle limit.
            SlaIdle,
            /// `account`: its account became (or is) engaged and its grade is one the
            /// policy lifts (`[accounts] lift_grades`).
            Account,
        }

        impl From<EventType> for Cause {
            fn from(t: EventType) -> Self {
                match t {
                    $(EventType::$variant => Cause::$variant,)*
                }
            }
        }

        impl Cause {
            /// Every cause: the event types in the contract's order, then the engine's own.
            pub const ALL: &'static [Cause] = &[
                $(Cause::$variant,)*
                Cause::Score,
                Cause::HandRaiser,
                Cause::SlaIdle,
                Cause::Account,
            ];

            /// The cause's name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Cause::$variant => $name,)*
                    Cause::Score => "score",
                    Cause::HandRaiser => "hand_raiser",
                    Cause::SlaIdle => "sla_idle",
                    Cause::Account => "account",
                }
            }
        }
    };
}

causes! {
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
    AccountAlias => "account_alias",
}

/// Why a nurture enrollment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NurtureEnd {
    /// Every step was sent and one more cadence passed.
    Completed,
    /// The lead qualified again or sales took it back.
    ReEngaged,
    /// The lead unsubscribed.
    Unsubscribed,
    /// The lead was removed.
    Removed,
    /// The lead was given another program.
    Reassigned,
}

impl NurtureEnd {
    /// The name on the wire (`"re_engaged"`).
    pub fn as_str(self) -> &'static str {
        match self {
            NurtureEnd::Completed => "completed",
            NurtureEnd::ReEngaged => "re_engaged",
            NurtureEnd::Unsubscribed => "unsubscribed",
            NurtureEnd::Removed => "removed",
            NurtureEnd::Reassigned => "reassigned",
        }
    }
}

/// Why a lead was routed to a rep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RouteReason {
    /// A recycled lead qualified again and goes back to its original rep.
    ReEngaged,
}

impl RouteReason {
    /// The name on the wire (`"re_engaged"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RouteReason::ReEngaged => "re_engaged",
        }
    }
}

/// Why the owning rep was alerted (`owner_alert.cause`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlertCause {
    /// The lead gained at least `[alerts] points` within the window.
    Spike,
    /// The lead made a hand-raiser touch (a demo request).
    HandRaiser,
}

impl AlertCause {
    /// The name on the wire (`"hand_raiser"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertCause::Spike => "spike",
            AlertCause::HandRaiser => "hand_raiser",
        }
    }
}

/// A service level of a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaKind {
    /// Sales must act on the lead within `respond_days`.
    Respond,
    /// Sales must make `attempts` contact attempts within `attempts_days`.
    Attempts,
    /// The lead must not sit longer than `idle_days` without a sales event.
    Idle,
}

impl SlaKind {
    /// The name on the wire (`"respond"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SlaKind::Respond => "respond",
            SlaKind::Attempts => "attempts",
            SlaKind::Idle => "idle",
        }
    }
}

/// Why an event was refused (`rejected.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectKind {
    /// The event names a lead that was never created.
    UnknownLead,
    /// A `created` event for a lead that exists.
    DuplicateLead,
    /// An event whose `id` was already applied to the lead.
    DuplicateEvent,
    /// The event is not legal from the lead's stage.
    IllegalTransition,
    /// The event is older than the lead's last event or the last tick.
    OutOfOrder,
    /// The event names a program the policy does not define.
    UnknownProgram,
    /// The lead was removed; it takes no more events.
    RemovedLead,
    /// The event could not be read or contradicts itself.
    Malformed,
}

impl RejectKind {
    /// The kind's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::UnknownLead => "unknown_lead",
            RejectKind::DuplicateLead => "duplicate_lead",
            RejectKind::DuplicateEvent => "duplicate_event",
            RejectKind::IllegalTransition => "illegal_transition",
            RejectKind::OutOfOrder => "out_of_order",
            RejectKind::UnknownProgram => "unknown_program",
            RejectKind::RemovedLead => "removed_lead",
            RejectKind::Malformed => "malformed",
        }
    }
}

display_as_str!(
    AlertCause,
    Cause,
    NurtureEnd,
    RouteReason,
    SlaKind,
    RejectKind
);
