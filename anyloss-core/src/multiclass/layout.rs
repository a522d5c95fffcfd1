//! Where each (sample, class, pixel) value sits in a flat buffer: shapes and strides.

use crate::error::{Error, Parameter};

/// Element strides of the three axes of a multi-class buffer, in elements (not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Strides {
    /// Distance between consecutive samples (images).
    pub sample: usize,
    /// Distance between consecutive classes of one sample and pixel.
    pub class: usize,
    /// Distance between consecutive pixels of one sample and class.
    pub pixel: usize,
}

/// The shape `[samples][C][pixels]` of a buffer of per-class values, and how it is laid out,
/// for `C` classes known at compile time.
///
/// Classification outputs are [`Layout::sample_major`] (`[N][C]`, one pixel per sample);
/// segmentation maps are [`Layout::class_planes`] (`[N][C][H·W]`, as PyTorch's NCHW) or
/// [`Layout::channels_last`] (`[N][H·W][C]`, as NHWC). [`Layout::strided`] takes any other
/// strides, so a view into a larger tensor is read where it is, without a copy.
///
/// Labels always come as one per (sample, pixel), dense, in `[N][H·W]` order. Gradients are
/// written in the layout of the input, into a buffer of the same length. A strided layout may
/// leave gaps; elements in gaps are never read and their gradient is never written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Layout<const C: usize> {
    samples: usize,
    pixels: usize,
    strides: Strides,
    span: usize,
}

impl<const C: usize> Layout<C> {
    /// `[samples][C]`: one row of `C` class values per sample.
    pub fn sample_major(samples: usize) -> Result<Self, Error> {
        Self::strided(
            samples,
            1,
            Strides {
                sample: C,
                class: 1,
                pixel: 1,
            },
        )
    }

    /// `[samples][C][pixels]`: per sample, one plane of `pixels` values per class (NCHW with
    /// `pixels = H·W`).
    pub fn class_planes(samples: usize, pixels: usize) -> Result<Self, Error> {
        Self::strided(
            samples,
            pixels,
            Strides {
                sample: C.saturating_mul(pixels),
                class: pixels,
                pixel: 1,
            },
        )
    }

    /// `[samples][pixels][C]`: per pixel, its `C` class values (NHWC with `pixels = H·W`).
    pub fn channels_last(samples: usize, pixels: usize) -> Result<Self, Error> {
        Self::strided(
            samples,
            pixels,
            Strides {
                sample: C.saturating_mul(pixels),
                class: 1,
                pixel: C,
            },
        )
    }

    /// Any strides, checked so that no two elements share a position.
    ///
    /// Errors: `C = 0` or strides that overlap or overflow give
    /// [`Error::InvalidParameter`]`(`[`Parameter::Shape`]`)`; no samples or no pixels give
    /// [`Error::Empty`].
    pub fn strided(samples: usize, pixels: usize, strides: Strides) -> Result<Self, Error> {
        let shape_error = Error::InvalidParameter(Parameter::Shape);
        if C == 0 {
            return Err(shape_error);
        }
        if samples == 0 || pixels == 0 {
            return Err(Error::Empty);
        }
        // Axes of extent 1 never step, so their stride is free; the others, sorted by stride,
        // must each jump past the whole extent of the axis below: then offsets are unique.
        let mut axes = [
            (samples, strides.sample),
            (C, strides.class),
            (pixels, strides.pixel),
        ];
        axes.sort_unstable_by_key(|&(extent, stride)| (extent > 1, stride));
        let mut reach = 1usize; // one past the largest offset reachable by the axes so far
        for &(extent, stride) in axes.iter().filter(|(extent, _)| *extent > 1) {
            if stride < reach {
                return Err(shape_error);
            }
            let top = (extent - 1).checked_mul(stride).ok_or(shape_error)?;
            reach = reach.checked_add(top).ok_or(shape_error)?;
        }
        samples
            .checked_mul(pixels)
            .and_then(|positions| positions.checked_mul(C))
            .ok_or(shape_error)?;
        Ok(Self {
            samples,
            pixels,
            strides,
            span: reach,
        })
    }

    /// Number of samples `N`.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Pixels per sample (`H·W`; 1 for classification).
    pub fn pixels(&self) -> usize {
        self.pixels
    }

    /// The strides.
    pub fn strides(&self) -> Strides {
        self.strides
    }

    /// Number of labels: one per (sample, pixel).
    pub fn positions(&self) -> usize {
        self.samples * self.pixels
    }

    /// Length the input and gradient buffers must have: one past the largest offset.
    pub fn span(&self) -> usize {
        self.span
    }

    /// Offset of class 0 at (`sample`, `pixel`); class `c` is `c · strides.class` further.
    #[inline(always)]
    pub(crate) fn base(&self, sample: usize, pixel: usize) -> usize {
        sample * self.strides.sample + pixel * self.strides.pixel
    }

    /// Whether every (sample, class) row of pixels is contiguous and long enough to be summed
    /// in lanes, which is the fast path of segmentation maps.
    pub(crate) fn has_pixel_rows(&self) -> bool {
        self.strides.pixel == 1 && self.pixels >= crate::lanes::LANES
    }

    /// Checks the lengths of the labels and of the input (and gradient) buffers.
    pub(crate) fn check(&self, labels: usize, values: usize) -> Result<(), Error> {
        if labels != self.positions() {
            return Err(Error::LengthMismatch {
                expected: self.positions(),
                found: labels,
            });
        }
        if values != self.span {
            return Err(Error::LengthMismatch {
                expected: self.span,
                found: values,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dense_layouts_span_exactly_their_elements() {
        assert_eq!(Layout::<3>::sample_major(5).unwrap().span(), 15);
        assert_eq!(Layout::<3>::class_planes(2, 7).unwrap().span(), 42);
        assert_eq!(Layout::<3>::channels_last(2, 7).unwrap().span(), 42);
        assert_eq!(Layout::<4>::sample_major(1).unwrap().span(), 4);
        assert_eq!(Layout::<1>::class_planes(1, 1).unwrap().span(), 1);
    }

    #[test]
    fn gaps_are_allowed_overlaps_are_not() {
        let padded = Strides {
            sample: 8,
            class: 1,
            pixel: 1,
        };
        assert_eq!(Layout::<3>::strided(4, 1, padded).unwrap().span(), 27);
        let overlapping = Strides {
            sample: 2,
            class: 1,
            pixel: 1,
        };
        assert_eq!(
            Layout::<3>::strided(4, 1, overlapping),
            Err(Error::InvalidParameter(Parameter::Shape))
        );
        let aliased_classes = Strides {
            sample: 3,
            class: 0,
            pixel: 1,
        };
        assert!(Layout::<3>::strided(4, 1, aliased_classes).is_err());
        let huge = Strides {
            sample: usize::MAX / 2,
            class: 1,
            pixel: 1,
        };
        assert!(Layout::<3>::strided(4, 1, huge).is_err());
    }
}
