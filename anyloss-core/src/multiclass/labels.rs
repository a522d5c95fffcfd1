//! Integer class labels, the ignore index, and the label check that also counts support.

use crate::error::Error;

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

    /// The number of samples of each class, or [`Error::InvalidLabel`] at the first label that
    /// is neither a class below `C` nor the ignore index.
    pub(crate) fn count<const C: usize>(&self) -> Result<[u64; C], Error> {
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

/// The weight of one element in the entries of class `c`: `(is positive, is negative)` as
/// 0/1, both 0 for an ignored sample (even when the ignore index is itself below `C`).
/// Branch-free.
#[inline(always)]
pub(crate) fn weights(y: u32, class: u32, ignore: u32) -> (f32, f32) {
    let kept = y != ignore;
    let positive = (y == class) & kept;
    let negative = (y != class) & kept;
    (f32::from(u8::from(positive)), f32::from(u8::from(negative)))
}
