//! The pseudo-random lead indices the book benches touch, shared so that `step`,
//! `touch_misses` and `accounts` draw the same sequence.

/// xorshift64*: a fixed, dependency-free pseudo-random sequence of lead indices.
pub struct Keys(u64);

impl Keys {
    pub fn new() -> Self {
        Keys(0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_index(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as usize % n
    }
}
