//! The trainer's one random number generator: SplitMix64 (Steele, Lea & Flood, 2014; Vigna's
//! reference `splitmix64.c`).
//!
//! It is chosen for being tiny (one `u64` of state, no tables), portable (only wrapping
//! integer arithmetic, so the host and a Cortex-M draw the same numbers from the same seed),
//! and well known, so anyone can check a run's shuffles against the reference code.

/// XORed into a run's seed to seed the head's initialisation ("init" in ASCII), so that its
/// draws are apart from the split's and the shuffles' (which take the seed as it is). The
/// host's `anyloss train` and the firmware both initialise a head from
/// `SplitMix64::new(seed ^ INIT_STREAM)`, so that a device starts from the host's network.
pub const INIT_STREAM: u64 = 0x696E_6974;

/// The SplitMix64 generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose first output is the reference `next()` after `x = seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next 32 random bits (the high half of [`SplitMix64::next_u64`]).
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A uniform integer in `0..bound`, without modulo bias (Lemire's multiply-and-reject,
    /// ACM TOMACS 2019). `bound = 0` gives 0.
    pub fn below(&mut self, bound: u32) -> u32 {
        if bound == 0 {
            return 0;
        }
        let mut m = u64::from(self.next_u32()) * u64::from(bound);
        if (m as u32) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (m as u32) < threshold {
                m = u64::from(self.next_u32()) * u64::from(bound);
            }
        }
        (m >> 32) as u32
    }

    /// Fisher–Yates shuffle of `items` in place: every permutation equally likely. Slices
    /// longer than `u32::MAX` shuffle only their first `u32::MAX` elements' positions,
    /// which no trainer buffer reaches (indices are `u32`).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        // `u32::MAX as usize + 1` would overflow on 32-bit targets (the Cortex-M ones).
        let n = u32::try_from(items.len()).unwrap_or(u32::MAX) as usize;
        for i in (1..n).rev() {
            let j = self.below((i + 1) as u32) as usize;
            items.swap(i, j);
        }
    }
}
