//! Per-sample weights in pass 1: none (every weight 1, folded away at compile time, so the
//! unweighted loops are unchanged) or one non-negative finite weight per sample.

use crate::error::Error;
use crate::kernel::SIGN;

/// The weights of one call, or of one block of it.
// `Send + Sync`: the `parallel` feature hands the weights of a call to other threads.
pub trait SampleWeights: Copy + Send + Sync {
    /// Number of weights, or `None` when there are none to count (every weight is 1).
    fn len(&self) -> Option<usize>;
    /// The weights of samples `start .. start + len`.
    fn block(self, start: usize, len: usize) -> Self;
    /// The weight of sample `i`.
    fn at(&self, i: usize) -> f32;
    /// The weights in order (endless ones without weights).
    fn values(self) -> impl Iterator<Item = f32>;
    /// The weights of samples `W·j .. W·j + W`.
    fn chunk<const W: usize>(&self, j: usize) -> [f32; W];
    /// A word whose top bit is set when some weight may be invalid (negative, NaN or
    /// infinite), and clear only when all are valid: one OR per weight.
    fn invalid_flag(&self) -> u32;
    /// The error of weight `i`, reported at `index`, if it is invalid.
    fn error_at(&self, i: usize, index: usize) -> Option<Error>;
}

/// No weights: every sample counts once.
#[derive(Clone, Copy)]
pub(crate) struct Unweighted;

impl SampleWeights for Unweighted {
    #[inline(always)]
    fn len(&self) -> Option<usize> {
        None
    }
    #[inline(always)]
    fn block(self, _: usize, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(&self, _: usize) -> f32 {
        1.0
    }
    #[inline(always)]
    fn values(self) -> impl Iterator<Item = f32> {
        core::iter::repeat(1.0)
    }
    #[inline(always)]
    fn chunk<const W: usize>(&self, _: usize) -> [f32; W] {
        [1.0; W]
    }
    #[inline(always)]
    fn invalid_flag(&self) -> u32 {
        0
    }
    fn error_at(&self, _: usize, _: usize) -> Option<Error> {
        None
    }
}

/// One weight per sample, each finite and `>= 0`; a zero weight takes its sample out of
/// every entry and gives it a zero gradient.
#[derive(Clone, Copy)]
pub(crate) struct Weights<'a>(pub(crate) &'a [f32]);

impl SampleWeights for Weights<'_> {
    #[inline(always)]
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    #[inline(always)]
    fn block(self, start: usize, len: usize) -> Self {
        let end = start.saturating_add(len).min(self.0.len());
        Weights(self.0.get(start..end).unwrap_or(&[]))
    }
    // Lengths are checked before any block runs, so the fallbacks below are never taken;
    // they keep the loops free of panics.
    #[inline(always)]
    fn at(&self, i: usize) -> f32 {
        self.0.get(i).copied().unwrap_or(0.0)
    }
    #[inline(always)]
    fn values(self) -> impl Iterator<Item = f32> {
        self.0.iter().copied()
    }
    #[inline(always)]
    fn chunk<const W: usize>(&self, j: usize) -> [f32; W] {
        self.0
            .as_chunks::<W>()
            .0
            .get(j)
            .copied()
            .unwrap_or([0.0; W])
    }
    /// The sign bit flags negatives (and -0.0, which the exact check accepts); an all-ones
    /// exponent (infinity, NaN) carries into the top bit.
    #[inline(always)]
    fn invalid_flag(&self) -> u32 {
        self.0.iter().fold(0u32, |acc, w| {
            let bits = w.to_bits();
            acc | bits | (bits & !SIGN).wrapping_add(0x0080_0000)
        })
    }
    fn error_at(&self, i: usize, index: usize) -> Option<Error> {
        let w = self.at(i);
        if !w.is_finite() {
            Some(Error::NonFiniteWeight { index })
        } else if w < 0.0 {
            Some(Error::NegativeWeight { index })
        } else {
            None
        }
    }
}
