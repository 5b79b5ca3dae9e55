//! Identifiers. They are plain strings on the wire; the newtypes keep a lead id from
//! being passed where a rep id is expected.

use crate::inline_str::InlineStr;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &*self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&*self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &*self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(<$inner>::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(<$inner>::from(s))
            }
        }
    };
}

string_id!(
    /// The host's id of a lead (`"L1"`). Inline up to 24 bytes (an [`InlineStr`]): a
    /// lead, its deadline in the book's queue and each effect hold a copy, and comparing
    /// the lead's own id on a lookup then reads no other heap block.
    LeadId(InlineStr)
);
string_id!(
    /// The host's id of an event, used to refuse a redelivered event (`"e-42"`).
    EventId(String)
);
string_id!(
    /// The id of a sales rep (`"R7"`).
    RepId(String)
);
