//! Engagement points per engagement group.

use crate::name::Name;
use crate::name_map::NameMap;
use serde::{Deserialize, Serialize};
use std::ops::Index;

/// A lead's engagement points per engagement group at its score's time, only for the
/// groups it touched, in group order ([`ScoreState::groups`]).
///
/// A sorted block of (group, points), one entry per group, the groups interned: a
/// lead in one group holds 16 bytes of heap where the `BTreeMap<Name, f64>` this
/// replaced took a whole node. Its serde form is the JSON object `{"group": points,
/// ...}` in group order, as before.
///
/// [`ScoreState::groups`]: crate::scoring::ScoreState::groups
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupPoints(NameMap<f64>);

impl GroupPoints {
    /// The points of `group`; `None` for a group the lead never touched.
    pub fn get(&self, group: &str) -> Option<f64> {
        self.0.get(group).copied()
    }

    /// Each group with its points, in group (string) order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, f64)> + '_ {
        self.0.iter().map(|(group, points)| (group, *points))
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the lead touched no group.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries as stored, the groups interned.
    pub(crate) fn entries(&self) -> &[(Name, f64)] {
        self.0.entries()
    }

    /// The points of `group`, inserting 0 first when it has none.
    pub(crate) fn points_mut(&mut self, group: Name) -> &mut f64 {
        self.0.get_or_insert_name(group, 0.0)
    }

    /// The points of `group`, if it has any.
    pub(crate) fn get_mut(&mut self, group: &str) -> Option<&mut f64> {
        self.0.get_mut(group)
    }

    /// Every group's points.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut f64> {
        self.0.values_mut()
    }
}

/// `groups["email"]`, as on the `BTreeMap` this replaced.
impl Index<&str> for GroupPoints {
    type Output = f64;

    /// # Panics
    ///
    /// When the lead never touched `group` (use [`GroupPoints::get`]).
    fn index(&self, group: &str) -> &f64 {
        self.0
            .get(group)
            .unwrap_or_else(|| panic!("no points in group {group:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn points_add_up_per_group_and_iterate_in_group_order() {
        let mut groups = GroupPoints::default();
        assert!(groups.is_empty());
        *groups.points_mut(Name::from("web")) += 5.0;
        *groups.points_mut(Name::from("email")) += 2.0;
        *groups.points_mut(Name::from("web")) += 1.5;
        for points in groups.values_mut() {
            *points *= 2.0;
        }
        assert_eq!(groups.get("web"), Some(13.0));
        assert_eq!(groups["email"], 4.0);
        assert_eq!(groups.get("events"), None);
        assert!(groups.get_mut("events").is_none());
        assert_eq!(
            groups.iter().collect::<Vec<_>>(),
            [("email", 4.0), ("web", 13.0)]
        );
        assert_eq!(groups.len(), 2);
    }

    #[test]
    fn it_reads_and_writes_the_json_of_the_btree_map_it_replaced() {
        let json = r#"{"web":2.5,"email":1.0,"web":3.0}"#;
        let before: BTreeMap<String, f64> = serde_json::from_str(json).unwrap();
        let after: GroupPoints = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&after).unwrap(),
            serde_json::to_string(&before).unwrap()
        );
        assert_eq!(format!("{after:?}"), format!("GroupPoints({before:?})"));
        for bad in [r#"[1]"#, r#"{"a":"b"}"#, "null"] {
            let before = serde_json::from_str::<BTreeMap<String, f64>>(bad).unwrap_err();
            let after = serde_json::from_str::<GroupPoints>(bad).unwrap_err();
            assert_eq!(after.to_string(), before.to_string(), "{bad}");
        }
    }
}
