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
/// Kept compactly and exactly, in one heap block: per id, its length, its bytes, a
/// 32-bit hash and its event's time. A lookup compares hashes first and then the
/// bytes, so two ids that share a hash are still told apart. Its serde form is the
/// list of [`AppliedId`]s, oldest first.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AppliedIds {
    // A lead's events are applied in time order, so the records are sorted by time and
    // the ids to forget are always at the front. A window holds a handful of ids: a
    // linear scan beats any map on them. Each record is `[len: u32][id][hash: u32]
    // [seconds: i64][nanoseconds: u32]`, little-endian, so the newest time is the
    // block's last 12 bytes. One block instead of a vector of entries and a string:
    // one allocation per lead, and 32 bytes in the lead's record instead of 56
    // (docs/performance.md, issue 11).
    bytes: Vec<u8>,
    /// One bit per remembered id's hash (its top 6 bits): an id whose bit is clear was
    /// never applied, and most ids of a stream are new, so most lookups end here,
    /// in the lead's record, without reading the block (the replay's profile put
    /// 11% of its time in the scan; docs/performance.md, issue 11). Rebuilt from the
    /// records when ids are forgotten, so equal windows always have equal bits.
    maybe: u64,
}

/// The bytes of a record after its id: the hash, the seconds and the nanoseconds.
const TAIL: usize = 16;

/// One record, read from the block.
struct Record<'a> {
    /// Where the record starts in the block.
    start: usize,
    id: &'a [u8],
    hash: u32,
    /// The event's time as written: seconds and nanoseconds since the epoch, which
    /// order as the times do (a leap second's nanoseconds run past 10^9), so the
    /// scans compare them without building a `DateTime`.
    at: (i64, u32),
}

impl Record<'_> {
    fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.at.0, self.at.1)
            .expect("the block holds only times it was given")
    }
}

/// A time as the block writes it.
fn key(at: DateTime<Utc>) -> (i64, u32) {
    (at.timestamp(), at.timestamp_subsec_nanos())
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// The key of `clock - window`: the oldest time an id the window keeps may have.
///
/// The same as `key(clock.checked_sub_signed(window)?)`, computed on the key instead of
/// through chrono's calendar (about 100 instructions, twice per event: 5.6% of the
/// replay's step; docs/performance.md, "Lines in batches, and the index's hash"). A
/// time outside a leap second is seconds and nanoseconds since the epoch, and so is
/// the difference. A clock in a leap second takes chrono's path, whose arithmetic
/// around leap seconds this does not repeat. Where chrono's result would fall before
/// the earliest `DateTime`, this gives a key below every time a block holds, which
/// keeps every id, as `None` did.
fn cutoff(clock: DateTime<Utc>, window: TimeDelta) -> (i64, u32) {
    debug_assert!(
        window >= TimeDelta::zero(),
        "a policy's window is 0 or more days"
    );
    let (seconds, nanoseconds) = key(clock);
    let nanoseconds = i64::from(nanoseconds);
    if nanoseconds >= NANOS_PER_SECOND {
        return clock.checked_sub_signed(window).map_or((i64::MIN, 0), key);
    }
    // The window's nanoseconds are in [0, 10^9), so the difference is at most a second
    // below that range.
    let mut part = nanoseconds - i64::from(window.subsec_nanos());
    let mut whole = seconds.checked_sub(window.num_seconds());
    if part < 0 {
        part += NANOS_PER_SECOND;
        whole = whole.and_then(|w| w.checked_sub(1));
    }
    match whole {
        Some(whole) => (
            whole,
            u32::try_from(part).expect("nanoseconds within [0, 10^9)"),
        ),
        None => (i64::MIN, 0),
    }
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

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

/// The time written at `at` by `append`.
fn key_at(bytes: &[u8], at: usize) -> (i64, u32) {
    let seconds = i64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    (seconds, u32_at(bytes, at + 8))
}

/// Appends one record to the block, in place (no allocation once it has room).
fn append(block: &mut Vec<u8>, id: &str, hash: u32, at: DateTime<Utc>) {
    let len = u32::try_from(id.len()).expect("an event id shorter than 4 GiB");
    // Room for the whole record at once: five `extend`s into an empty block would
    // otherwise allocate three times (8, 16 and 32 bytes) for one record.
    block.reserve(4 + id.len() + TAIL);
    block.extend_from_slice(&len.to_le_bytes());
    block.extend_from_slice(id.as_bytes());
    block.extend_from_slice(&hash.to_le_bytes());
    let (seconds, nanoseconds) = key(at);
    block.extend_from_slice(&seconds.to_le_bytes());
    block.extend_from_slice(&nanoseconds.to_le_bytes());
}

impl AppliedIds {
    /// Every record, oldest first.
    fn records(&self) -> impl Iterator<Item = Record<'_>> {
        let bytes = &self.bytes[..];
        let mut next = 0;
        std::iter::from_fn(move || {
            let start = next;
            if start >= bytes.len() {
                return None;
            }
            let id_start = start + 4;
            let tail = id_start + u32_at(bytes, start) as usize;
            next = tail + TAIL;
            Some(Record {
                start,
                id: &bytes[id_start..tail],
                hash: u32_at(bytes, tail),
                at: key_at(bytes, tail + 4),
            })
        })
    }

    /// Whether `id` is remembered at or after the time `since` gives, which is asked
    /// only when the filter cannot rule the id out (most ids it sees are new).
    fn find(&self, id: &str, since: impl FnOnce() -> Option<(i64, u32)>) -> bool {
        let h = hash(id);
        if self.maybe & bit(h) == 0 {
            return false;
        }
        let since = since();
        self.records()
            .any(|r| r.hash == h && r.id == id.as_bytes() && since.is_none_or(|t| r.at >= t))
    }

    /// Whether an event with this id is remembered.
    pub fn contains(&self, id: &EventId) -> bool {
        self.find(id.as_str(), || None)
    }

    /// Whether an event with this id was applied at or after `since`.
    pub fn contains_since(&self, id: &EventId, since: DateTime<Utc>) -> bool {
        self.find(id.as_str(), || Some(key(since)))
    }

    /// Whether an event with this id was applied within `window` before `clock`: as
    /// [`AppliedIds::contains_since`] from `clock - window` (from the earliest time
    /// when that is out of range), without the time arithmetic for an id the filter
    /// rules out.
    pub(crate) fn contains_within(
        &self,
        id: &EventId,
        clock: DateTime<Utc>,
        window: TimeDelta,
    ) -> bool {
        self.find(id.as_str(), || Some(cutoff(clock, window)))
    }

    /// Reads a byte of each cache line of the block and its last byte, as the step's
    /// scan, pruning and appending will (see [`LeadBook::warm`](crate::LeadBook::warm)).
    pub(crate) fn warm(&self) -> u64 {
        self.bytes
            .iter()
            .step_by(64)
            .chain(self.bytes.last())
            .fold(self.maybe, |all, &byte| all ^ u64::from(byte))
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.records().count()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The remembered ids, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = AppliedId> + '_ {
        self.records().map(|r| AppliedId {
            id: EventId(String::from_utf8(r.id.to_vec()).expect("the block holds only whole strs")),
            at: r.time(),
        })
    }

    /// The newest remembered time: the block's last 12 bytes.
    fn newest(&self) -> Option<(i64, u32)> {
        let end = self.bytes.len().checked_sub(12)?;
        Some(key_at(&self.bytes, end))
    }

    /// Remembers the id of an event applied at `at` to a lead whose clock is `clock`.
    /// Every remembered time is at or before the clock, so an event at or after it goes
    /// last without reading the block: the usual case, where the record costs a write
    /// at the block's end and nothing else.
    pub(crate) fn record(&mut self, id: &EventId, at: DateTime<Utc>, clock: DateTime<Utc>) {
        if at >= clock {
            debug_assert!(
                self.newest().is_none_or(|newest| newest <= key(at)),
                "a remembered id is newer than the lead's clock"
            );
            self.push(id.as_str(), at);
        } else {
            self.insert_sorted(id.as_str(), at);
        }
    }

    /// Appends an id, last in time order.
    fn push(&mut self, id: &str, at: DateTime<Utc>) {
        let hash = hash(id);
        append(&mut self.bytes, id, hash, at);
        self.maybe |= bit(hash);
    }

    /// Forgets the ids of events older than `window` before `clock`.
    pub(crate) fn forget_before(&mut self, clock: DateTime<Utc>, window: TimeDelta) {
        // Most events carry no id: skip the time arithmetic when there is nothing to
        // forget.
        if self.bytes.is_empty() {
            return;
        }
        let cutoff = cutoff(clock, window);
        let Some(kept) = self.records().find(|r| r.at >= cutoff).map(|r| r.start) else {
            // Give the memory back: a lead that stops getting events keeps nothing.
            *self = AppliedIds::default();
            return;
        };
        if kept == 0 {
            return;
        }
        self.bytes.drain(..kept);
        self.maybe = self.records().fold(0, |bits, r| bits | bit(r.hash));
    }

    /// Takes in another lead's ids (a merged duplicate's), keeping time order.
    pub(crate) fn absorb(&mut self, other: &AppliedIds) {
        for r in other.records() {
            let id = std::str::from_utf8(r.id).expect("the block holds only whole strs");
            if !self.find(id, || None) {
                self.insert_sorted(id, r.time());
            }
        }
    }

    fn insert_sorted(&mut self, id: &str, at: DateTime<Utc>) {
        let at_key = key(at);
        let offset = self
            .records()
            .find(|r| r.at > at_key)
            .map_or(self.bytes.len(), |r| r.start);
        let hash = hash(id);
        let end = self.bytes.len();
        append(&mut self.bytes, id, hash, at);
        // The new record is last: turn the records after `offset` behind it.
        let record = self.bytes.len() - end;
        self.bytes[offset..].rotate_right(record);
        self.maybe |= bit(hash);
    }
}

/// Lists the ids and their times, as the serde form does.
impl std::fmt::Debug for AppliedIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
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

    /// Records as the engine does: the lead's clock is the latest time it has seen.
    fn remember(ids: &mut AppliedIds, s: &str, at: DateTime<Utc>) {
        let clock = ids.iter().map(|a| a.at).max().map_or(at, |n| n.max(at));
        ids.record(&id(s), at, clock);
    }

    #[test]
    fn ids_older_than_the_window_before_the_clock_are_forgotten_and_the_edge_is_kept() {
        let mut ids = AppliedIds::default();
        remember(&mut ids, "a", t(0));
        remember(&mut ids, "b", t(3));
        remember(&mut ids, "c", t(10));
        ids.forget_before(t(10), TimeDelta::days(7));
        assert!(!ids.contains(&id("a")));
        assert!(ids.contains(&id("b")), "exactly at the window's edge: kept");
        assert!(ids.contains(&id("c")));
    }

    #[test]
    fn absorbing_keeps_time_order_so_the_oldest_are_forgotten_first() {
        let mut a = AppliedIds::default();
        remember(&mut a, "a1", t(1));
        remember(&mut a, "a5", t(5));
        let mut b = AppliedIds::default();
        remember(&mut b, "b0", t(0));
        remember(&mut b, "b3", t(3));
        remember(&mut b, "a5", t(5));
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
        remember(&mut ids, &x, t(0));
        assert!(ids.contains(&id(&x)));
        assert!(
            !ids.contains(&id(&y)),
            "{y} shares {x}'s hash but was never applied"
        );
    }

    #[test]
    fn forgetting_ids_clears_their_filter_bits_so_equal_windows_compare_equal() {
        let mut old_and_new = AppliedIds::default();
        remember(&mut old_and_new, "old", t(0));
        remember(&mut old_and_new, "new", t(9));
        old_and_new.forget_before(t(9), TimeDelta::days(7));
        let mut new_only = AppliedIds::default();
        remember(&mut new_only, "new", t(9));
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
        remember(&mut ids, &first, t(0));
        assert!(ids.contains(&id(&first)));
        assert!(!ids.contains(&id(&second)));
    }

    #[test]
    fn forgetting_every_id_gives_the_memory_back() {
        let mut ids = AppliedIds::default();
        remember(&mut ids, "a", t(0));
        remember(&mut ids, "b", t(1));
        ids.forget_before(t(30), TimeDelta::days(7));
        assert!(ids.is_empty());
        assert_eq!(ids.bytes.capacity(), 0);
    }

    #[test]
    fn the_serde_form_is_the_list_of_ids_and_times_and_reads_back() {
        let mut ids = AppliedIds::default();
        remember(&mut ids, "e-1", t(0));
        remember(&mut ids, "e-22", t(2));
        remember(&mut ids, "e-3", t(1));
        let json = serde_json::to_string(&ids).expect("serializes");
        assert_eq!(
            json,
            r#"[{"id":"e-1","at":"1970-01-01T00:00:00Z"},{"id":"e-3","at":"1970-01-02T00:00:00Z"},{"id":"e-22","at":"1970-01-03T00:00:00Z"}]"#
        );
        let back: AppliedIds = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, ids);
        assert!(back.contains(&id("e-22")) && back.contains(&id("e-3")));
    }

    #[test]
    fn every_time_reads_back_exactly_from_the_block() {
        let times: Vec<DateTime<Utc>> = [
            "1969-12-31T23:59:59.5Z",
            "2016-12-31T23:59:60.25Z", // a leap second
            "2026-11-26T10:00:00.123456789Z",
            "9999-12-31T23:59:59.999999999Z",
        ]
        .iter()
        .map(|s| s.parse().expect("a valid time"))
        .collect();
        let mut ids = AppliedIds::default();
        for (n, &at) in times.iter().enumerate() {
            remember(&mut ids, &format!("e{n}"), at);
        }
        let back: Vec<DateTime<Utc>> = ids.iter().map(|a| a.at).collect();
        assert_eq!(back, times);
    }

    #[test]
    fn the_cutoff_is_chronos_time_minus_the_window_as_a_key() {
        let earliest = DateTime::<Utc>::MIN_UTC;
        let mut clocks: Vec<DateTime<Utc>> = [
            "1969-12-31T23:59:59.5Z",
            "1970-01-01T00:00:00Z",
            "2016-12-31T23:59:60.25Z", // a leap second: chrono's own path
            "2016-12-31T23:59:60Z",
            "2017-01-01T00:00:00.000000001Z",
            "2026-11-26T10:00:00.123456789Z",
            "9999-12-31T23:59:59.999999999Z",
            "-0001-03-01T00:00:00Z",
        ]
        .iter()
        .map(|s| s.parse().expect("a valid time"))
        .collect();
        clocks.extend([
            earliest,
            earliest + TimeDelta::days(3),
            DateTime::<Utc>::MAX_UTC,
        ]);
        // A sweep of days over 4,000 years, each plus 1 ns to ~1 s: one to ten digits of
        // nanoseconds.
        let mut nanos: i64 = 1;
        for n in 0..2_000_i64 {
            nanos = nanos * 7 % 1_000_000_007;
            clocks.push(t(n * 733 - 700_000) + TimeDelta::nanoseconds(nanos));
        }
        let windows = [
            TimeDelta::zero(),
            TimeDelta::nanoseconds(1),
            TimeDelta::milliseconds(1_500),
            TimeDelta::days(7),
            TimeDelta::milliseconds(648_000_123), // 7.5 days and 123 ms
            TimeDelta::days(36_500),
        ];
        for &clock in &clocks {
            for &window in &windows {
                let expected = clock.checked_sub_signed(window).map(key);
                let got = cutoff(clock, window);
                match expected {
                    Some(expected) => assert_eq!(got, expected, "{clock} - {window}"),
                    // Out of range: below every time a block can hold.
                    None => assert!(got < key(earliest), "{clock} - {window}: {got:?}"),
                }
            }
        }
    }

    #[test]
    fn an_id_older_than_the_newest_goes_in_its_place_after_its_equals() {
        let mut ids = AppliedIds::default();
        remember(&mut ids, "a", t(0));
        remember(&mut ids, "b", t(2));
        remember(&mut ids, "c", t(2));
        remember(&mut ids, "late", t(2));
        remember(&mut ids, "early", t(1));
        remember(&mut ids, "first", t(-1));
        let order: Vec<String> = ids.iter().map(|e| e.id.0).collect();
        assert_eq!(order, ["first", "a", "early", "b", "c", "late"]);
        assert_eq!(ids.len(), 6);
        assert!(order.iter().all(|s| ids.contains(&id(s))));
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
