//! Where a book keeps its leads: found by id in O(1), iterated in the order they
//! entered the book, never in hash-map order.

use super::chunked::Chunked;
use crate::id::LeadId;
use crate::lead::Lead;
use hashbrown::HashTable;
use std::borrow::Borrow;
use std::iter::{Flatten, FusedIterator};
use std::slice;

/// The leads of a book, by id, in the order they entered it.
///
/// Leads sit in entry order in a vector of fixed-size chunks ([`Chunked`]: a large book
/// holds less than a chunk of empty room, where a doubling `Vec` held up to as much as
/// it had leads); a hash table finds a lead's slot by id. Taking
/// a lead out leaves a hole, so no other lead moves and the order stays; holes are
/// closed, in order, once they outnumber the leads.
///
/// The table holds only slot numbers (4 bytes each) and finds them by the hash of the
/// id, comparing the lead's own id, which the lookup reads anyway: a lead costs 4 bytes
/// of index (and a control byte) instead of a copy of its id, and a lookup reads the
/// table and the lead, not also an id's own heap string (a profile of the replay once
/// put a fifth of its time in `memcmp`, mostly cache misses on such strings). A
/// `HashMap<u64, usize>` keyed by the hash took 16 bytes a bucket: the book's own bytes
/// per idle lead at 1M leads were 36.9 with it and are 11.8 now (`benches/memory.rs`;
/// docs/performance.md, issue 11).
#[derive(Clone)]
pub(crate) struct LeadSlots {
    slots: Chunked<Option<Lead>>,
    /// The slot of every held lead, filed under the hash of its id.
    index: HashTable<u32>,
    hasher: IdHasher,
    holes: usize,
}

/// How the index hashes ids: aHash, which spares ~180 of the ~210 instructions SipHash
/// took a line on the replay's ids (docs/performance.md, "Lines in batches, and the
/// index's hash"), under keys drawn per book from the standard library's random
/// source, so that crafted ids cannot pile up in one place of the table. The index is
/// never written out and its order never read (a lookup compares the lead's own id),
/// so the keys change nothing a host sees.
#[derive(Clone)]
struct IdHasher(ahash::RandomState);

impl Default for IdHasher {
    fn default() -> Self {
        use std::hash::BuildHasher;
        let random = std::collections::hash_map::RandomState::new();
        let key = |n: u64| random.hash_one(n);
        IdHasher(ahash::RandomState::with_seeds(
            key(0),
            key(1),
            key(2),
            key(3),
        ))
    }
}

impl IdHasher {
    fn hash(&self, id: &str) -> u64 {
        self.0.hash_one(id)
    }

    /// The hash slot `i` is filed under: its lead's id's. Only held slots are filed,
    /// so the `0` of an empty one is never used.
    fn hash_in(&self, slots: &Chunked<Option<Lead>>, i: u32) -> u64 {
        id_in(slots, i).map_or(0, |id| self.hash(id))
    }
}

impl Default for LeadSlots {
    fn default() -> Self {
        LeadSlots {
            slots: Chunked::default(),
            index: HashTable::new(),
            hasher: IdHasher::default(),
            holes: 0,
        }
    }
}

/// The leads in order: the index's layout depends on the book's random keys.
impl std::fmt::Debug for LeadSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

/// The id of the lead in slot `i`, if it holds one.
fn id_in(slots: &Chunked<Option<Lead>>, i: u32) -> Option<&str> {
    slots
        .get(i as usize)?
        .as_ref()
        .map(|lead| lead.id().as_str())
}

impl LeadSlots {
    /// The leads in this order; a lead listed twice keeps the place of its first entry
    /// and the value of its last.
    pub(crate) fn from_leads(leads: impl IntoIterator<Item = Lead>) -> Self {
        let leads = leads.into_iter();
        let mut slots = LeadSlots::default();
        // A snapshot's size is known: an index sized for its leads at once spares the
        // ~log2(n) rehashes of a growing one, each of which reads every filed lead's
        // id from its record again (a cache miss a lead in a large book).
        let (table, hasher) = (&slots.slots, &slots.hasher);
        slots
            .index
            .reserve(leads.size_hint().0, |&j| hasher.hash_in(table, j));
        for lead in leads {
            match slots.slot_of(lead.id().as_str()) {
                Some(i) => {
                    if let Some(slot) = slots.slots.get_mut(i) {
                        *slot = Some(lead);
                    }
                }
                None => slots.insert(lead),
            }
        }
        slots
    }

    /// The slot of the lead with this id.
    fn slot_of(&self, id: &str) -> Option<usize> {
        let slots = &self.slots;
        self.index
            .find(self.hasher.hash(id), |&i| id_in(slots, i) == Some(id))
            .map(|&i| i as usize)
    }

    /// Adds a lead whose id the book does not hold, after every other lead.
    ///
    /// # Panics
    ///
    /// When the book already has `u32::MAX` slots (some 1.5 TB of leads).
    pub(crate) fn insert(&mut self, lead: Lead) {
        debug_assert!(
            self.slot_of(lead.id().as_str()).is_none(),
            "lead {} is already held",
            lead.id()
        );
        let hash = self.hasher.hash(lead.id().as_str());
        let i = u32::try_from(self.slots.len()).expect("a book holds fewer than 2^32 slots");
        self.slots.push(Some(lead));
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index
            .insert_unique(hash, i, |&j| hasher.hash_in(slots, j));
    }

    /// Forgets where the lead `id` is (its slot still holds it).
    fn unindex(&mut self, id: &str) {
        let slots = &self.slots;
        if let Ok(entry) = self
            .index
            .find_entry(self.hasher.hash(id), |&i| id_in(slots, i) == Some(id))
        {
            entry.remove();
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
            if let Some(id) = id_in(&self.slots, i as u32).map(str::to_owned) {
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
        let (slots, index, hasher) = (&self.slots, &mut self.index, &self.hasher);
        for i in 0..u32::try_from(slots.len()).expect("a book holds fewer than 2^32 slots") {
            index.insert_unique(hasher.hash_in(slots, i), i, |&j| hasher.hash_in(slots, j));
        }
        self.holes = 0;
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.shrink_to_fit(|&i| hasher.hash_in(slots, i));
    }

    /// The leads held: the slots less the holes (every held lead is filed once in
    /// `index`, so this is also its length).
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

    /// Files slot `i` under the hash of `id`, whatever the slot holds: what a
    /// collision of two ids' hashes would leave in the table.
    fn plant(slots: &mut LeadSlots, id: &str, i: u32) {
        let (held, index, hasher) = (&slots.slots, &mut slots.index, &slots.hasher);
        index.insert_unique(hasher.hash(id), i, |&j| hasher.hash_in(held, j));
    }

    #[test]
    fn an_id_whose_hash_another_lead_is_filed_under_is_still_found_exactly() {
        let mut slots = LeadSlots::default();
        slots.insert(lead("A"));
        // Pretend that B hashes like A: A's slot is filed under B's hash too.
        plant(&mut slots, "B", 0);
        assert!(slots.get("B").is_none(), "A's slot is not B's");
        slots.insert(lead("B"));
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
            slots.insert(lead(&id));
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
    fn removing_a_lead_takes_out_only_its_own_filing() {
        let mut slots = LeadSlots::default();
        slots.insert(lead("A"));
        slots.insert(lead("B"));
        // A's slot is also filed under B's hash, before B's own filing.
        plant(&mut slots, "B", 0);
        slots.insert(lead("C"));
        assert_eq!(slots.remove("B").map(|l| l.id().clone()), Some("B".into()));
        assert_eq!(slots.get("A").map(|l| l.id().as_str()), Some("A"));
        assert_eq!(slots.get("C").map(|l| l.id().as_str()), Some("C"));
        assert!(slots.get("B").is_none());
        assert_eq!(slots.remove("A").map(|l| l.id().clone()), Some("A".into()));
        assert!(slots.get("A").is_none() && slots.get("B").is_none());
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
