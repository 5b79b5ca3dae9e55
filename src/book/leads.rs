//! Where a book keeps its leads: found by id in O(1), iterated in the order they
//! entered the book, never in hash-map order.

use super::chunked::Chunked;
use crate::id::LeadId;
use crate::lead::Lead;
use std::borrow::Borrow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::iter::{Flatten, FusedIterator};
use std::slice;

/// The leads of a book, by id, in the order they entered it.
///
/// Leads sit in entry order in a vector of fixed-size chunks ([`Chunked`]: a large book
/// holds less than a chunk of empty room, where a doubling `Vec` held up to as much as
/// it had leads); a hash map finds a lead's slot by id. Taking
/// a lead out leaves a hole, so no other lead moves and the order stays; holes are
/// closed, in order, once they outnumber the leads.
///
/// The map is keyed by a 64-bit hash of the id, not by the id: a lookup then reads
/// the table and the lead, not also the id's own heap string (a profile of the replay
/// put a fifth of its time in `memcmp`, mostly cache misses on such strings), and a
/// lead costs 16 bytes of index instead of 32 plus a copy of its id. The lead's own id
/// is compared, so a lookup stays exact; an id whose hash another held id already has
/// goes to `collided`, keyed by the id itself.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeadSlots {
    slots: Chunked<Option<Lead>>,
    index: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    collided: HashMap<LeadId, usize>,
    holes: usize,
}

/// aHash with fixed seeds. The index is never written out and its order is never
/// read, so the hash need not be the same across builds or machines; a lookup compares
/// the lead's own id, so it need not be collision-free either. It must be fast: every
/// event hashes its lead's id, and aHash spares ~180 of the ~210 instructions SipHash
/// took a line on the replay's ids (docs/performance.md, "Lines in batches, and the
/// index's hash"). Ids that share a hash go to `collided`, a map with random keys, so
/// crafted ids cannot make lookups slower than a `HashMap`'s.
fn hash_of(id: &str) -> u64 {
    const SEEDS: [u64; 4] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    ahash::RandomState::with_seeds(SEEDS[0], SEEDS[1], SEEDS[2], SEEDS[3]).hash_one(id)
}

/// The index's keys are hashes already: hashing them again would only cost time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; fold anything else in, to stay correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl LeadSlots {
    /// The leads in this order; a lead listed twice keeps the place of its first entry
    /// and the value of its last.
    pub(crate) fn from_leads(leads: impl IntoIterator<Item = Lead>) -> Self {
        let mut slots = LeadSlots::default();
        for lead in leads {
            match slots.slot_of(lead.id().as_str()) {
                Some(i) => {
                    if let Some(slot) = slots.slots.get_mut(i) {
                        *slot = Some(lead);
                    }
                }
                None => slots.insert(lead.id().clone(), lead),
            }
        }
        slots
    }

    /// The slot of the lead with this id.
    fn slot_of(&self, id: &str) -> Option<usize> {
        match self.index.get(&hash_of(id)) {
            Some(&i) if self.id_at(i) == Some(id) => Some(i),
            // Another id has this hash (or none does): only `collided` can hold it.
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }

    fn id_at(&self, i: usize) -> Option<&str> {
        self.slots.get(i)?.as_ref().map(|lead| lead.id().as_str())
    }

    /// Adds a lead whose id the book does not hold, after every other lead.
    pub(crate) fn insert(&mut self, id: LeadId, lead: Lead) {
        debug_assert!(
            self.slot_of(id.as_str()).is_none(),
            "lead {id} is already held"
        );
        let i = self.slots.len();
        self.slots.push(Some(lead));
        self.index_at(id, i);
    }

    /// Records that the lead `id` is at slot `i`. Each id is indexed once (when it is
    /// inserted, or after `compact` cleared the index), so a hash the index already
    /// holds is another id's.
    fn index_at(&mut self, id: LeadId, i: usize) {
        match self.index.entry(hash_of(id.as_str())) {
            Entry::Vacant(free) => {
                free.insert(i);
            }
            Entry::Occupied(_) => {
                self.collided.insert(id, i);
            }
        }
    }

    /// Forgets where the lead `id` is (its slot still holds it).
    fn unindex(&mut self, id: &str) {
        if self.collided.remove(id).is_some() {
            return;
        }
        let h = hash_of(id);
        self.index.remove(&h);
        // A lead that collided with this one takes over the hash.
        let heir = self
            .collided
            .iter()
            .find(|(other, _)| hash_of(other.as_str()) == h)
            .map(|(other, &i)| (other.clone(), i));
        if let Some((other, i)) = heir {
            self.collided.remove(other.as_str());
            self.index.insert(h, i);
        }
    }

    pub(crate) fn contains_key<Q>(&self, id: &Q) -> bool
    where
        Q: Borrow<str> + ?Sized,
    {
        self.slot_of(id.borrow()).is_some()
    }

    pub(crate) fn get<Q>(&self, id: &Q) -> Option<&Lead>
    where
        Q: Borrow<str> + ?Sized,
    {
        let i = self.slot_of(id.borrow())?;
        self.slots.get(i)?.as_ref()
    }

    pub(crate) fn get_mut<Q>(&mut self, id: &Q) -> Option<&mut Lead>
    where
        Q: Borrow<str> + ?Sized,
    {
        let i = self.slot_of(id.borrow())?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// Two different leads at once (a merge's duplicate and survivor).
    pub(crate) fn get_disjoint_mut(&mut self, ids: [&LeadId; 2]) -> [Option<&mut Lead>; 2] {
        match ids.map(|id| self.slot_of(id.as_str())) {
            [Some(a), Some(b)] => match self.slots.get_disjoint_mut(a, b) {
                Some([a, b]) => [a.as_mut(), b.as_mut()],
                // Two ids never share a slot; the book asks only for two different ids.
                None => [None, None],
            },
            [Some(a), None] => [self.slots.get_mut(a).and_then(Option::as_mut), None],
            [None, Some(b)] => [None, self.slots.get_mut(b).and_then(Option::as_mut)],
            [None, None] => [None, None],
        }
    }

    /// Takes the lead out; the others keep their order.
    pub(crate) fn remove<Q>(&mut self, id: &Q) -> Option<Lead>
    where
        Q: Borrow<str> + ?Sized,
    {
        let id = id.borrow();
        let i = self.slot_of(id)?;
        self.unindex(id);
        let lead = self.slots.get_mut(i)?.take();
        self.holes += 1;
        if self.holes > self.len() {
            self.compact();
        }
        lead
    }

    /// Takes out every lead `drop` picks, and gives their memory back.
    pub(crate) fn remove_where(&mut self, mut drop: impl FnMut(&Lead) -> bool) -> usize {
        let picked: Vec<usize> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.as_ref().is_some_and(&mut drop))
            .map(|(i, _)| i)
            .collect();
        for &i in &picked {
            if let Some(id) = self.id_at(i).map(str::to_owned) {
                self.unindex(&id);
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = None;
                }
            }
        }
        // Compacting closes every hole, these and any earlier ones.
        self.compact();
        picked.len()
    }

    /// Closes the holes, keeping the leads' order, and gives spare capacity back.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.index.clear();
        self.collided.clear();
        let ids: Vec<LeadId> = self
            .slots
            .iter()
            .flatten()
            .map(|l| l.id().clone())
            .collect();
        for (i, id) in ids.into_iter().enumerate() {
            self.index_at(id, i);
        }
        self.holes = 0;
        self.index.shrink_to_fit();
        self.collided.shrink_to_fit();
    }

    /// The leads held: the slots less the holes (every held lead is indexed once, in
    /// `index` or in `collided`, so this is also their total).
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.holes
    }

    pub(crate) fn values(&self) -> LeadIter<'_> {
        LeadIter {
            slots: self.slots.iter().flatten(),
            remaining: self.len(),
        }
    }
}

/// The leads of a [`LeadBook`](crate::LeadBook), in the order they entered it; see
/// [`LeadBook::iter`](crate::LeadBook::iter).
#[derive(Clone, Debug)]
pub struct LeadIter<'a> {
    slots: Flatten<Flatten<slice::Iter<'a, Vec<Option<Lead>>>>>,
    remaining: usize,
}

impl<'a> Iterator for LeadIter<'a> {
    type Item = &'a Lead;

    fn next(&mut self) -> Option<&'a Lead> {
        let lead = self.slots.next()?;
        self.remaining = self.remaining.saturating_sub(1);
        Some(lead)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl DoubleEndedIterator for LeadIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let lead = self.slots.next_back()?;
        self.remaining = self.remaining.saturating_sub(1);
        Some(lead)
    }
}

impl ExactSizeIterator for LeadIter<'_> {}

impl FusedIterator for LeadIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Event, Policy};

    fn lead(id: &str) -> Lead {
        let engine = Engine::new(Policy::default()).expect("the default policy is valid");
        let at = "2026-01-05T10:00:00Z".parse().expect("a valid time");
        engine
            .create(&Event::created(id, at, "webinar"))
            .expect("created")
            .0
    }

    #[test]
    fn an_id_whose_hash_another_id_holds_is_still_found_exactly() {
        let mut slots = LeadSlots::default();
        slots.insert("A".into(), lead("A"));
        // Pretend that B hashes like A: its hash's entry points at A's slot.
        slots.index.insert(hash_of("B"), 0);
        slots.insert("B".into(), lead("B"));
        assert_eq!(slots.collided.len(), 1, "B went to the collided map");
        assert_eq!(slots.get("A").map(|l| l.id().as_str()), Some("A"));
        assert_eq!(slots.get("B").map(|l| l.id().as_str()), Some("B"));
        assert!(slots.get("C").is_none());
        let removed = slots.remove("B").expect("B is held");
        assert_eq!(removed.id().as_str(), "B");
        assert!(slots.get("B").is_none());
        assert_eq!(slots.get("A").map(|l| l.id().as_str()), Some("A"));
    }

    #[test]
    fn holes_stay_open_until_they_outnumber_the_leads_so_a_removal_moves_no_other_lead() {
        let mut slots = LeadSlots::default();
        for i in 0..10 {
            let id = format!("L{i}");
            slots.insert(id.as_str().into(), lead(&id));
        }
        // Closing holes moves every lead after them: done at each removal, taking
        // leads out of a large book would cost the book's size each time.
        for (removed, id) in ["L1", "L3", "L5", "L7", "L8"].into_iter().enumerate() {
            assert!(slots.remove(id).is_some(), "{id} is held");
            assert_eq!(slots.holes, removed + 1, "a hole per removed lead");
            assert_eq!(slots.slots.len(), 10, "no lead moved");
        }
        // The sixth hole outnumbers the four leads left: every hole is closed, in order.
        assert!(slots.remove("L0").is_some());
        assert_eq!((slots.holes, slots.slots.len()), (0, 4));
        let order: Vec<&str> = slots.values().map(|l| l.id().as_str()).collect();
        assert_eq!(order, ["L2", "L4", "L6", "L9"]);
        assert_eq!(slots.get("L9").map(|l| l.id().as_str()), Some("L9"));
    }

    #[test]
    fn removing_a_lead_hands_its_hash_only_to_an_id_that_really_has_it() {
        let mut slots = LeadSlots::default();
        slots.insert("A".into(), lead("A"));
        // B's own hash is planted on A's slot, so B is kept apart in `collided`.
        slots.index.insert(hash_of("B"), 0);
        slots.insert("B".into(), lead("B"));
        slots.insert("C".into(), lead("C"));
        // B does not have A's hash: taking A out must leave B where it was, found.
        assert_eq!(slots.remove("A").map(|l| l.id().clone()), Some("A".into()));
        assert_eq!(slots.get("B").map(|l| l.id().as_str()), Some("B"));
        assert_eq!(slots.get("C").map(|l| l.id().as_str()), Some("C"));
        assert!(slots.get("A").is_none());
    }

    #[test]
    fn removing_and_compacting_keeps_every_other_lead_findable_in_order() {
        let ids: Vec<String> = (0..50).map(|i| format!("L{i}")).collect();
        let mut slots = LeadSlots::from_leads(ids.iter().map(|id| lead(id)));
        for id in ids.iter().step_by(2) {
            assert!(slots.remove(id.as_str()).is_some());
        }
        assert_eq!(slots.len(), 25);
        let order: Vec<&str> = slots.values().map(|l| l.id().as_str()).collect();
        let expected: Vec<&str> = ids.iter().skip(1).step_by(2).map(String::as_str).collect();
        assert_eq!(order, expected);
        for id in &expected {
            assert_eq!(slots.get(*id).map(|l| l.id().as_str()), Some(*id));
        }
        assert_eq!(slots.remove_where(|l| l.id().as_str() == "L1"), 1);
        assert!(slots.get("L1").is_none() && slots.get("L3").is_some());
    }

    #[test]
    fn holes_left_by_removals_are_closed_once_they_outnumber_the_leads() {
        // The memory of a book that takes leads out one by one stays within twice its
        // leads: never more holes than leads.
        let ids: Vec<String> = (0..50).map(|i| format!("L{i}")).collect();
        let mut slots = LeadSlots::from_leads(ids.iter().map(|id| lead(id)));
        for (removed, id) in ids.iter().take(49).enumerate() {
            assert!(slots.remove(id.as_str()).is_some());
            assert_eq!(slots.len(), 49 - removed);
            assert!(
                slots.slots.len() <= 2 * slots.len(),
                "{} slots for {} leads",
                slots.slots.len(),
                slots.len()
            );
        }
        assert_eq!(slots.get("L49").map(|l| l.id().as_str()), Some("L49"));
    }
}
