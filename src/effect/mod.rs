//! Effects: what the engine tells the host to do or to record. One JSON object per line.

mod display;
mod names;
mod reason;
mod time_wire;

pub use names::{AlertCause, Cause, NurtureEnd, RejectKind, RouteReason, SlaKind};
pub use reason::Reason;

use crate::error::{ParseNameError, StepError};
use crate::event::Event;
use crate::id::{LeadId, RepId};
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One output effect.
///
/// The serde form is the [contract](crate::docs::contract)'s JSON line: `type`, `lead`, `at`, and the fields of
/// the type. `lead` is `null` only on a `rejected` tick or malformed line, and `at` is
/// `null` only on a malformed line, whose time could not be read. `Display` is one line
/// for a person:
///
/// ```
/// use leadcycle::{Effect, Engine, Event, LeadBook, Policy};
///
/// let engine = Engine::new(Policy::default()).unwrap();
/// let mut book = LeadBook::new();
/// let at = "2026-01-05T10:00:00Z".parse().unwrap();
/// let effects = book.apply(&engine, &Event::created("L1", at, "webinar"));
/// assert_eq!(effects[0].to_string(), "2026-01-05T10:00:00Z L1: entered inquiry (created)");
/// ```
///
/// The engine makes effects; a host reads them (`#[non_exhaustive]`: a new field is not
/// a breaking change). To build one in a test, read its JSON line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Effect {
    /// What happened, with its fields.
    #[serde(flatten)]
    pub kind: EffectKind,
    /// The lead it concerns.
    pub lead: Option<LeadId>,
    /// When it happened: the event's time, or the deadline's time for a timer.
    #[serde(serialize_with = "time_wire::serialize_at")]
    pub at: Option<DateTime<Utc>>,
}

/// How many characters of an unreadable input line a `malformed` effect repeats.
const INPUT_SHOWN: usize = 80;

impl Effect {
    /// The `rejected` effect for an event refused with `error`.
    pub fn rejected(error: &StepError, event: &Event) -> Self {
        Effect {
            kind: EffectKind::Rejected {
                kind: error.kind(),
                message: error.to_string(),
                event: Some(Box::new(event.clone())),
                line: None,
                input: None,
            },
            lead: event.lead().cloned(),
            at: Some(event.at()),
        }
    }

    /// The `rejected` effect (kind `malformed`) for input line `line` (1-based) that
    /// could not be read as an event: `problem` says why, and the effect repeats the
    /// start of the raw line (its first 80 characters, then `...`), so that a person
    /// reading standard input can find it.
    ///
    /// ```
    /// use leadcycle::{Effect, EffectKind};
    /// let effect = Effect::malformed_line(3, "expected `,` or `}` at column 19", br#"{"type":"touch" "lead":"L1"}"#);
    /// let EffectKind::Rejected { line, input, .. } = &effect.kind else { unreachable!() };
    /// assert_eq!(*line, Some(3));
    /// assert_eq!(input.as_deref(), Some(r#"{"type":"touch" "lead":"L1"}"#));
    /// ```
    pub fn malformed_line(line: u64, problem: &str, input: &[u8]) -> Self {
        Effect {
            kind: EffectKind::Rejected {
                kind: RejectKind::Malformed,
                message: format!("line {line} is not a valid event: {problem}"),
                event: None,
                line: Some(line),
                input: Some(start_of(input)),
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

/// The first [`INPUT_SHOWN`] characters of a raw input line (bytes that are not UTF-8
/// shown as U+FFFD), without its line break, then `...` if there was more.
fn start_of(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let text = text.trim_end_matches(['\n', '\r']);
    match text.char_indices().nth(INPUT_SHOWN) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// What happened, with the fields of each effect type ([contract](crate::docs::contract), "Effects").
///
/// The enum and its variants are `#[non_exhaustive]`: a new effect type or a new
/// optional field is not a breaking change, so a `match` needs a `_` arm and patterns
/// need `..`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EffectKind {
    /// The lead changed stage.
    #[non_exhaustive]
    Transition {
        /// The stage it left; `None` when the lead was created.
        from: Option<Stage>,
        /// The stage it entered.
        to: Stage,
        /// The event type or timer that moved it.
        cause: Cause,
        /// Why, for a move into `recycled` (the recycle reason, `sla_idle` for passive
        /// recycling) or `removed` (the removal reason); absent otherwise, and left out
        /// of the JSON when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Reason>,
    },
    /// The lead was enrolled (or re-enrolled) in a nurture program at `step` (0-based).
    /// `step` equal to the program's length means it has been sent every step already.
    #[non_exhaustive]
    NurtureAssigned {
        /// The program.
        program: String,
        /// The step it is enrolled at.
        step: usize,
        /// Why: the recycle reason, `sla_idle`, `completed`, `opportunity_won`, or
        /// `branch` when content the lead consumed moved it along one of its program's
        /// branches.
        reason: Reason,
    },
    /// The host should now send `content`.
    #[non_exhaustive]
    NurtureStepDue {
        /// The program.
        program: String,
        /// The step (0-based).
        step: usize,
        /// The content to send.
        content: String,
    },
    /// The enrollment ended.
    #[non_exhaustive]
    NurtureEnded {
        /// The program.
        program: String,
        /// The position reached: the next step the lead would have been sent.
        step: usize,
        /// Why it ended.
        why: NurtureEnd,
    },
    /// Hand the lead to `rep`.
    #[non_exhaustive]
    Routed {
        /// The rep.
        rep: RepId,
        /// Why.
        why: RouteReason,
    },
    /// A service level was missed.
    #[non_exhaustive]
    SlaBreached {
        /// The stage whose service level it was.
        stage: Stage,
        /// Which one.
        sla: SlaKind,
        /// The rep who owned the lead, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rep: Option<RepId>,
    },
    /// The `disposition` hook kept the lead with sales: the event (or idle deadline)
    /// that would have recycled it changed nothing but the idle clock, which starts
    /// again.
    #[non_exhaustive]
    Kept {
        /// The stage it stays in.
        stage: Stage,
        /// The hook's reason.
        reason: String,
        /// The event type or timer that would have recycled it.
        cause: Cause,
    },
    /// The lead's account crossed the policy's `[accounts]` thresholds at this lead's
    /// event: enough distinct leads (and points) engaged within the window. Made once
    /// per crossing; the account may cross again only after falling below.
    #[non_exhaustive]
    AccountEngaged {
        /// The account (the normal form of its canonical name).
        account: String,
        /// The distinct leads with a counting touch in the window, in id order.
        leads: Vec<LeadId>,
        /// How many they are.
        contacts: usize,
        /// Their counting touches' summed points in the window.
        points: f64,
    },
    /// A lead a rep owns (sal, sql, opportunity) heated up: the owner should hear of it.
    /// At most once per `[alerts]` window per lead.
    #[non_exhaustive]
    OwnerAlert {
        /// The owning rep.
        rep: RepId,
        /// `spike` (points within the window) or `hand_raiser`.
        cause: AlertCause,
        /// The points the lead gained within the window while owned.
        points: f64,
    },
    /// A rhai hook failed; the policy default was applied instead.
    #[non_exhaustive]
    RuleFailed {
        /// The hook.
        hook: String,
        /// What went wrong.
        error: String,
        /// What was done instead.
        fallback: String,
    },
    /// The event was refused; nothing changed.
    #[non_exhaustive]
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
        /// The start of that line as it was read (at most 80 characters, then `...`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input: Option<String>,
    },
}

macro_rules! effect_types {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The type of an effect, without its fields.
        ///
        /// Parses from and prints as its name on the wire:
        ///
        /// ```
        /// use leadcycle::EffectType;
        /// let ty: EffectType = "nurture_step_due".parse().unwrap();
        /// assert_eq!(ty, EffectType::NurtureStepDue);
        /// assert_eq!(ty.to_string(), "nurture_step_due");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum EffectType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl EffectType {
            /// Every effect type, in the contract's order.
            pub const ALL: &'static [EffectType] = &[$(EffectType::$variant,)*];

            /// The type's name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EffectType::$variant => $name,)*
                }
            }
        }

        impl EffectKind {
            /// The type of this effect.
            pub fn effect_type(&self) -> EffectType {
                match self {
                    $(EffectKind::$variant { .. } => EffectType::$variant,)*
                }
            }
        }
    };
}

effect_types! {
    Transition => "transition",
    NurtureAssigned => "nurture_assigned",
    NurtureStepDue => "nurture_step_due",
    NurtureEnded => "nurture_ended",
    Routed => "routed",
    SlaBreached => "sla_breached",
    Kept => "kept",
    AccountEngaged => "account_engaged",
    OwnerAlert => "owner_alert",
    RuleFailed => "rule_failed",
    Rejected => "rejected",
}

impl fmt::Display for EffectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EffectType {
    type Err = ParseNameError;

    /// The effect type with this name on the wire (`"nurture_step_due"`).
    fn from_str(name: &str) -> Result<Self, ParseNameError> {
        EffectType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                ParseNameError::new(
                    "an effect type",
                    name,
                    EffectType::ALL.iter().map(|t| t.as_str()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_line_keeps_the_first_80_characters_cut_on_a_char_boundary() {
        let long = "é".repeat(100);
        let Effect {
            kind: EffectKind::Rejected { input, .. },
            ..
        } = Effect::malformed_line(1, "x", long.as_bytes())
        else {
            unreachable!()
        };
        assert_eq!(input.unwrap(), format!("{}...", "é".repeat(80)));
        let exact = "x".repeat(80);
        let Effect {
            kind: EffectKind::Rejected { input, .. },
            ..
        } = Effect::malformed_line(1, "x", format!("{exact}\r\n").as_bytes())
        else {
            unreachable!()
        };
        assert_eq!(input.unwrap(), exact);
    }
}
