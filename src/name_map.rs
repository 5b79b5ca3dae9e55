//! A small map from names to values, kept as one sorted vector.
//!
//! A lead holds a few entries per map (its touch kinds, the programs it was in). A
//! `BTreeMap` with one entry allocates a whole leaf node (~300-400 bytes); this keeps
//! the entries in one exactly sized heap block, in name order, with the names inline
//! ([`Name`]). Lookups are a binary search over a handful of entries.

use crate::name::Name;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Entries sorted by name, each name once.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct NameMap<V>(Vec<(Name, V)>);

impl<V> NameMap<V> {
    pub(crate) const fn new() -> Self {
        NameMap(Vec::new())
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    /// The value of `name`, inserting `default` first when it has none. The vector
    /// grows by exactly one entry: leads are many and their maps small, so spare
    /// capacity would cost more than the rare reallocation.
    pub(crate) fn get_or_insert(&mut self, name: &str, default: V) -> &mut V {
        let i = match self.find(name) {
            Ok(i) => i,
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (Name::from(name), default));
                i
            }
        };
        &mut self.0[i].1
    }

    /// Sets `name` to `value`, returning the value it replaced. Grows by exactly one
    /// entry for a new name, as [`NameMap::get_or_insert`] does.
    pub(crate) fn insert(&mut self, name: Name, value: V) -> Option<V> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// The entries of a map already in name order, in one exactly sized block.
    pub(crate) fn from_sorted(map: BTreeMap<Name, V>) -> Self {
        let mut entries = Vec::with_capacity(map.len());
        entries.extend(map);
        NameMap(entries)
    }

    /// The entries in name order, as stored.
    pub(crate) fn entries(&self) -> &[(Name, V)] {
        &self.0
    }

    /// The entries in name order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> + '_ {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: fmt::Debug> fmt::Debug for NameMap<V> {
    /// As a `BTreeMap` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A map in name order, as a `BTreeMap<String, V>` writes it.
impl<V: Serialize> Serialize for NameMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// Read through a `BTreeMap`, so it accepts exactly what the `BTreeMap<String, V>` it
/// replaced accepted: keys in any order, and a repeated key's last value wins.
impl<'de, V: Deserialize<'de>> Deserialize<'de> for NameMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(NameMap::from_sorted(BTreeMap::<Name, V>::deserialize(
            deserializer,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(map: &NameMap<u64>) -> Vec<(&str, u64)> {
        map.iter().map(|(k, v)| (k, *v)).collect()
    }

    #[test]
    fn entries_stay_in_name_order_whatever_order_they_were_inserted_in() {
        let mut map = NameMap::default();
        for name in ["web", "email", "zoom", "ads", "email"] {
            *map.get_or_insert(name, 0) += 1;
        }
        assert_eq!(
            names(&map),
            [("ads", 1), ("email", 2), ("web", 1), ("zoom", 1)]
        );
        assert_eq!(map.get("email"), Some(&2));
        assert_eq!(map.get("phone"), None);
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn the_vector_holds_no_spare_capacity() {
        let mut map = NameMap::default();
        for name in ["a", "b", "c", "d", "e"] {
            map.get_or_insert(name, 1u64);
            assert_eq!(map.0.capacity(), map.0.len());
        }
    }

    #[test]
    fn it_reads_and_writes_the_json_of_the_btree_map_it_replaced() {
        let json = r#"{"zoom":3,"ads":1,"email":2,"ads":7}"#;
        let before: BTreeMap<String, u64> = serde_json::from_str(json).unwrap();
        let after: NameMap<u64> = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&after).unwrap(),
            serde_json::to_string(&before).unwrap()
        );
        assert_eq!(format!("{after:?}"), format!("{before:?}"));
        for bad in [r#"{"a":-1}"#, r#"["a"]"#, r#"{"a":"1"}"#, "null"] {
            let before = serde_json::from_str::<BTreeMap<String, u64>>(bad).unwrap_err();
            let after = serde_json::from_str::<NameMap<u64>>(bad).unwrap_err();
            assert_eq!(after.to_string(), before.to_string(), "{bad}");
        }
    }
}
