//! Reading an event from its JSON line: the `lead` / `tick` rule, a time error that
//! names the field and the value, and the fields a line carries that its type does not
//! have.

use super::kind::{EventKind, Field};
use super::Event;
use crate::id::{EventId, LeadId};
use chrono::{DateTime, FixedOffset, Utc};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The wire shape before the `lead` / `tick` rule is checked.
#[derive(Deserialize)]
pub(super) struct EventWire {
    #[serde(flatten)]
    kind: EventKind,
    #[serde(default)]
    lead: Option<LeadId>,
    #[serde(deserialize_with = "rfc3339_at")]
    at: DateTime<Utc>,
    #[serde(default)]
    id: Option<EventId>,
    /// Every other key of the line (the type's fields and any others): the event type
    /// reads only the fields it has, so the rest is found here.
    #[serde(flatten)]
    keys: Keys,
}

impl TryFrom<EventWire> for Event {
    type Error = String;

    fn try_from(w: EventWire) -> Result<Self, String> {
        let ty = w.kind.event_type();
        match (&w.kind, &w.lead) {
            (EventKind::Tick {}, Some(lead)) => Err(format!(
                "a `tick` takes no `lead` (it advances every lead's clock), but it names lead {lead}"
            )),
            (EventKind::AccountAlias { .. }, Some(lead)) => Err(format!(
                "an `account_alias` takes no `lead` (it names an account for every lead), but it names lead {lead}"
            )),
            (_, None) if !ty.is_leadless() => Err(format!(
                "missing field `lead`: a `{ty}` event must name the lead it happened to"
            )),
            _ => Ok(Event {
                unknown_fields: w.keys.not_in(ty.field_set()),
                kind: w.kind,
                lead: w.lead,
                at: w.at,
                id: w.id,
            }),
        }
    }
}

/// Reads `at` as chrono's serde form does (RFC 3339, any offset, as UTC), but says
/// which field and which value were wrong: `at: "2026-02-30" is not an RFC 3339 time`.
fn rfc3339_at<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    struct Rfc3339;

    impl Visitor<'_> for Rfc3339 {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("`at` as an RFC 3339 time such as 2026-03-01T00:00:00Z")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
            text.parse::<DateTime<FixedOffset>>()
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    E::custom(format_args!(
                        "at: {text:?} is not an RFC 3339 time ({e}); expected a time such as 2026-03-01T00:00:00Z"
                    ))
                })
        }
    }

    deserializer.deserialize_str(Rfc3339)
}

/// The keys of a line beside `lead`, `at` and `id`: the fields some event type has as
/// a set of bits (no allocation for a well-formed line), any other key by name.
#[derive(Default)]
struct Keys {
    fields: u32,
    others: Vec<String>,
}

impl Keys {
    /// The keys that are not `type` and not in the set of fields `has`, in name order.
    fn not_in(self, has: u32) -> Vec<String> {
        let mut unknown = self.others;
        unknown.extend(Field::in_set(self.fields & !has).map(|f| f.name().to_owned()));
        unknown.sort_unstable();
        unknown.dedup();
        unknown
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KeysVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Keys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the fields of an event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<Key>()? {
            map.next_value::<IgnoredAny>()?;
            match key {
                Key::Type => {}
                Key::Field(field) => keys.fields |= field.bit(),
                Key::Other(name) => keys.others.push(name),
            }
        }
        Ok(keys)
    }
}

/// One key of a line.
enum Key {
    /// `type`, the tag.
    Type,
    /// A field some event type has.
    Field(Field),
    /// Anything else.
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
                Ok(match name {
                    "type" => Key::Type,
                    _ => Field::named(name).map_or_else(|| Key::Other(name.to_owned()), Key::Field),
                })
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}
