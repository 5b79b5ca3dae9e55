//! Effects: what the engine tells the host to do or to record. One JSON object per line.

use crate::event::{Event, EventType};
use crate::id::{LeadId, RepId};
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One output effect.
///
/// The serde form is CONTRACT.md's JSON line: `type`, `lead`, `at`, and the fields of
/// the type. `lead` is `null` only on a `rejected` tick or malformed line, and `at` is
/// `null` only on a malformed line, whose time could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// What happened, with its fields.
    #[serde(flatten)]
    pub kind: EffectKind,
    /// The lead it concerns.
    pub lead: Option<LeadId>,
    /// When it happened: the event's time, or the deadline's time for a timer.
    pub at: Option<DateTime<Utc>>,
}

impl Effect {
    /// The `rejected` effect for an event refused with `error`.
    pub fn rejected(error: &crate::StepError, event: &Event) -> Self {
        Effect {
            kind: EffectKind::Rejected {
                kind: error.kind(),
                message: error.to_string(),
                event: Some(Box::new(event.clone())),
                line: None,
            },
            lead: event.lead.clone(),
            at: Some(event.at),
        }
    }

    /// The `rejected` effect (kind `malformed`) for input line `line` (1-based) that
    /// could not be read as an event.
    pub fn malformed_line(line: u64, problem: &str) -> Self {
        Effect {
            kind: EffectKind::Rejected {
                kind: RejectKind::Malformed,
                message: format!("line {line} is not a valid event: {problem}"),
                event: None,
                line: Some(line),
            },
            lead: None,
            at: None,
        }
    }

    pub(crate) fn new(lead: &LeadId, at: DateTime<Utc>, kind: EffectKind) -> Self {
        Effect {
            kind,
            lead: Some(lead.clone()),
            at: Some(at),
        }
    }
}

/// What happened, with the fields of each effect type (CONTRACT.md, "Effects").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EffectKind {
    /// The lead changed stage.
    Transition {
        /// The stage it left; `None` when the lead was created.
        from: Option<Stage>,
        /// The stage it entered.
        to: Stage,
        /// The event type or timer that moved it.
        cause: Cause,
    },
    /// The lead was enrolled (or re-enrolled) in a nurture program at `step` (0-based).
    /// `step` equal to the program's length means it has been sent every step already.
    NurtureAssigned {
        /// The program.
        program: String,
        /// The step it is enrolled at.
        step: usize,
        /// Why: the recycle reason, `sla_idle`, `completed` or `opportunity_won`.
        reason: String,
    },
    /// The host should now send `content`.
    NurtureStepDue {
        /// The program.
        program: String,
        /// The step (0-based).
        step: usize,
        /// The content to send.
        content: String,
    },
    /// The enrollment ended.
    NurtureEnded {
        /// The program.
        program: String,
        /// The position reached: the next step the lead would have been sent.
        step: usize,
        /// Why it ended.
        why: NurtureEnd,
    },
    /// Hand the lead to `rep`.
    Routed {
        /// The rep.
        rep: RepId,
        /// Why.
        why: RouteReason,
    },
    /// A service level was missed.
    SlaBreached {
        /// The stage whose service level it was.
        stage: Stage,
        /// Which one.
        sla: SlaKind,
        /// The rep who owned the lead, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rep: Option<RepId>,
    },
    /// A rhai hook failed; the policy default was applied instead.
    RuleFailed {
        /// The hook.
        hook: String,
        /// What went wrong.
        error: String,
        /// What was done instead.
        fallback: String,
    },
    /// The event was refused; nothing changed.
    Rejected {
        /// Why, as a machine-readable kind.
        kind: RejectKind,
        /// Why, as a sentence a person can act on.
        message: String,
        /// The refused event, when it could be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<Box<Event>>,
        /// The input line number (1-based), for a line that could not be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
    },
}

macro_rules! causes {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// What moved a lead: an event type, or one of the engine's own causes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
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
            ];

            /// The cause's name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Cause::$variant => $name,)*
                    Cause::Score => "score",
                    Cause::HandRaiser => "hand_raiser",
                    Cause::SlaIdle => "sla_idle",
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
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a nurture enrollment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
pub enum RouteReason {
    /// A recycled lead qualified again and goes back to its original rep.
    ReEngaged,
}

/// A service level of a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
