//! A small map from names to values, kept as one sorted vector.
//!
//! A lead holds a few entries per map (its touch kinds, the programs it was in). A
//! `BTreeMap` with one entry allocates a whole leaf node (~300-400 bytes); this keeps
//! the entries in one exactly sized heap block, in name order, with the names interned
//! ([`Name`]). Lookups are a binary search over a handful of entries.

use crate::name::Name;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Entries sorted by name, each name once, in a boxed slice that is absent while the
/// map is empty: 16 bytes in the lead's record where a `Vec` took 24, since the block
/// never has spare room anyway.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct NameMap<V>(Option<Box<[(Name, V)]>>);

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap::new()
    }
}

impl<V> NameMap<V> {
    pub(crate) const fn new() -> Self {
        NameMap(None)
    }

    /// Inserts `entry` at `i`, growing the block by exactly one entry: leads are many
    /// and their maps small, so spare capacity would cost more than the rare
    /// reallocation.
    fn insert_at(&mut self, i: usize, entry: (Name, V)) -> &mut V {
        let mut entries = self.0.take().map_or_else(Vec::new, <[_]>::into_vec);
        entries.reserve_exact(1);
        entries.insert(i, entry);
        &mut self.0.insert(entries.into_boxed_slice())[i].1
    }

    fn entries_mut(&mut self) -> &mut [(Name, V)] {
        self.0.as_deref_mut().unwrap_or_default()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries()
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    /// As [`NameMap::find`], for a name already interned: a scan that compares
    /// indexes finds it without reading a text, and only a new name is placed by text.
    fn find_name(&self, name: Name) -> Result<usize, usize> {
        match self.entries().iter().position(|(n, _)| *n == name) {
            Some(i) => Ok(i),
            None => self.find(&name),
        }
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        self.find(name).ok().map(|i| &self.entries()[i].1)
    }

    /// The value of `name`, inserting `default` first when it has none.
    pub(crate) fn get_or_insert(&mut self, name: &str, default: V) -> &mut V {
        match self.find(name) {
            Ok(i) => &mut self.entries_mut()[i].1,
            Err(i) => self.insert_at(i, (Name::from(name), default)),
        }
    }

    /// The value of `name`, inserting `default` first when it has none, for a name
    /// already interned.
    pub(crate) fn get_or_insert_name(&mut self, name: Name, default: V) -> &mut V {
        match self.find_name(name) {
            Ok(i) => &mut self.entries_mut()[i].1,
            Err(i) => self.insert_at(i, (name, default)),
        }
    }

    /// The value of `name`, to change.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        let i = self.find(name).ok()?;
        Some(&mut self.entries_mut()[i].1)
    }

    /// Every value, to change.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries_mut().iter_mut().map(|(_, v)| v)
    }

    /// Sets `name` to `value`, returning the value it replaced.
    pub(crate) fn insert(&mut self, name: Name, value: V) -> Option<V> {
        match self.find_name(name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries_mut()[i].1, value)),
            Err(i) => {
                self.insert_at(i, (name, value));
                None
            }
        }
    }

    /// The entries of a map already in name order, in one exactly sized block.
    pub(crate) fn from_sorted(map: BTreeMap<Name, V>) -> Self {
        NameMap((!map.is_empty()).then(|| map.into_iter().collect()))
    }

    /// The entries in name order, as stored.
    pub(crate) fn entries(&self) -> &[(Name, V)] {
        self.0.as_deref().unwrap_or_default()
    }

    /// The entries in name order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> + '_ {
        self.entries().iter().map(|(n, v)| (n.as_str(), v))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries().len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
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
    fn the_block_grows_by_one_entry_per_new_name() {
        let mut map = NameMap::default();
        for (n, name) in ["a", "b", "c", "d", "e", "c"].into_iter().enumerate() {
            map.get_or_insert(name, 1u64);
            assert_eq!(map.entries().len(), n.min(4) + 1);
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
