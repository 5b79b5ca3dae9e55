//! The ids of the events recently applied to a lead: exactly-once delivery in bounded
//! memory.

use crate::id::EventId;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The ids of the events applied to a lead within the policy's `dedupe_window_days`
/// before its clock, oldest first.
///
/// An event whose id is here is a redelivery (`duplicate_event`). An id is forgotten
/// once the lead's clock passes its event's time by more than the window; by then a
/// redelivery of that event is older than the lead's clock and is refused as
/// `out_of_order`, so no event is ever applied twice, while a lead's memory stays
/// bounded by the events of one window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppliedIds {
    // A lead's events are applied in time order, so this is sorted by time and the
    // ids to forget are always at the front. A window holds a handful of ids: a linear
    // search beats any map on them.
    entries: VecDeque<AppliedId>,
}

/// One applied event id and the time of its event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedId {
    /// The event's id.
    pub id: EventId,
    /// The event's time.
    pub at: DateTime<Utc>,
}

impl AppliedIds {
    /// Whether an event with this id is remembered.
    pub fn contains(&self, id: &EventId) -> bool {
        self.entries.iter().any(|e| e.id == *id)
    }

    /// Whether an event with this id was applied at or after `since`.
    pub fn contains_since(&self, id: &EventId, since: DateTime<Utc>) -> bool {
        self.entries.iter().any(|e| e.id == *id && e.at >= since)
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The remembered ids, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &AppliedId> {
        self.entries.iter()
    }

    /// Remembers the id of an event applied at `at` (no earlier than any remembered).
    pub(crate) fn record(&mut self, id: &EventId, at: DateTime<Utc>) {
        let entry = AppliedId { id: id.clone(), at };
        match self.entries.back() {
            Some(last) if last.at > at => self.insert_sorted(entry),
            _ => self.entries.push_back(entry),
        }
    }

    /// Forgets the ids of events older than `window` before `clock`.
    pub(crate) fn forget_before(&mut self, clock: DateTime<Utc>, window: TimeDelta) {
        // Most events carry no id: skip the time arithmetic when there is nothing to
        // forget.
        if self.entries.is_empty() {
            return;
        }
        let Some(cutoff) = clock.checked_sub_signed(window) else {
            return;
        };
        while self.entries.front().is_some_and(|e| e.at < cutoff) {
            self.entries.pop_front();
        }
    }

    /// Takes in another lead's ids (a merged duplicate's), keeping time order.
    pub(crate) fn absorb(&mut self, other: &AppliedIds) {
        for entry in &other.entries {
            if !self.contains(&entry.id) {
                self.insert_sorted(entry.clone());
            }
        }
    }

    fn insert_sorted(&mut self, entry: AppliedId) {
        let at = self.entries.partition_point(|e| e.at <= entry.at);
        self.entries.insert(at, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(day)
    }

    fn id(s: &str) -> EventId {
        EventId(s.to_owned())
    }

    #[test]
    fn ids_older_than_the_window_before_the_clock_are_forgotten_and_the_edge_is_kept() {
        let mut ids = AppliedIds::default();
        ids.record(&id("a"), t(0));
        ids.record(&id("b"), t(3));
        ids.record(&id("c"), t(10));
        ids.forget_before(t(10), TimeDelta::days(7));
        assert!(!ids.contains(&id("a")));
        assert!(ids.contains(&id("b")), "exactly at the window's edge: kept");
        assert!(ids.contains(&id("c")));
    }

    #[test]
    fn absorbing_keeps_time_order_so_the_oldest_are_forgotten_first() {
        let mut a = AppliedIds::default();
        a.record(&id("a1"), t(1));
        a.record(&id("a5"), t(5));
        let mut b = AppliedIds::default();
        b.record(&id("b0"), t(0));
        b.record(&id("b3"), t(3));
        b.record(&id("a5"), t(5));
        a.absorb(&b);
        let order: Vec<&str> = a.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(order, ["b0", "a1", "b3", "a5"]);
        a.forget_before(t(9), TimeDelta::days(7));
        let order: Vec<&str> = a.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(order, ["b3", "a5"]);
    }
}
