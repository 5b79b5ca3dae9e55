//! Profile attributes: what is known about a lead (seniority, company size, region...).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A lead's profile: attribute name to value, in name order.
pub type Profile = BTreeMap<String, ProfileValue>;

/// One profile value: a string, a number or a boolean, as in the JSON event.
///
/// It serializes as the bare value (`"vp"`, `350`, `true`) and reads one back the
/// same way; see its hand-written `Deserialize` for why it is not derived.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ProfileValue {
    /// `true` / `false`.
    Bool(bool),
    /// Any JSON number.
    Number(f64),
    /// Any JSON string.
    Text(String),
}

impl ProfileValue {
    /// The value as a number, if it is one (a numeric string counts).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            ProfileValue::Number(n) => Some(*n),
            ProfileValue::Text(s) => s.trim().parse().ok(),
            ProfileValue::Bool(_) => None,
        }
    }
}

/// Reads a bare boolean, number or string, as `#[serde(untagged)]` would, but asks the
/// format for the value once. The derived untagged form buffers the value and then
/// tries each variant in turn, formatting an error message for every variant that does
/// not match: a callgrind profile of the replay put ~28% of all its instructions there
/// (docs/performance.md, issue 11).
impl<'de> Deserialize<'de> for ProfileValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ProfileValueVisitor)
    }
}

struct ProfileValueVisitor;

impl Visitor<'_> for ProfileValueVisitor {
    type Value = ProfileValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a profile value: a string, a number or a boolean")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Bool(b))
    }

    // Every number becomes an f64, as the derived form's `Number(f64)` did.
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Number(n as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Number(n as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Number(n as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u128<E: de::Error>(self, n: u128) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Number(n as f64))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Number(n))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Text(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Text(s))
    }
}

impl fmt::Display for ProfileValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileValue::Bool(b) => write!(f, "{b}"),
            ProfileValue::Number(n) => write!(f, "{n}"),
            ProfileValue::Text(s) => f.write_str(s),
        }
    }
}

impl From<&str> for ProfileValue {
    fn from(s: &str) -> Self {
        ProfileValue::Text(s.to_owned())
    }
}

impl From<f64> for ProfileValue {
    fn from(n: f64) -> Self {
        ProfileValue::Number(n)
    }
}

impl From<bool> for ProfileValue {
    fn from(b: bool) -> Self {
        ProfileValue::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_value_reads_back_what_it_writes_for_each_kind() {
        let json = r#"{"a":true,"b":350,"c":-2,"d":1.5,"e":"vp","f":18446744073709551615}"#;
        let profile: Profile = serde_json::from_str(json).expect("a valid profile");
        assert_eq!(profile["a"], ProfileValue::Bool(true));
        assert_eq!(profile["b"], ProfileValue::Number(350.0));
        assert_eq!(profile["c"], ProfileValue::Number(-2.0));
        assert_eq!(profile["d"], ProfileValue::Number(1.5));
        assert_eq!(profile["e"], ProfileValue::Text("vp".to_owned()));
        assert_eq!(profile["f"], ProfileValue::Number(u64::MAX as f64));
        let written = serde_json::to_string(&profile).expect("serializes");
        let again: Profile = serde_json::from_str(&written).expect("reads back");
        assert_eq!(again, profile);
    }

    #[test]
    fn a_profile_value_that_is_not_a_scalar_is_refused_saying_what_was_expected() {
        for bad in ["null", "[1]", r#"{"x":1}"#] {
            let e = serde_json::from_str::<ProfileValue>(bad).expect_err(bad);
            assert!(
                e.to_string()
                    .contains("expected a profile value: a string, a number or a boolean"),
                "{bad}: {e}"
            );
        }
    }
}
