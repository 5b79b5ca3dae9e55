//! Short host strings stored inline: lead ids and profile text.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// A short string from the host's data — a lead id, a profile value — stored inline up
/// to 24 bytes, so copying one costs a 24-byte copy: no allocation, no reference
/// count. Unlike a [`Name`](crate::Name) it is not interned: these strings are as many
/// as the host's leads, and a process-wide table of them would only grow. It reads as a
/// `&str` and serializes as a string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InlineStr(CompactString);

impl InlineStr {
    /// The string as a slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for InlineStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for InlineStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for InlineStr {
    fn from(s: &str) -> Self {
        InlineStr(CompactString::from(s))
    }
}

impl From<String> for InlineStr {
    fn from(s: String) -> Self {
        InlineStr(CompactString::from(s))
    }
}

impl PartialEq<str> for InlineStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for InlineStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
