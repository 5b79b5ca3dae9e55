//! A growable vector kept in fixed-size chunks, so a large book never holds a doubling's
//! worth of empty room.

use std::iter::Flatten;
use std::slice;

/// How many items a chunk holds. Leads are ~530 bytes, so a chunk is ~2 MB: the most a
/// book ever holds empty, where a `Vec` that doubles holds up to as much room as it
/// has leads (at 600k leads the book's own bytes per lead fell from 581.7 to 170.9;
/// docs/performance.md, issue 11).
const CHUNK: usize = 4096;

/// Items by position, in push order. Every chunk but the last is full. The first chunk
/// grows as a `Vec` does, so a small book holds no more than a `Vec` would; every later
/// one is allocated at its final size once, so the spare room of a large book is less
/// than one chunk, and growing never copies more than one chunk.
#[derive(Clone, Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new() }
    }
}

impl<T> Chunked<T> {
    /// Every chunk before the last is full.
    pub(crate) fn len(&self) -> usize {
        self.chunks
            .last()
            .map_or(0, |last| (self.chunks.len() - 1) * CHUNK + last.len())
    }

    /// Adds `item` after every other one.
    pub(crate) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(item),
            _ => {
                let mut chunk = if self.chunks.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(CHUNK)
                };
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    /// Two different items at once; `None` when `a == b` or either is out of range.
    pub(crate) fn get_disjoint_mut(&mut self, a: usize, b: usize) -> Option<[&mut T; 2]> {
        let (ca, cb) = (a / CHUNK, b / CHUNK);
        if ca == cb {
            let [x, y] = self
                .chunks
                .get_mut(ca)?
                .get_disjoint_mut([a % CHUNK, b % CHUNK])
                .ok()?;
            return Some([x, y]);
        }
        let [x, y] = self.chunks.get_disjoint_mut([ca, cb]).ok()?;
        Some([x.get_mut(a % CHUNK)?, y.get_mut(b % CHUNK)?])
    }

    /// The items in push order.
    pub(crate) fn iter(&self) -> Flatten<slice::Iter<'_, Vec<T>>> {
        self.chunks.iter().flatten()
    }

    /// Keeps the items `keep` accepts, in their order, in as few chunks as they need.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let mut kept = Chunked::default();
        for item in std::mem::take(&mut self.chunks).into_iter().flatten() {
            if keep(&item) {
                kept.push(item);
            }
        }
        *self = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_first_chunk_grows_like_a_vec() {
        let mut items = Chunked::default();
        for i in 0..100 {
            items.push(i);
        }
        assert_eq!(items.chunks.len(), 1);
        assert!(items.chunks[0].capacity() < 2 * 100);
    }

    #[test]
    fn items_keep_their_positions_across_chunks_and_only_the_last_chunk_has_room() {
        let mut items = Chunked::default();
        for i in 0..(2 * CHUNK + 3) {
            items.push(i);
        }
        assert_eq!(items.len(), 2 * CHUNK + 3);
        assert_eq!(items.chunks.len(), 3);
        assert!(items.chunks.iter().all(|c| c.capacity() == CHUNK));
        assert_eq!(items.get(CHUNK), Some(&CHUNK));
        assert_eq!(items.get(2 * CHUNK + 2), Some(&(2 * CHUNK + 2)));
        assert_eq!(items.get(2 * CHUNK + 3), None);
        assert!(items.iter().copied().eq(0..2 * CHUNK + 3));
    }

    #[test]
    fn two_items_at_once_in_one_chunk_or_two() {
        let mut items = Chunked::default();
        for i in 0..(CHUNK + 10) {
            items.push(i);
        }
        for (a, b) in [(1, 5), (5, 1), (3, CHUNK + 2), (CHUNK + 2, 3)] {
            let [x, y] = items.get_disjoint_mut(a, b).expect("two different items");
            assert_eq!((*x, *y), (a, b));
        }
        let [x, y] = items
            .get_disjoint_mut(CHUNK + 2, 1)
            .expect("two different items");
        *x += 1_000_000;
        *y += 1_000_000;
        assert!(items.get_disjoint_mut(4, 4).is_none());
        assert!(items.get_disjoint_mut(4, CHUNK + 10).is_none());
        assert_eq!(items.get(1), Some(&1_000_001));
        assert_eq!(items.get(CHUNK + 2), Some(&(CHUNK + 1_000_002)));
    }

    #[test]
    fn retain_keeps_the_order_and_packs_the_chunks() {
        let mut items = Chunked::default();
        for i in 0..(3 * CHUNK) {
            items.push(i);
        }
        items.retain(|i| i % 3 == 0);
        assert_eq!(items.len(), CHUNK);
        assert_eq!(items.chunks.len(), 1);
        assert!(items.iter().copied().eq((0..3 * CHUNK).step_by(3)));
        items.retain(|_| false);
        assert_eq!((items.len(), items.chunks.len()), (0, 0));
        items.push(7);
        assert_eq!((items.len(), items.get(0)), (1, Some(&7)));
    }
}
