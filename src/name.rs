//! Names from a bounded vocabulary, interned process-wide.

mod table;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;

/// A name from a vocabulary the engine copies and compares often: a touch kind, a
/// campaign, a channel, a content id, an engagement group, a recycle reason, a profile
/// attribute.
///
/// A `Name` is 4 bytes and `Copy`: an index into a table of texts shared by the whole
/// process, where each distinct text is stored once. Two names are equal when their
/// indexes are; they order and hash by their text, so a map of names iterates and
/// serializes exactly as a map of strings would, whatever order the texts were first
/// seen in. It reads as a `&str` and serializes as a string.
///
/// The table only grows: each distinct text is kept for the life of the process. That
/// suits vocabularies — the policy's names and the host's campaigns, channels and
/// content, thousands at most — and is why lead ids and profile values are
/// [`InlineStr`](crate::InlineStr)s instead (docs/performance.md, issue 11).
///
/// ```
/// use leadcycle::Name;
///
/// let kind = Name::from("email_open");
/// assert_eq!(kind, Name::from(String::from("email_open")));
/// assert_eq!(kind.as_str(), "email_open");
/// assert!(Name::from("demo_request") < kind); // by text
/// assert_eq!(std::mem::size_of::<Option<Name>>(), 4);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name(NonZeroU32);

impl Name {
    /// The empty name, `""`.
    pub const EMPTY: Name = Name(NonZeroU32::MIN);

    /// The name's text.
    pub fn as_str(&self) -> &'static str {
        table::text(self.0)
    }
}

impl Default for Name {
    /// The empty name.
    fn default() -> Self {
        Name::EMPTY
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Name(table::intern(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Self {
        Name::from(text.as_str())
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Self {
        Name::from(text.as_str())
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// By text, as a string would order: a map of names serializes in the same order
/// whatever order its texts were interned in.
impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.0 == other.0 {
            Ordering::Equal
        } else {
            self.as_str().cmp(other.as_str())
        }
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By text, as `Borrow<str>` requires: a map keyed by names can be searched with a
/// `&str`.
impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Reads a string and interns it, without an owned copy when the format lends one.
impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl Visitor<'_> for NameVisitor {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What `String` says, so a lead that fails to read fails as it did before.
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Name, E> {
        Ok(Name::from(text))
    }
}

#[cfg(test)]
mod tests {
    use super::Name;
    use std::collections::BTreeMap;

    #[test]
    fn names_of_the_same_text_are_one_name_and_read_back_their_text() {
        let a = Name::from("spring-launch");
        let b = Name::from(String::from("spring-launch"));
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "spring-launch");
        assert_ne!(a, Name::from("spring-launch "));
        assert_eq!(Name::from(""), Name::EMPTY);
        assert_eq!(Name::default().as_str(), "");
    }

    #[test]
    fn names_order_by_text_whatever_order_they_were_interned_in() {
        // Interned in reverse order of their texts.
        let texts = ["zz-order-9", "mm-order-5", "aa-order-1"];
        let names: Vec<Name> = texts.iter().map(|t| Name::from(*t)).collect();
        let map: BTreeMap<Name, usize> = names.iter().copied().zip(0..).collect();
        let keys: Vec<&str> = map.keys().map(Name::as_str).collect();
        assert_eq!(keys, ["aa-order-1", "mm-order-5", "zz-order-9"]);
        assert_eq!(map.get("mm-order-5"), Some(&1));
    }

    #[test]
    fn a_name_serializes_as_its_text_and_reads_back_as_the_same_name() {
        let name = Name::from("webinar");
        let json = serde_json::to_string(&name).expect("serializes");
        assert_eq!(json, "\"webinar\"");
        let back: Name = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, name);
        let escaped: Name = serde_json::from_str("\"a\\\"b\"").expect("deserializes");
        assert_eq!(escaped.as_str(), "a\"b");
        assert!(serde_json::from_str::<Name>("3").is_err());
    }

    #[test]
    fn names_interned_on_other_threads_are_the_same_names() {
        let here: Vec<Name> = (0..2_000)
            .map(|i| Name::from(format!("thread-name-{i}")))
            .collect();
        let there: Vec<Vec<Name>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..2_000)
                            .rev()
                            .map(|i| Name::from(format!("thread-name-{i}")))
                            .collect::<Vec<Name>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("no panic"))
                .collect()
        });
        for names in there {
            let names: Vec<Name> = names.into_iter().rev().collect();
            assert_eq!(names, here);
        }
        assert_eq!(here[1_999].as_str(), "thread-name-1999");
    }
}
