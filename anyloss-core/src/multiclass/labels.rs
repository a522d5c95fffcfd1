//! Integer class labels, the ignore index, and the check of labels and sample weights that
//! also sums each class's (weighted) support.

use crate::error::Error;
use crate::lanes::Compensated;
use crate::sample_weights::SampleWeights;

/// The integer labels of one buffer and the ignore index, resolved once per call.
///
/// Any unsigned integer type up to `u32` is a label (`u8` masks with 255 as the ignore
/// index are common in segmentation), so label maps are read where they are, never copied.
#[derive(Clone, Copy)]
pub(crate) struct Labels<'a, Y> {
    pub(crate) values: &'a [Y],
    /// The ignore index, or `u32::MAX` when there is none: after [`Labels::count`] every label
    /// is either a class below `C` or this value, so the sentinel never matches a real label.
    pub(crate) ignore: u32,
}

impl<'a, Y> Labels<'a, Y> {
    /// The labels of `sample` in `layout`: `None` only if the layout was not checked
    /// against the buffers.
    pub(crate) fn of_sample<const C: usize>(
        &self,
        layout: &super::Layout<C>,
        sample: usize,
    ) -> Option<&'a [Y]> {
        let start = sample.checked_mul(layout.pixels())?;
        self.values.get(start..start.checked_add(layout.pixels())?)
    }
}

impl<'a, Y: Copy + Into<u32>> Labels<'a, Y> {
    pub(crate) fn new(values: &'a [Y], ignore: Option<u32>) -> Self {
        Self {
            values,
            ignore: ignore.unwrap_or(u32::MAX),
        }
    }

    /// The (weighted) number of samples of each class, `Σ w` over the samples labelled `c`,
    /// checking every label and weight: [`Error::InvalidLabel`] at the first label that is
    /// neither a class below `C` nor the ignore index, a weight error at the first weight
    /// that is negative or not finite (both by position), and [`Error::LengthMismatch`]
    /// unless there is one weight per label. Without weights the counts are exact integers
    /// (rounded to f32 once at the end).
    pub(crate) fn support<const C: usize>(
        &self,
        weights: &impl SampleWeights,
    ) -> Result<[f32; C], Error> {
        let Some(found) = weights.len() else {
            return Ok(self.count::<C>()?.map(|n| n as f32));
        };
        if found != self.values.len() {
            return Err(Error::LengthMismatch {
                expected: self.values.len(),
                found,
            });
        }
        let mut sums = [Compensated::default(); C];
        for (index, (&y, w)) in self.values.iter().zip(weights.values()).enumerate() {
            let y: u32 = y.into();
            let class = usize::try_from(y).ok().and_then(|c| sums.get_mut(c));
            if y != self.ignore && class.is_none() {
                return Err(Error::InvalidLabel { index });
            }
            if let Some(e) = weights.error_at(index, index) {
                return Err(e);
            }
            if let (Some(sum), true) = (class, y != self.ignore) {
                sum.add(w);
            }
        }
        // Weights near f32::MAX may sum past it; the support saturates, like the counts.
        Ok(sums.map(|s| s.value().min(f32::MAX)))
    }

    /// The number of samples of each class, or [`Error::InvalidLabel`] at the first label that
    /// is neither a class below `C` nor the ignore index.
    fn count<const C: usize>(&self) -> Result<[u64; C], Error> {
        let mut support = [0u64; C];
        for (index, &y) in self.values.iter().enumerate() {
            let y: u32 = y.into();
            if y == self.ignore {
                continue;
            }
            match usize::try_from(y).ok().and_then(|c| support.get_mut(c)) {
                Some(count) => *count += 1,
                None => return Err(Error::InvalidLabel { index }),
            }
        }
        Ok(support)
    }
}

/// Where one element counts in the entries of class `c`: `(is positive, is negative)` as
/// 0/1 (a sample weight multiplies both), both 0 for an ignored sample (even when the
/// ignore index is itself below `C`). Branch-free.
#[inline(always)]
pub(crate) fn membership(y: u32, class: u32, ignore: u32) -> (f32, f32) {
    let kept = y != ignore;
    let positive = (y == class) & kept;
    let negative = (y != class) & kept;
    (f32::from(u8::from(positive)), f32::from(u8::from(negative)))
}
