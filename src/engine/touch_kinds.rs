//! The policy's facts about each touch kind, compiled once into one table.

use crate::name::Name;
use crate::policy::ScoringPolicy;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Everything the engine needs to know about a touch kind, looked up once per touch.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TouchKind {
    /// The kind's name, copied into every ledger entry it causes.
    pub name: Name,
    /// Engagement points per touch (`scoring.engagement`); 0 when not listed.
    pub points: f64,
    /// The engagement group the kind counts toward, with the group's cap.
    pub group: Option<(Name, f64)>,
    /// Whether a touch of this kind qualifies a lead at once (`scoring.hand_raisers`).
    pub hand_raiser: bool,
}

/// Touch kind -> its facts, for every kind the scoring policy names anywhere. A kind
/// the policy never names is counted and scores 0.
///
/// Looked up on every touch, so it hashes with FNV-1a: touch kinds are short, and the
/// table is never iterated, so neither SipHash's flood resistance nor a map's order
/// buys anything here (a `BTreeMap` costs a string compare per level).
#[derive(Clone, Debug, Default)]
pub(crate) struct TouchKinds {
    kinds: HashMap<Box<str>, TouchKind, BuildHasherDefault<Fnv1a>>,
}

/// The 64-bit FNV-1a hash: a few instructions per byte, deterministic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl TouchKinds {
    pub fn compile(scoring: &ScoringPolicy) -> Self {
        let mut table = TouchKinds::default();
        for (kind, &points) in &scoring.engagement {
            table.entry(kind).points = points;
        }
        for (group, g) in &scoring.groups {
            let group = Name::from(group.as_str());
            for kind in &g.kinds {
                table.entry(kind).group = Some((group, g.cap));
            }
        }
        for kind in &scoring.hand_raisers {
            table.entry(kind).hand_raiser = true;
        }
        table
    }

    fn entry(&mut self, kind: &str) -> &mut TouchKind {
        self.kinds.entry(kind.into()).or_insert_with(|| TouchKind {
            name: Name::from(kind),
            points: 0.0,
            group: None,
            hand_raiser: false,
        })
    }

    /// The facts about `kind`, if the policy names it.
    pub fn get(&self, kind: &str) -> Option<&TouchKind> {
        self.kinds.get(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::EngagementGroup;

    #[test]
    fn one_entry_gathers_points_group_and_hand_raising() {
        let mut scoring = ScoringPolicy::default();
        scoring.groups.insert(
            "web".into(),
            EngagementGroup {
                kinds: vec!["pricing_page_view".into(), "contact_sales".into()],
                cap: 30.0,
            },
        );
        let kinds = TouchKinds::compile(&scoring);
        let pricing = kinds.get("pricing_page_view").unwrap();
        assert_eq!(pricing.points, 10.0);
        assert_eq!(pricing.group, Some((Name::from("web"), 30.0)));
        assert!(!pricing.hand_raiser);
        // A hand-raiser with no points of its own is still in the table.
        let contact = kinds.get("contact_sales").unwrap();
        assert_eq!(contact.points, 0.0);
        assert!(contact.hand_raiser);
        assert!(kinds.get("unknown_kind").is_none());
    }
}
