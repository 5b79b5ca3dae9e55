//! The content a lead was sent or consumed.

use crate::name::Name;
use crate::name_map::NameMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// The content a lead was sent or consumed, in name order, each once
/// ([`Lead::content_seen`]); nurture never sends it again.
///
/// The crate's sorted map of names, with no values: interned names (4 bytes each) in
/// one exactly sized heap block, and 16 bytes in the lead's record (a `BTreeSet` used
/// to take a ~300-byte node for one name). Its serde form is the sorted list of names,
/// as before.
///
/// [`Lead::content_seen`]: crate::Lead::content_seen
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ContentSeen(NameMap<()>);

impl ContentSeen {
    /// Whether the lead was sent or consumed `content`.
    pub fn contains(&self, content: &str) -> bool {
        self.0.get(content).is_some()
    }

    /// The content, in name (string) order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.0.entries().iter().map(|(name, ())| name.as_str())
    }

    /// How many contents.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the lead has seen nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `content` if it is not there; the block grows by exactly one name.
    pub(crate) fn insert(&mut self, content: &str) {
        self.0.get_or_insert(content, ());
    }
}

impl fmt::Debug for ContentSeen {
    /// As a `BTreeSet` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The sorted list, as a `BTreeSet<String>` writes it.
impl Serialize for ContentSeen {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Read through a `BTreeSet`, so it accepts exactly what the `BTreeSet<String>` it
/// replaced accepted: names in any order, repeated names once.
impl<'de> Deserialize<'de> for ContentSeen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let set = BTreeSet::<Name>::deserialize(deserializer)?;
        let names = set.into_iter().map(|name| (name, ())).collect();
        Ok(ContentSeen(NameMap::from_sorted(names)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_kept_once_in_name_order() {
        let mut seen = ContentSeen::default();
        for (content, len) in [
            ("welcome", 1),
            ("case-study", 2),
            ("welcome", 2),
            ("pricing-guide", 3),
        ] {
            seen.insert(content);
            assert_eq!(seen.0.len(), len);
        }
        assert_eq!(
            seen.iter().collect::<Vec<_>>(),
            ["case-study", "pricing-guide", "welcome"]
        );
        assert!(seen.contains("welcome"));
        assert!(!seen.contains("webinar-invite"));
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn it_reads_and_writes_the_json_of_the_btree_set_it_replaced() {
        let json = r#"["welcome","case-study","welcome"]"#;
        let before: BTreeSet<String> = serde_json::from_str(json).unwrap();
        let after: ContentSeen = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&after).unwrap(),
            serde_json::to_string(&before).unwrap()
        );
        assert_eq!(format!("{after:?}"), format!("{before:?}"));
        for bad in [r#"{"a":1}"#, r#"[1]"#, "null", r#""welcome""#] {
            let before = serde_json::from_str::<BTreeSet<String>>(bad).unwrap_err();
            let after = serde_json::from_str::<ContentSeen>(bad).unwrap_err();
            assert_eq!(after.to_string(), before.to_string(), "{bad}");
        }
    }
}
