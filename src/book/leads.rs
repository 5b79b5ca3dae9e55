//! Where a book keeps its leads: found by id in O(1), iterated in the order they
//! entered the book, never in hash-map order.

use crate::id::LeadId;
use crate::lead::Lead;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::iter::{Flatten, FusedIterator};
use std::slice;

/// The leads of a book, by id, in the order they entered it.
///
/// Leads sit in a vector in entry order; a hash map finds a lead's slot by id. Taking
/// a lead out leaves a hole, so no other lead moves and the order stays; holes are
/// closed, in order, once they are as many as the leads.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeadSlots {
    slots: Vec<Option<Lead>>,
    index: HashMap<LeadId, usize>,
    holes: usize,
}

impl LeadSlots {
    /// The leads in this order; a lead listed twice keeps the place of its first entry
    /// and the value of its last.
    pub(crate) fn from_leads(leads: impl IntoIterator<Item = Lead>) -> Self {
        let mut slots = LeadSlots::default();
        for lead in leads {
            match slots.index.get(lead.id()) {
                Some(&i) => slots.slots[i] = Some(lead),
                None => slots.insert(lead.id().clone(), lead),
            }
        }
        slots
    }

    /// Adds a lead whose id the book does not hold, after every other lead.
    pub(crate) fn insert(&mut self, id: LeadId, lead: Lead) {
        debug_assert!(!self.index.contains_key(&id), "lead {id} is already held");
        self.index.insert(id, self.slots.len());
        self.slots.push(Some(lead));
    }

    pub(crate) fn contains_key<Q>(&self, id: &Q) -> bool
    where
        LeadId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(id)
    }

    pub(crate) fn get<Q>(&self, id: &Q) -> Option<&Lead>
    where
        LeadId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let &i = self.index.get(id)?;
        self.slots.get(i)?.as_ref()
    }

    pub(crate) fn get_mut<Q>(&mut self, id: &Q) -> Option<&mut Lead>
    where
        LeadId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let &i = self.index.get(id)?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// Two different leads at once (a merge's duplicate and survivor).
    pub(crate) fn get_disjoint_mut(&mut self, ids: [&LeadId; 2]) -> [Option<&mut Lead>; 2] {
        match ids.map(|id| self.index.get(id).copied()) {
            [Some(a), Some(b)] => match self.slots.get_disjoint_mut([a, b]) {
                Ok([a, b]) => [a.as_mut(), b.as_mut()],
                // Two ids never share a slot; the book asks only for two different ids.
                Err(_) => [None, None],
            },
            [Some(a), None] => [self.slots.get_mut(a).and_then(Option::as_mut), None],
            [None, Some(b)] => [None, self.slots.get_mut(b).and_then(Option::as_mut)],
            [None, None] => [None, None],
        }
    }

    /// Takes the lead out; the others keep their order.
    pub(crate) fn remove<Q>(&mut self, id: &Q) -> Option<Lead>
    where
        LeadId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.index.remove(id)?;
        let lead = self.slots.get_mut(i)?.take();
        self.holes += 1;
        if self.holes > self.index.len() {
            self.compact();
        }
        lead
    }

    /// Takes out every lead `drop` picks, and gives their memory back.
    pub(crate) fn remove_where(&mut self, mut drop: impl FnMut(&Lead) -> bool) -> usize {
        let mut removed = 0;
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(&mut drop) {
                if let Some(lead) = slot.take() {
                    self.index.remove(lead.id());
                    removed += 1;
                }
            }
        }
        self.holes += removed;
        self.compact();
        removed
    }

    /// Closes the holes, keeping the leads' order, and gives spare capacity back.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        for (i, lead) in self.slots.iter().flatten().enumerate() {
            if let Some(slot) = self.index.get_mut(lead.id()) {
                *slot = i;
            }
        }
        self.holes = 0;
        self.slots.shrink_to_fit();
        self.index.shrink_to_fit();
    }

    pub(crate) fn len(&self) -> usize {
        self.index.len()
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
    slots: Flatten<slice::Iter<'a, Option<Lead>>>,
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
