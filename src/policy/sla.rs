use crate::stage::Stage;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// Service levels for the stages sales owns.
///
/// In a policy, every key of an `[sla.STAGE]` table defaults on its own to that
/// stage's value in [`SlaPolicy::default`]: writing only `[sla.mql] respond_days = 1`
/// keeps the MQL's `idle_days = 7`. To switch a service level off, write `false`
/// (`idle_days = false`: not tracked); a number of days is always greater than 0.
/// Serialized, a service level that is off is written `false`, so the text reads back
/// as the same policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "SlaTables")]
pub struct SlaPolicy {
    /// For marketing-qualified leads.
    pub mql: StageSla,
    /// For sales-accepted leads.
    pub sal: StageSla,
    /// For sales-qualified leads.
    pub sql: StageSla,
    /// For open opportunities.
    pub opportunity: StageSla,
}

/// The service levels of one stage; `None` is not tracked (written `false`).
///
/// Read on its own, a key left out is not tracked ([`StageSla::default`] tracks
/// nothing); read as part of a [`SlaPolicy`], a key left out keeps the stage's default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "StageSlaTable")]
pub struct StageSla {
    /// Days from entering the stage until sales must act (accept, reject, attempt, qualify).
    #[serde(serialize_with = "value_or_false")]
    pub respond_days: Option<f64>,
    /// Contact attempts that must be made within `attempts_days` of entering the stage.
    #[serde(serialize_with = "value_or_false")]
    pub attempts: Option<u32>,
    /// See `attempts`.
    #[serde(serialize_with = "value_or_false")]
    pub attempts_days: Option<f64>,
    /// Days without a sales event after which the lead is passively recycled.
    #[serde(serialize_with = "value_or_false")]
    pub idle_days: Option<f64>,
}

/// An `[sla]` section as written: each stage's table, empty when left out.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SlaTables {
    mql: StageSlaTable,
    sal: StageSlaTable,
    sql: StageSlaTable,
    opportunity: StageSlaTable,
}

impl From<SlaTables> for SlaPolicy {
    fn from(written: SlaTables) -> Self {
        let default = SlaPolicy::default();
        SlaPolicy {
            mql: written.mql.over(default.mql),
            sal: written.sal.over(default.sal),
            sql: written.sql.over(default.sql),
            opportunity: written.opportunity.over(default.opportunity),
        }
    }
}

/// One `[sla.STAGE]` table as written: per key, `None` when left out, `Some(None)`
/// when switched off with `false`, `Some(Some(value))` when set.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct StageSlaTable {
    #[serde(deserialize_with = "setting")]
    respond_days: Option<Option<f64>>,
    #[serde(deserialize_with = "setting")]
    attempts: Option<Option<u32>>,
    #[serde(deserialize_with = "setting")]
    attempts_days: Option<Option<f64>>,
    #[serde(deserialize_with = "setting")]
    idle_days: Option<Option<f64>>,
}

impl StageSlaTable {
    /// `base` with the keys written here.
    fn over(self, base: StageSla) -> StageSla {
        StageSla {
            respond_days: self.respond_days.unwrap_or(base.respond_days),
            attempts: self.attempts.unwrap_or(base.attempts),
            attempts_days: self.attempts_days.unwrap_or(base.attempts_days),
            idle_days: self.idle_days.unwrap_or(base.idle_days),
        }
    }
}

impl From<StageSlaTable> for StageSla {
    fn from(written: StageSlaTable) -> Self {
        written.over(StageSla::default())
    }
}

fn value_or_false<T: Serialize, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => value.serialize(serializer),
        None => serializer.serialize_bool(false),
    }
}

/// A service level's value read from a number, or switched off by `false`.
fn setting<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: SettingValue,
{
    deserializer
        .deserialize_any(SettingVisitor(PhantomData))
        .map(Some)
}

/// The numbers a service level takes: days (`f64`) or a count (`u32`).
trait SettingValue: Sized {
    /// What the value is, for error messages.
    const EXPECTING: &'static str;
    fn from_u64(n: u64) -> Option<Self>;
    fn from_f64(x: f64) -> Option<Self>;
}

impl SettingValue for f64 {
    const EXPECTING: &'static str = "a number of days, or false to switch the service level off";
    fn from_u64(n: u64) -> Option<Self> {
        Some(n as f64)
    }
    fn from_f64(x: f64) -> Option<Self> {
        Some(x)
    }
}

impl SettingValue for u32 {
    const EXPECTING: &'static str =
        "a whole number of attempts, or false to switch the service level off";
    fn from_u64(n: u64) -> Option<Self> {
        u32::try_from(n).ok()
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
}

struct SettingVisitor<T>(PhantomData<T>);

impl<T: SettingValue> Visitor<'_> for SettingVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            // `true` would have to mean some default number: refuse it rather than guess.
            Err(E::invalid_value(Unexpected::Bool(v), &self))
        } else {
            Ok(None)
        }
    }

    /// A JSON `null`: how a host serializing with serde_json wrote a service level that
    /// is off before `false` existed (TOML has no null).
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match u64::try_from(v) {
            Ok(n) => self.visit_u64(n),
            // A negative number of days is refused by validation, naming the key.
            Err(_) => T::from_f64(v as f64)
                .map(Some)
                .ok_or_else(|| E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_type(Unexpected::Float(v), &self))
    }
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            mql: StageSla {
                respond_days: Some(2.0),
                idle_days: Some(7.0),
                ..StageSla::default()
            },
            sal: StageSla {
                attempts: Some(4),
                attempts_days: Some(14.0),
                idle_days: Some(21.0),
                ..StageSla::default()
            },
            sql: StageSla {
                idle_days: Some(45.0),
                ..StageSla::default()
            },
            opportunity: StageSla {
                idle_days: Some(120.0),
                ..StageSla::default()
            },
        }
    }
}

impl SlaPolicy {
    /// The service levels of `stage`; `None` for stages sales does not own.
    pub fn for_stage(&self, stage: Stage) -> Option<&StageSla> {
        match stage {
            Stage::Mql => Some(&self.mql),
            Stage::Sal => Some(&self.sal),
            Stage::Sql => Some(&self.sql),
            Stage::Opportunity => Some(&self.opportunity),
            _ => None,
        }
    }
}
