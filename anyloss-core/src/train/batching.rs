//! How an epoch is cut into batches.

use super::rng::SplitMix64;

/// The batch size of an epoch over `n` rows: `size` rows per mini-batch, the last one
/// smaller if `size` does not divide `n`; `0` (or `size >= n`) means one full-dataset batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Batching {
    /// Rows per batch; 0 for full-dataset batches.
    pub size: usize,
}

impl Batching {
    /// True when an epoch over `n` rows is one full-dataset batch.
    pub fn is_full(&self, n: usize) -> bool {
        self.size == 0 || self.size >= n
    }

    /// Prepares one epoch over `rows`: mini-batch epochs reshuffle `rows` in place with `rng`
    /// (Fisher–Yates), full-dataset epochs keep their order (the sum is the same, and a
    /// fixed order keeps it bit-reproducible). Then yields the batches in order.
    pub fn epoch<'r>(
        &self,
        rows: &'r mut [u32],
        rng: &mut SplitMix64,
    ) -> impl Iterator<Item = &'r [u32]> + 'r {
        let full = self.is_full(rows.len());
        if !full {
            rng.shuffle(rows);
        }
        let size = if full { rows.len().max(1) } else { self.size };
        let rows: &'r [u32] = rows;
        rows.chunks(size)
    }
}
