//! Why a lead was recycled, removed or enrolled: the engine's own reasons, typed, and
//! the reasons a rep, the policy or a hook names.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The reason a `transition` into `recycled` or `removed` carries, and the reason of a
/// `nurture_assigned`.
///
/// The engine's own reasons are variants; a reason a rep gives (`bad_timing`), a
/// `contact_lost` cause (`bounced`) or a hook's removal reason is [`Reason::Named`].
/// On the wire every reason is its plain name, so the JSON is the same string it has
/// always been:
///
/// ```
/// use leadcycle::Reason;
/// let idle: Reason = serde_json::from_str(r#""sla_idle""#).unwrap();
/// assert_eq!(idle, Reason::SlaIdle);
/// assert_eq!(serde_json::to_string(&Reason::named("bad_timing")).unwrap(), r#""bad_timing""#);
/// ```
///
/// Reading a name back gives the engine's variant when the name is one of the
/// engine's own (a policy reason spelled `completed` reads back as
/// [`Reason::Completed`]): name policy reasons apart from the engine's.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// `sla_idle`: the lead sat in its stage past the idle limit (passive recycling).
    SlaIdle,
    /// `completed`: the lead's program completed and it moves on to the next.
    Completed,
    /// `opportunity_won`: a new customer enters the customer program.
    OpportunityWon,
    /// `branch`: content the lead consumed moved it along one of its program's branches.
    Branch,
    /// `unsubscribed`: the lead asked not to be emailed, so it is removed.
    Unsubscribed,
    /// `merged`: the lead was a duplicate, merged into its survivor.
    Merged,
    /// A reason named outside the engine: a rep's recycle or removal reason, a
    /// `contact_lost` cause, or a `disposition` hook's removal reason.
    Named(String),
}

impl Reason {
    /// The engine's own reasons, in the order of the enum.
    pub const OWN: &'static [Reason] = &[
        Reason::SlaIdle,
        Reason::Completed,
        Reason::OpportunityWon,
        Reason::Branch,
        Reason::Unsubscribed,
        Reason::Merged,
    ];

    /// The reason called `name`: the engine's own when the name is one of its, else
    /// [`Reason::Named`].
    pub fn named(name: impl Into<String>) -> Self {
        let name = name.into();
        Reason::OWN
            .iter()
            .find(|own| own.as_str() == name)
            .cloned()
            .unwrap_or(Reason::Named(name))
    }

    /// The reason's name on the wire (`"sla_idle"`, `"bad_timing"`).
    pub fn as_str(&self) -> &str {
        match self {
            Reason::SlaIdle => "sla_idle",
            Reason::Completed => "completed",
            Reason::OpportunityWon => "opportunity_won",
            Reason::Branch => "branch",
            Reason::Unsubscribed => "unsubscribed",
            Reason::Merged => "merged",
            Reason::Named(name) => name,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Reason {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Reason::named)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_own_reason_reads_back_as_itself_and_other_names_stay_named() {
        for own in Reason::OWN {
            assert_eq!(&Reason::named(own.as_str()), own);
        }
        assert_eq!(
            Reason::named("no_budget"),
            Reason::Named("no_budget".into())
        );
    }
}
