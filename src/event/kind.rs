//! What happened: the event types, and the fields each one has.

use crate::error::ParseNameError;
use crate::id::{LeadId, RepId};
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What happened, with the fields of each event type ([contract](crate::docs::contract), "Events").
///
/// Read it from [`Event::kind`](crate::Event::kind); build events with the
/// constructors on [`Event`](crate::Event). The enum and its variants are
/// `#[non_exhaustive]`: a new event type or a new optional field is not a breaking
/// change, so a `match` needs a `_` arm and patterns need `..`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A new lead (form fill, list import, badge scan): its first touch.
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    Profile {
        /// The attributes to set (others are kept).
        set: Profile,
    },
    /// A rep took the lead.
    #[non_exhaustive]
    SalesAccepted {
        /// The rep.
        rep: RepId,
    },
    /// Sales sent the lead back with a reason.
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    SalesQualified {
        /// The rep.
        rep: RepId,
    },
    /// An opportunity was opened.
    #[non_exhaustive]
    OpportunityOpened {
        /// The host's opportunity id.
        opportunity: String,
        /// Its amount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<f64>,
    },
    /// The opportunity was won.
    #[non_exhaustive]
    OpportunityWon {
        /// The host's opportunity id.
        opportunity: String,
    },
    /// The opportunity was lost.
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    Unsubscribed {},
    /// The contact can no longer be reached.
    #[non_exhaustive]
    ContactLost {
        /// Why (`"bounced"`, `"left_company"`).
        cause: String,
    },
    /// This lead is a duplicate of `into`, which survives and absorbs it.
    #[non_exhaustive]
    Merged {
        /// The surviving lead.
        into: LeadId,
    },
    /// The clock advanced: no older event will come.
    #[non_exhaustive]
    Tick {},
    /// Another name of an account: from now on, names that normalise as `alias` does
    /// are `account` (names no lead, like a tick; see `docs/accounts.md`).
    #[non_exhaustive]
    AccountAlias {
        /// The account (any spelling of its name).
        account: String,
        /// Its other name: a company name or an email domain.
        alias: String,
    },
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

    /// The rep a sales event names (`sales_accepted`, `sales_attempt`,
    /// `sales_qualified`, `sales_rejected`, `disqualified`, `recycled`).
    pub fn rep(&self) -> Option<&RepId> {
        match self {
            EventKind::SalesAccepted { rep }
            | EventKind::SalesAttempt { rep, .. }
            | EventKind::SalesQualified { rep }
            | EventKind::SalesRejected { rep, .. }
            | EventKind::Disqualified { rep, .. }
            | EventKind::Recycled { rep, .. } => Some(rep),
            _ => None,
        }
    }

    /// The recycle reason a recycling event gives (`sales_rejected`,
    /// `opportunity_lost`, `disqualified`, `recycled`).
    pub fn reason(&self) -> Option<&str> {
        match self {
            EventKind::SalesRejected { reason, .. }
            | EventKind::OpportunityLost { reason, .. }
            | EventKind::Disqualified { reason, .. }
            | EventKind::Recycled { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Writes ` field=value` for every field given, in the contract's order.
    pub(super) fn write_fields(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn one(f: &mut fmt::Formatter<'_>, name: &str, value: &dyn fmt::Display) -> fmt::Result {
            write!(f, " {name}={value}")
        }
        fn maybe(f: &mut fmt::Formatter<'_>, name: &str, value: &Option<String>) -> fmt::Result {
            value.as_ref().map_or(Ok(()), |v| one(f, name, v))
        }
        fn profile(f: &mut fmt::Formatter<'_>, name: &str, profile: &Profile) -> fmt::Result {
            write!(f, " {name}={{")?;
            for (i, (attr, value)) in profile.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{attr}={value}")?;
            }
            f.write_str("}")
        }
        match self {
            EventKind::Created {
                source,
                campaign,
                channel,
                account,
                profile: attributes,
            } => {
                one(f, "source", source)?;
                maybe(f, "campaign", campaign)?;
                maybe(f, "channel", channel)?;
                maybe(f, "account", account)?;
                if !attributes.is_empty() {
                    profile(f, "profile", attributes)?;
                }
                Ok(())
            }
            EventKind::Touch {
                kind,
                campaign,
                channel,
                content,
            } => {
                one(f, "kind", kind)?;
                maybe(f, "campaign", campaign)?;
                maybe(f, "channel", channel)?;
                maybe(f, "content", content)
            }
            EventKind::Profile { set } => profile(f, "set", set),
            EventKind::SalesAccepted { rep } | EventKind::SalesQualified { rep } => {
                one(f, "rep", rep)
            }
            EventKind::SalesAttempt {
                rep,
                channel,
                outcome,
            } => {
                one(f, "rep", rep)?;
                maybe(f, "channel", channel)?;
                maybe(f, "outcome", outcome)
            }
            EventKind::SalesRejected {
                rep,
                reason,
                program,
            }
            | EventKind::Disqualified {
                rep,
                reason,
                program,
            }
            | EventKind::Recycled {
                rep,
                reason,
                program,
            } => {
                one(f, "rep", rep)?;
                one(f, "reason", reason)?;
                maybe(f, "program", program)
            }
            EventKind::OpportunityOpened {
                opportunity,
                amount,
            } => {
                one(f, "opportunity", opportunity)?;
                amount.map_or(Ok(()), |a| one(f, "amount", &a))
            }
            EventKind::OpportunityWon { opportunity } => one(f, "opportunity", opportunity),
            EventKind::OpportunityLost {
                opportunity,
                reason,
                program,
            } => {
                one(f, "opportunity", opportunity)?;
                one(f, "reason", reason)?;
                maybe(f, "program", program)
            }
            EventKind::ContactLost { cause } => one(f, "cause", cause),
            EventKind::Merged { into } => one(f, "into", into),
            EventKind::AccountAlias { account, alias } => {
                one(f, "account", account)?;
                one(f, "alias", alias)
            }
            EventKind::Unsubscribed {} | EventKind::Tick {} => Ok(()),
        }
    }
}

macro_rules! fields {
    ($($field:ident),* $(,)?) => {
        /// A field some event type has, beside the common `type`, `lead`, `at` and `id`.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(super) enum Field {
            $($field,)*
        }

        impl Field {
            /// Every field, in bit order.
            const ALL: &'static [Field] = &[$(Field::$field,)*];

            /// The field with this name on the wire.
            pub(super) fn named(name: &str) -> Option<Field> {
                match name {
                    $(stringify!($field) => Some(Field::$field),)*
                    _ => None,
                }
            }

            /// Its name on the wire.
            pub(super) fn name(self) -> &'static str {
                match self {
                    $(Field::$field => stringify!($field),)*
                }
            }

            /// Its bit in a set of fields.
            pub(super) const fn bit(self) -> u32 {
                1 << self as u32
            }

            /// The fields of a set, in bit order.
            pub(super) fn in_set(set: u32) -> impl Iterator<Item = Field> {
                Field::ALL.iter().copied().filter(move |f| set & f.bit() != 0)
            }
        }
    };
}

fields!(
    source,
    campaign,
    channel,
    account,
    profile,
    kind,
    content,
    set,
    rep,
    reason,
    program,
    outcome,
    opportunity,
    amount,
    cause,
    into,
    alias,
);

macro_rules! event_types {
    ($($variant:ident => $name:literal [$($field:ident),*]),* $(,)?) => {
        /// The type of an event, without its fields.
        ///
        /// Parses from and prints as its name on the wire:
        ///
        /// ```
        /// use leadcycle::EventType;
        /// let ty: EventType = "sales_accepted".parse().unwrap();
        /// assert_eq!(ty, EventType::SalesAccepted);
        /// assert_eq!(ty.to_string(), "sales_accepted");
        /// assert!("touhc".parse::<EventType>().is_err());
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum EventType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl EventType {
            /// Every event type, in the contract's order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            /// The type's name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }

            /// Whether events of this type name no lead (`tick`, `account_alias`).
            pub fn is_leadless(self) -> bool {
                matches!(self, EventType::Tick | EventType::AccountAlias)
            }

            /// The fields of this type, in the contract's order, beside the `type`,
            /// `lead`, `at` and `id` every event has (a `tick` has no `lead`).
            pub fn fields(self) -> &'static [&'static str] {
                match self {
                    $(EventType::$variant => &[$(stringify!($field)),*],)*
                }
            }

            /// [`EventType::fields`] as a set of [`Field`] bits.
            pub(super) fn field_set(self) -> u32 {
                match self {
                    $(EventType::$variant => 0 $(| Field::$field.bit())*,)*
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
    Created => "created" [source, campaign, channel, account, profile],
    Touch => "touch" [kind, campaign, channel, content],
    Profile => "profile" [set],
    SalesAccepted => "sales_accepted" [rep],
    SalesRejected => "sales_rejected" [rep, reason, program],
    SalesAttempt => "sales_attempt" [rep, channel, outcome],
    SalesQualified => "sales_qualified" [rep],
    OpportunityOpened => "opportunity_opened" [opportunity, amount],
    OpportunityWon => "opportunity_won" [opportunity],
    OpportunityLost => "opportunity_lost" [opportunity, reason, program],
    Disqualified => "disqualified" [rep, reason, program],
    Recycled => "recycled" [rep, reason, program],
    Unsubscribed => "unsubscribed" [],
    ContactLost => "contact_lost" [cause],
    Merged => "merged" [into],
    Tick => "tick" [],
    AccountAlias => "account_alias" [account, alias],
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = ParseNameError;

    /// The event type with this name on the wire (`"sales_accepted"`).
    fn from_str(name: &str) -> Result<Self, ParseNameError> {
        EventType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                ParseNameError::new(
                    "an event type",
                    name,
                    EventType::ALL.iter().map(|t| t.as_str()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_type_lists_is_a_known_field_and_its_bit_set_matches() {
        for &ty in EventType::ALL {
            let from_names = ty
                .fields()
                .iter()
                .map(|name| Field::named(name).expect("a known field").bit())
                .fold(0, |set, bit| set | bit);
            assert_eq!(from_names, ty.field_set(), "{ty}");
        }
    }

    #[test]
    fn field_names_round_trip() {
        for &field in Field::ALL {
            assert_eq!(Field::named(field.name()), Some(field));
        }
        assert_eq!(Field::named("type"), None);
        assert_eq!(Field::named("programme"), None);
    }
}
