//! The ids of the events recently applied to a lead: exactly-once delivery in bounded
//! memory.

use crate::id::EventId;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The ids of the events applied to a lead within the policy's `dedupe_window_days`
/// before its clock, oldest first.
///
/// An event whose id is here is a redelivery (`duplicate_event`). An id is forgotten
/// once the lead's clock passes its event's time by more than the window; by then a
/// redelivery of that event is older than the lead's clock and is refused as
/// `out_of_order`, so no event is ever applied twice, while a lead's memory stays
/// bounded by the events of one window.
///
/// Kept compactly and exactly: per id a fixed-size entry (its event's time, a 32-bit
/// hash and its length) and the id's bytes, all ids in one string. A lookup compares
/// hashes first and then the bytes, so two ids that share a hash are still told apart.
/// Its serde form is the list of [`AppliedId`]s, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppliedIds {
    // A lead's events are applied in time order, so this is sorted by time and the
    // ids to forget are always at the front. A window holds a handful of ids: a linear
    // search beats any map on them.
    entries: Vec<Entry>,
    /// The ids, concatenated in the order of `entries`: two allocations per lead
    /// instead of one per id, and no 24-byte `String` header per id.
    text: String,
    /// One bit per remembered id's hash (its top 6 bits): an id whose bit is clear was
    /// never applied, and most ids of a stream are new, so most lookups end here,
    /// in the lead's record, without reading the entries (the replay's profile put
    /// 11% of its time in the scan; docs/performance.md, issue 11). Rebuilt from the
    /// entries when ids are forgotten, so equal entries always have equal bits.
    maybe: u64,
}

/// One remembered id: where it ends is the sum of the lengths up to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    at: DateTime<Utc>,
    hash: u32,
    len: usize,
}

/// One applied event id and the time of its event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedId {
    /// The event's id.
    pub id: EventId,
    /// The event's time.
    pub at: DateTime<Utc>,
}

/// FNV-1a: fixed, so the same ids hash the same on every run and machine.
fn hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The filter bit of a hash: its top 6 bits, which FNV-1a's multiplications mix best.
fn bit(hash: u32) -> u64 {
    1 << (hash >> 26)
}

impl AppliedIds {
    /// Every entry with its id, oldest first.
    fn spans(&self) -> impl Iterator<Item = (&Entry, &str)> {
        let mut start = 0;
        self.entries.iter().map(move |e| {
            let id = &self.text[start..start + e.len];
            start += e.len;
            (e, id)
        })
    }

    fn find(&self, id: &str, since: Option<DateTime<Utc>>) -> bool {
        let h = hash(id);
        if self.maybe & bit(h) == 0 {
            return false;
        }
        self.spans()
            .any(|(e, s)| e.hash == h && s == id && since.is_none_or(|t| e.at >= t))
    }

    /// Whether an event with this id is remembered.
    pub fn contains(&self, id: &EventId) -> bool {
        self.find(id.as_str(), None)
    }

    /// Whether an event with this id was applied at or after `since`.
    pub fn contains_since(&self, id: &EventId, since: DateTime<Utc>) -> bool {
        self.find(id.as_str(), Some(since))
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
    pub fn iter(&self) -> impl Iterator<Item = AppliedId> + '_ {
        self.spans().map(|(e, id)| AppliedId {
            id: EventId(id.to_owned()),
            at: e.at,
        })
    }

    /// Remembers the id of an event applied at `at` (no earlier than any remembered).
    pub(crate) fn record(&mut self, id: &EventId, at: DateTime<Utc>) {
        match self.entries.last() {
            Some(last) if last.at > at => self.insert_sorted(id.as_str(), at),
            _ => self.push(id.as_str(), at),
        }
    }

    /// Appends an id, last in time order.
    fn push(&mut self, id: &str, at: DateTime<Utc>) {
        let hash = hash(id);
        self.entries.push(Entry {
            at,
            hash,
            len: id.len(),
        });
        self.text.push_str(id);
        self.maybe |= bit(hash);
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
        let old = self.entries.iter().take_while(|e| e.at < cutoff).count();
        if old == 0 {
            return;
        }
        if old == self.entries.len() {
            // Give the memory back: a lead that stops getting events keeps nothing.
            *self = AppliedIds::default();
            return;
        }
        let bytes: usize = self.entries[..old].iter().map(|e| e.len).sum();
        self.entries.drain(..old);
        self.text.drain(..bytes);
        self.maybe = self.entries.iter().fold(0, |bits, e| bits | bit(e.hash));
    }

    /// Takes in another lead's ids (a merged duplicate's), keeping time order.
    pub(crate) fn absorb(&mut self, other: &AppliedIds) {
        for (entry, id) in other.spans() {
            if !self.find(id, None) {
                self.insert_sorted(id, entry.at);
            }
        }
    }

    fn insert_sorted(&mut self, id: &str, at: DateTime<Utc>) {
        let index = self.entries.partition_point(|e| e.at <= at);
        let offset: usize = self.entries[..index].iter().map(|e| e.len).sum();
        self.text.insert_str(offset, id);
        let hash = hash(id);
        self.entries.insert(
            index,
            Entry {
                at,
                hash,
                len: id.len(),
            },
        );
        self.maybe |= bit(hash);
    }
}

/// The serde form of before the compact representation: a list of `{id, at}`.
impl Serialize for AppliedIds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for AppliedIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let list = Vec::<AppliedId>::deserialize(deserializer)?;
        let mut ids = AppliedIds::default();
        // In the order written, as the list itself was read before.
        for AppliedId { id, at } in list {
            ids.push(id.as_str(), at);
        }
        Ok(ids)
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
        let order: Vec<String> = a.iter().map(|e| e.id.0).collect();
        assert_eq!(order, ["b0", "a1", "b3", "a5"]);
        a.forget_before(t(9), TimeDelta::days(7));
        let order: Vec<String> = a.iter().map(|e| e.id.0).collect();
        assert_eq!(order, ["b3", "a5"]);
    }

    #[test]
    fn two_ids_with_the_same_hash_are_told_apart() {
        // FNV-1a 32-bit collisions, found by search: a lookup must compare the bytes.
        let (x, y) = collision();
        assert_eq!(hash(&x), hash(&y));
        let mut ids = AppliedIds::default();
        ids.record(&id(&x), t(0));
        assert!(ids.contains(&id(&x)));
        assert!(
            !ids.contains(&id(&y)),
            "{y} shares {x}'s hash but was never applied"
        );
    }

    #[test]
    fn forgetting_ids_clears_their_filter_bits_so_equal_windows_compare_equal() {
        let mut old_and_new = AppliedIds::default();
        old_and_new.record(&id("old"), t(0));
        old_and_new.record(&id("new"), t(9));
        old_and_new.forget_before(t(9), TimeDelta::days(7));
        let mut new_only = AppliedIds::default();
        new_only.record(&id("new"), t(9));
        assert_eq!(old_and_new, new_only);
        assert_eq!(old_and_new.maybe, bit(hash("new")));
        assert!(!old_and_new.contains(&id("old")));
    }

    #[test]
    fn an_id_whose_filter_bit_another_id_set_is_still_compared_exactly() {
        // Two ids with the same top 6 bits: the filter lets the second through to the
        // entries, which say no.
        let first = "e-0".to_owned();
        let second = (1..)
            .map(|n| format!("e-{n}"))
            .find(|s| bit(hash(s)) == bit(hash(&first)))
            .expect("64 buckets fill quickly");
        let mut ids = AppliedIds::default();
        ids.record(&id(&first), t(0));
        assert!(ids.contains(&id(&first)));
        assert!(!ids.contains(&id(&second)));
    }

    #[test]
    fn forgetting_every_id_gives_the_memory_back() {
        let mut ids = AppliedIds::default();
        ids.record(&id("a"), t(0));
        ids.record(&id("b"), t(1));
        ids.forget_before(t(30), TimeDelta::days(7));
        assert!(ids.is_empty());
        assert_eq!(ids.entries.capacity(), 0);
        assert_eq!(ids.text.capacity(), 0);
    }

    #[test]
    fn the_serde_form_is_the_list_of_ids_and_times_and_reads_back() {
        let mut ids = AppliedIds::default();
        ids.record(&id("e-1"), t(0));
        ids.record(&id("e-22"), t(2));
        ids.record(&id("e-3"), t(1));
        let json = serde_json::to_string(&ids).expect("serializes");
        assert_eq!(
            json,
            r#"[{"id":"e-1","at":"1970-01-01T00:00:00Z"},{"id":"e-3","at":"1970-01-02T00:00:00Z"},{"id":"e-22","at":"1970-01-03T00:00:00Z"}]"#
        );
        let back: AppliedIds = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, ids);
        assert!(back.contains(&id("e-22")) && back.contains(&id("e-3")));
    }

    /// Two different short ids with the same FNV-1a hash (a birthday search over
    /// `c0`, `c1`, ...: found within about 100,000 tries).
    fn collision() -> (String, String) {
        let mut seen = std::collections::HashMap::new();
        for n in 0u32.. {
            let s = format!("c{n}");
            if let Some(other) = seen.insert(hash(&s), s.clone()) {
                return (other, s);
            }
        }
        unreachable!("32-bit hashes collide within 2^32 + 1 ids")
    }
}
