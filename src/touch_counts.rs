//! How many touches of each kind a lead has had.

use crate::name::Name;
use crate::name_map::NameMap;
use serde::{Deserialize, Serialize};
use std::ops::Index;

/// A lead's touch counts per touch kind, in kind order ([`Lead::touch_counts`]).
///
/// It is a small sorted block of (kind, count) with each kind interned
/// ([`Name`](crate::Name), 4 bytes) and each count a `u32`, so a kind costs a lead 8
/// bytes of one small heap block (a `BTreeMap` used to take a ~400-byte node, and `u64`
/// counts 16 bytes a kind). A count stops at `u32::MAX` (over four billion touches of
/// one kind) rather than wrap.
/// Its serde form is the JSON object `{"kind": count, ...}` in kind order, as before.
///
/// [`Lead::touch_counts`]: crate::Lead::touch_counts
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TouchCounts(NameMap<u32>);

impl TouchCounts {
    /// The number of touches of `kind`; `None` for a kind the lead never had.
    pub fn get(&self, kind: &str) -> Option<u32> {
        self.0.get(kind).copied()
    }

    /// Whether the lead had a touch of `kind`.
    pub fn contains(&self, kind: &str) -> bool {
        self.0.get(kind).is_some()
    }

    /// Each kind with its count, in kind (string) order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, u32)> + '_ {
        self.0.iter().map(|(k, n)| (k, *n))
    }

    /// The number of kinds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the lead had no touch.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads the first and last entries, as counting a touch will (see
    /// [`LeadBook::warm`](crate::LeadBook::warm)).
    pub(crate) fn warm(&self) -> u64 {
        let entries = self.0.entries();
        let ends = [entries.first(), entries.last()];
        ends.into_iter()
            .flatten()
            .fold(0, |all, (_, n)| all ^ u64::from(*n))
    }

    /// Adds `n` touches of `kind`, up to `u32::MAX`. No allocation for a kind the lead
    /// already had.
    pub(crate) fn add(&mut self, kind: Name, n: u32) {
        let count = self.0.get_or_insert_name(kind, 0);
        *count = count.saturating_add(n);
    }

    /// Each kind with its count, in kind order, the kinds interned.
    pub(crate) fn entries(&self) -> &[(Name, u32)] {
        self.0.entries()
    }
}

/// `counts["email_open"]`, as on the `BTreeMap` this replaced.
impl Index<&str> for TouchCounts {
    type Output = u32;

    /// # Panics
    ///
    /// When the lead never had a touch of this kind (use [`TouchCounts::get`]).
    fn index(&self, kind: &str) -> &u32 {
        self.0
            .get(kind)
            .unwrap_or_else(|| panic!("no touch of kind {kind:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_kind_and_iterate_in_kind_order() {
        let mut counts = TouchCounts::default();
        assert!(counts.is_empty());
        counts.add(Name::from("web_visit"), 1);
        counts.add(Name::from("email_open"), 2);
        counts.add(Name::from("web_visit"), 3);
        assert_eq!(counts.get("web_visit"), Some(4));
        assert_eq!(counts["email_open"], 2);
        assert_eq!(counts.get("demo_request"), None);
        assert!(!counts.contains("demo_request"));
        assert_eq!(
            counts.iter().collect::<Vec<_>>(),
            [("email_open", 2), ("web_visit", 4)]
        );
        assert_eq!(counts.len(), 2);
        assert_eq!(
            serde_json::to_string(&counts).unwrap(),
            r#"{"email_open":2,"web_visit":4}"#
        );
    }

    #[test]
    fn a_count_stops_at_the_largest_u32_rather_than_wrap() {
        let mut counts = TouchCounts::default();
        let kind = Name::from("email_open");
        counts.add(kind, u32::MAX - 1);
        counts.add(kind, 1);
        counts.add(kind, 1);
        assert_eq!(counts.get("email_open"), Some(u32::MAX));
    }

    #[test]
    fn a_count_beyond_u32_is_refused_when_read_back() {
        let error = serde_json::from_str::<TouchCounts>(r#"{"email_open":4294967296}"#)
            .expect_err("too large a count");
        assert!(error.to_string().contains("u32"), "{error}");
    }

    #[test]
    #[should_panic(expected = "no touch of kind \"demo_request\"")]
    fn indexing_a_kind_the_lead_never_had_panics_naming_it() {
        let _ = TouchCounts::default()["demo_request"];
    }
}
