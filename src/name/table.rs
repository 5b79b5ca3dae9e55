//! The process-wide table behind [`Name`](super::Name): each distinct text stored
//! once, read without a lock.
//!
//! A name is the position of its text in the table, plus 2 (`1` is the empty name,
//! which needs no table). Texts live in buckets of doubling size that are never moved
//! or freed, so reading a name's text is two atomic loads: the bucket, then the slot.
//! Interning a text looks it up in the calling thread's own map first, so a host
//! stepping leads on several threads does not contend on a lock for texts its thread
//! has seen before; only a text new to the thread takes the shared index's lock.

use std::cell::RefCell;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{LazyLock, Mutex, OnceLock, PoisonError};

/// Bucket `b` holds `FIRST << b` texts: 25 buckets hold every position a `u32` can
/// name.
const FIRST_BITS: u32 = 8;
const BUCKETS: usize = 25;

type Bucket = Box<[OnceLock<&'static str>]>;

static TEXTS: [OnceLock<Bucket>; BUCKETS] = [const { OnceLock::new() }; BUCKETS];

/// Fixed seeds: which texts share a hash bucket affects speed, never a result.
type Hasher = ahash::RandomState;

fn hasher() -> Hasher {
    ahash::RandomState::with_seeds(
        0x6c65_6164_6379_636c,
        0x9e37_79b9_7f4a_7c15,
        0x2545_f491_4f6c_dd1d,
        0x0bad_5eed_0dd5_eed5,
    )
}

/// Every text in the table and its name; `len` texts so far.
struct Index {
    by_text: HashMap<&'static str, NonZeroU32, Hasher>,
    len: u32,
}

static INDEX: LazyLock<Mutex<Index>> = LazyLock::new(|| {
    Mutex::new(Index {
        by_text: HashMap::with_hasher(hasher()),
        len: 0,
    })
});

thread_local! {
    /// The texts this thread has interned or looked up, and their names.
    static SEEN: RefCell<HashMap<&'static str, NonZeroU32, Hasher>> =
        RefCell::new(HashMap::with_hasher(hasher()));
}

/// The bucket and the slot in it of the text at `position`.
fn place(position: u32) -> (usize, usize) {
    let n = u64::from(position) + (1 << FIRST_BITS);
    let bucket = 63 - n.leading_zeros() - FIRST_BITS;
    let offset = n - (1 << (bucket + FIRST_BITS));
    // Both fit: bucket < 25, offset < 2^32.
    (bucket as usize, offset as usize)
}

/// The name of `text`, adding it to the table if it is new.
pub(super) fn intern(text: &str) -> NonZeroU32 {
    if text.is_empty() {
        return NonZeroU32::MIN;
    }
    SEEN.with(|seen| {
        if let Some(&name) = seen.borrow().get(text) {
            return name;
        }
        let (stored, name) = intern_shared(text);
        seen.borrow_mut().insert(stored, name);
        name
    })
}

/// The stored text and name of `text`, under the shared index's lock.
fn intern_shared(text: &str) -> (&'static str, NonZeroU32) {
    // The index is consistent at every step a panic could interrupt (the text is stored
    // before it is indexed), so a poisoned lock is still a good one.
    let mut index = INDEX.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((&stored, &name)) = index.by_text.get_key_value(text) {
        return (stored, name);
    }
    let position = index.len;
    let name = position
        .checked_add(2)
        .and_then(NonZeroU32::new)
        .expect("fewer than 2^32 - 2 distinct names in one process");
    let stored: &'static str = Box::leak(Box::from(text));
    let (bucket, offset) = place(position);
    let slots = TEXTS[bucket].get_or_init(|| {
        (0..(1_usize << (FIRST_BITS as usize + bucket)))
            .map(|_| OnceLock::new())
            .collect()
    });
    slots[offset]
        .set(stored)
        .expect("each position is filled once, under the lock");
    index.by_text.insert(stored, name);
    index.len += 1;
    (stored, name)
}

/// The text of `name`.
pub(super) fn text(name: NonZeroU32) -> &'static str {
    if name == NonZeroU32::MIN {
        return "";
    }
    let (bucket, offset) = place(name.get() - 2);
    TEXTS[bucket]
        .get()
        .and_then(|slots| slots[offset].get())
        .copied()
        .expect("a name's text is stored before the name is handed out")
}

#[cfg(test)]
mod tests {
    use super::{place, BUCKETS, FIRST_BITS};

    #[test]
    fn positions_fill_each_bucket_in_order_and_every_u32_has_a_place() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(255), (0, 255));
        assert_eq!(place(256), (1, 0));
        assert_eq!(place(767), (1, 511));
        assert_eq!(place(768), (2, 0));
        let (bucket, offset) = place(u32::MAX);
        assert!(bucket < BUCKETS);
        assert!(offset < 1 << (FIRST_BITS as usize + bucket));
    }
}
