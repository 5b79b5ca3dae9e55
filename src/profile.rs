//! Profile attributes: what is known about a lead (seniority, company size, region...).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A lead's profile: attribute name to value, in name order.
pub type Profile = BTreeMap<String, ProfileValue>;

/// One profile value: a string, a number or a boolean, as in the JSON event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
