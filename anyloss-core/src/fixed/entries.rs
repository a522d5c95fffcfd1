//! The fixed-point path's confusion entries: integer sums, exact and additive.

use core::ops::{Add, AddAssign};

use crate::confusion::Confusion;

/// `2^-64`, the weight of one unit of the entries' common format.
const Q64: f32 = 1.0 / 18_446_744_073_709_551_616.0;

/// Soft confusion entries of the fixed-point path as exact integer sums.
///
/// Every sample's `A` is a Q23 part (the table's value, or 0 or 1 for a saturated sample)
/// plus, for a saturated sample, a Q64 part (the distance to 0 or 1, below `e^-8`). Both
/// are summed over all samples and over positives. Integer sums are exact, so the entries
/// of chunks add to the entries of the whole bit for bit, in any order and any chunking
/// (unlike f32 sums), and an entry made only of saturated samples (a tiny `TP` or `FN`)
/// keeps its relative precision down to about `1e-16`. [`FixedEntries::confusion`] gives
/// the f32 [`Confusion`] the metric is evaluated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FixedEntries {
    /// `Σ A` in Q64: the Q23 parts shifted up, plus the Q64 parts.
    pub(crate) a_q64: i128,
    /// `Σ y·A` in Q64.
    pub(crate) tp_q64: i128,
    /// Samples labelled 1.
    pub(crate) positives: u64,
    /// All samples.
    pub(crate) samples: u64,
}

impl FixedEntries {
    /// Number of samples summed.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// The entries as f32, each formed exactly in integers and rounded once:
    /// `TP = Σ y·A`, `FP = Σ A − TP`, `FN = positives − TP`, `TN = negatives − FP`.
    pub fn confusion(&self) -> Confusion {
        let tp = self.tp_q64;
        let fp = self.a_q64.wrapping_sub(tp);
        let fn_ = (i128::from(self.positives) << 64).wrapping_sub(tp);
        let negatives = self.samples.wrapping_sub(self.positives);
        let tn = (i128::from(negatives) << 64).wrapping_sub(fp);
        Confusion::new(
            tp as f32 * Q64,
            fn_ as f32 * Q64,
            fp as f32 * Q64,
            tn as f32 * Q64,
        )
    }
}

impl Add for FixedEntries {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self {
            a_q64: self.a_q64.wrapping_add(o.a_q64),
            tp_q64: self.tp_q64.wrapping_add(o.tp_q64),
            positives: self.positives.wrapping_add(o.positives),
            samples: self.samples.wrapping_add(o.samples),
        }
    }
}

impl AddAssign for FixedEntries {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
