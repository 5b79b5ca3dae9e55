//! Profile attributes: what is known about a lead (seniority, company size, region...).

use crate::inline_str::InlineStr;
use crate::name::Name;
use crate::name_map::NameMap;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Index;

/// A lead's profile: attribute name to value, in name order.
///
/// It reads and writes like the `BTreeMap<String, ProfileValue>` it replaced (`get`,
/// `insert`, `iter` in name order, `collect` from pairs, `profile["attr"]`) and has the
/// same serde form, a JSON object with its keys in name order (a repeated key's last
/// value wins). It is kept as one exactly sized block of (name, value), the attribute
/// names interned ([`Name`], 4 bytes) and short text values inline ([`InlineStr`]):
/// every lead of a book repeats the same attribute names, and a `BTreeMap` paid a heap
/// block for each name and a whole node for the map. Ten attributes (nine of them
/// text): 320 bytes in one block, where the map took 722 in twenty
/// (docs/performance.md, issue 11).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Profile(NameMap<ProfileValue>);

impl Default for Profile {
    fn default() -> Self {
        Profile::new()
    }
}

impl Profile {
    /// No attribute.
    pub const fn new() -> Self {
        Profile(NameMap::new())
    }

    /// The value of `attr`.
    pub fn get(&self, attr: &str) -> Option<&ProfileValue> {
        self.0.get(attr)
    }

    /// Whether the profile has `attr`.
    pub fn contains_key(&self, attr: &str) -> bool {
        self.0.get(attr).is_some()
    }

    /// Sets `attr` to `value`, returning the value it replaced.
    pub fn insert(&mut self, attr: impl Into<Name>, value: ProfileValue) -> Option<ProfileValue> {
        self.0.insert(attr.into(), value)
    }

    /// The attributes and their values, in name order.
    pub fn iter(&self) -> ProfileIter<'_> {
        ProfileIter(self.0.entries().iter())
    }

    /// How many attributes it has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Profile {
    /// As a `BTreeMap` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<K: Into<Name>> Extend<(K, ProfileValue)> for Profile {
    /// Sets each attribute in turn: a later value for the same name wins.
    fn extend<I: IntoIterator<Item = (K, ProfileValue)>>(&mut self, pairs: I) {
        for (attr, value) in pairs {
            self.insert(attr, value);
        }
    }
}

impl<K: Into<Name>> FromIterator<(K, ProfileValue)> for Profile {
    /// As a `BTreeMap` collects: in name order, a repeated name's last value wins.
    fn from_iter<I: IntoIterator<Item = (K, ProfileValue)>>(pairs: I) -> Self {
        let map: BTreeMap<Name, ProfileValue> =
            pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        Profile(NameMap::from_sorted(map))
    }
}

impl<K: Into<Name>, const N: usize> From<[(K, ProfileValue); N]> for Profile {
    fn from(pairs: [(K, ProfileValue); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Profile {
    type Item = (&'a str, &'a ProfileValue);
    type IntoIter = ProfileIter<'a>;

    fn into_iter(self) -> ProfileIter<'a> {
        self.iter()
    }
}

/// A profile's attributes and values, in name order ([`Profile::iter`]).
#[derive(Clone, Debug)]
pub struct ProfileIter<'a>(std::slice::Iter<'a, (Name, ProfileValue)>);

impl<'a> Iterator for ProfileIter<'a> {
    type Item = (&'a str, &'a ProfileValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for ProfileIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k.as_str(), v))
    }
}

impl ExactSizeIterator for ProfileIter<'_> {}

impl std::iter::FusedIterator for ProfileIter<'_> {}

impl Index<&str> for Profile {
    type Output = ProfileValue;

    /// The value of `attr`; panics when the profile does not have it, as a map does.
    fn index(&self, attr: &str) -> &ProfileValue {
        self.get(attr)
            .unwrap_or_else(|| panic!("the profile has no attribute `{attr}`"))
    }
}

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
    /// Any JSON string (inline up to 24 bytes, see [`InlineStr`]).
    Text(InlineStr),
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
        Ok(ProfileValue::Text(s.into()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<ProfileValue, E> {
        Ok(ProfileValue::Text(s.into()))
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
        ProfileValue::Text(s.into())
    }
}

impl From<String> for ProfileValue {
    fn from(s: String) -> Self {
        ProfileValue::Text(s.into())
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
        assert_eq!(profile["e"], ProfileValue::from("vp"));
        assert_eq!(profile["f"], ProfileValue::Number(u64::MAX as f64));
        let written = serde_json::to_string(&profile).expect("serializes");
        let again: Profile = serde_json::from_str(&written).expect("reads back");
        assert_eq!(again, profile);
    }

    #[test]
    fn a_profile_reads_writes_and_prints_as_the_btree_map_it_replaced() {
        let json = r#"{"seniority":"vp","employees":350,"a_long_attribute_name_past_24_bytes":"a long text value past 24 bytes","employees":120,"eu":true}"#;
        let map: BTreeMap<String, ProfileValue> = serde_json::from_str(json).unwrap();
        let profile: Profile = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&profile).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(format!("{profile:?}"), format!("{map:?}"));
        let collected: Profile = map.clone().into_iter().collect();
        assert_eq!(collected, profile);
        let pairs: Vec<(&str, &ProfileValue)> = profile.iter().collect();
        let expected: Vec<(&str, &ProfileValue)> =
            map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(pairs, expected, "name order");
        assert_eq!(
            profile["employees"],
            ProfileValue::Number(120.0),
            "the last value wins"
        );
        for bad in [r#"{"a":null}"#, r#"["a"]"#, "3"] {
            let before = serde_json::from_str::<BTreeMap<String, ProfileValue>>(bad).unwrap_err();
            let after = serde_json::from_str::<Profile>(bad).unwrap_err();
            assert_eq!(after.to_string(), before.to_string(), "{bad}");
        }
    }

    #[test]
    fn insert_replaces_and_returns_the_old_value_and_collect_keeps_the_last() {
        let mut profile = Profile::new();
        assert_eq!(profile.insert("region", "EMEA".into()), None);
        assert_eq!(
            profile.insert("region", "APAC".into()),
            Some(ProfileValue::from("EMEA"))
        );
        assert_eq!(profile.len(), 1);
        assert!(profile.contains_key("region") && !profile.contains_key("regio"));
        let collected: Profile = [("b", 1.0.into()), ("a", 2.0.into()), ("b", 3.0.into())].into();
        let pairs: Vec<(&str, f64)> = collected
            .iter()
            .map(|(k, v)| (k, v.as_number().unwrap()))
            .collect();
        assert_eq!(pairs, [("a", 2.0), ("b", 3.0)]);
    }

    #[test]
    #[should_panic(expected = "the profile has no attribute `seniority`")]
    fn indexing_a_missing_attribute_panics_naming_it() {
        let _ = &Profile::new()["seniority"];
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
