//! The fixed-point path's confusion entries: integer sums, exact and additive.

use core::ops::{Add, AddAssign};

use crate::confusion::Confusion;

/// `2^-72`, the weight of one unit of the sums' common format.
const Q72: f32 = 1.0 / 4_722_366_482_869_645_213_696.0;

/// Soft confusion entries of the fixed-point path as exact integer sums.
///
/// Every sample's `A` is `1 − small` or `small` (above or below the threshold), so the
/// entries are counts of samples by label and side, minus or plus sums of `small`: those
/// are kept in Q31 for the table's values and in Q64 for the saturated tail, by label and
/// side. Integer sums are exact, so the entries of chunks add to the entries of the whole
/// bit for bit, in any order and any chunking (unlike f32 sums), and an entry made only of
/// saturated samples (a tiny `TP` or `FN`) keeps its relative precision down to `2^-64`.
/// [`FixedEntries::confusion`] gives the f32 [`Confusion`] the metric is evaluated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FixedEntries {
    /// `Σ small` in Q31 by bin `2·y + above`.
    pub(crate) small_q31: [u64; 4],
    /// `Σ small` in Q64 by bin.
    pub(crate) tail_q64: [u128; 4],
    /// Samples by bin.
    pub(crate) count: [u64; 4],
}

impl FixedEntries {
    /// Number of samples summed.
    pub fn samples(&self) -> u64 {
        self.count.iter().fold(0, |a, &c| a.wrapping_add(c))
    }

    /// `Σ small` of one bin in Q72.
    fn small(&self, bin: usize) -> u128 {
        let q31 = self.small_q31.get(bin).copied().unwrap_or(0);
        let q64 = self.tail_q64.get(bin).copied().unwrap_or(0);
        (u128::from(q31) << 41).wrapping_add(q64 << 8)
    }

    /// Samples of one bin in Q72.
    fn count(&self, bin: usize) -> u128 {
        u128::from(self.count.get(bin).copied().unwrap_or(0)) << 72
    }

    /// The entries as f32, each formed exactly in integers and rounded once:
    /// `TP = Σ_{y=1} A`, `FN = Σ_{y=1} (1 − A)`, `FP = Σ_{y=0} A`, `TN = Σ_{y=0} (1 − A)`.
    pub fn confusion(&self) -> Confusion {
        // Bins: 0 = (y 0, below), 1 = (y 0, above), 2 = (y 1, below), 3 = (y 1, above).
        // `small <= 1/2` per sample, so no difference here is negative.
        let a_side = |below: usize, above: usize| {
            self.count(above)
                .wrapping_sub(self.small(above))
                .wrapping_add(self.small(below))
        };
        let one_minus_a_side = |below: usize, above: usize| {
            self.count(below)
                .wrapping_sub(self.small(below))
                .wrapping_add(self.small(above))
        };
        Confusion::new(
            a_side(2, 3) as f32 * Q72,
            one_minus_a_side(2, 3) as f32 * Q72,
            a_side(0, 1) as f32 * Q72,
            one_minus_a_side(0, 1) as f32 * Q72,
        )
    }
}

impl Add for FixedEntries {
    type Output = Self;
    fn add(mut self, o: Self) -> Self {
        for bin in 0..4 {
            if let (Some(s), Some(t), Some(c)) = (
                self.small_q31.get_mut(bin),
                self.tail_q64.get_mut(bin),
                self.count.get_mut(bin),
            ) {
                *s = s.wrapping_add(o.small_q31.get(bin).copied().unwrap_or(0));
                *t = t.wrapping_add(o.tail_q64.get(bin).copied().unwrap_or(0));
                *c = c.wrapping_add(o.count.get(bin).copied().unwrap_or(0));
            }
        }
        self
    }
}

impl AddAssign for FixedEntries {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
