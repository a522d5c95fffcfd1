//! The per-class entries of multi-label data and the two passes over its rows.

use core::ops::{Add, AddAssign};

use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::error::Error;
use crate::kernel::{Kernel, LogitKernel, ProbKernel};
use crate::lanes::Compensated;
use crate::metric::Coefficients;
use crate::sample_weights::SampleWeights;
use crate::samples::Input;

/// The soft entries `TP_c, FN_c, FP_c, TN_c` of each of `C` labels over the rows, and each
/// label's support `Σ_i w_i y_ic` (its weighted number of positive rows; the row count
/// without weights).
///
/// Like [`Confusion`], the entries of chunks of rows add up to the entries of the whole.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LabelConfusion<const C: usize> {
    /// The entries of each label.
    pub classes: [Confusion; C],
    /// The weighted number of rows where each label is positive.
    pub support: [f32; C],
}

impl<const C: usize> Default for LabelConfusion<C> {
    fn default() -> Self {
        Self {
            classes: [Confusion::default(); C],
            support: [0.0; C],
        }
    }
}

impl<const C: usize> Add for LabelConfusion<C> {
    type Output = Self;
    fn add(mut self, o: Self) -> Self {
        self += o;
        self
    }
}

impl<const C: usize> AddAssign for LabelConfusion<C> {
    fn add_assign(&mut self, o: Self) {
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
        for (a, b) in self.support.iter_mut().zip(o.support) {
            *a += b;
        }
    }
}

/// Rows per block: each label's partial entries sum at most this many terms in plain f32
/// before they go into compensated totals, as the binary lanes do.
const BLOCK_ROWS: usize = 256;

/// Checks the shapes: `labels` and `values` hold the same whole number of rows of `C`,
/// at least one, and `weights` (when given) one per row. Returns the row count.
pub(crate) fn rows<const C: usize>(
    labels: &[u8],
    values: &[f32],
    weights: &impl SampleWeights,
) -> Result<usize, Error> {
    if labels.len() != values.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: values.len(),
        });
    }
    if C == 0 || labels.is_empty() {
        return Err(Error::Empty);
    }
    if !labels.len().is_multiple_of(C) {
        return Err(Error::LengthMismatch {
            expected: labels.len().next_multiple_of(C),
            found: labels.len(),
        });
    }
    let n = labels.len() / C;
    match weights.len() {
        Some(found) if found != n => Err(Error::LengthMismatch { expected: n, found }),
        _ => Ok(n),
    }
}

/// Pass 1: the entries of every label, and `w_i·dA/d(input)` of each element into `cache`
/// when given. Errors name the first offending element (flat index) or weight (row).
pub(crate) fn accumulate<const C: usize>(
    amp: &Amplifier,
    labels: &[u8],
    input: Input<'_>,
    weights: impl SampleWeights,
    cache: Option<&mut [f32]>,
) -> Result<LabelConfusion<C>, Error> {
    match input {
        Input::Probs(v) => accumulate_with::<ProbKernel, C>(amp, labels, v, weights, cache),
        Input::Logits(v) => accumulate_with::<LogitKernel, C>(amp, labels, v, weights, cache),
    }
}

fn accumulate_with<K: Kernel, const C: usize>(
    amp: &Amplifier,
    labels: &[u8],
    values: &[f32],
    weights: impl SampleWeights,
    mut cache: Option<&mut [f32]>,
) -> Result<LabelConfusion<C>, Error> {
    rows::<C>(labels, values, &weights)?;
    if let Some(cache) = &cache {
        if cache.len() != labels.len() {
            return Err(Error::LengthMismatch {
                expected: labels.len(),
                found: cache.len(),
            });
        }
    }
    // Per label: TP, FN, FP, TN, support.
    let mut totals = [[Compensated::default(); 5]; C];
    let block = BLOCK_ROWS * C;
    for (b, (ys, xs)) in labels.chunks(block).zip(values.chunks(block)).enumerate() {
        let mut sums = [[0.0f32; 5]; C];
        let first_row = b * BLOCK_ROWS;
        for (r, (yr, xr)) in ys.chunks_exact(C).zip(xs.chunks_exact(C)).enumerate() {
            let row = first_row + r;
            if let Some(e) = weights.error_at(row, row) {
                return Err(e);
            }
            let w = weights.at(row);
            for (c, ((&y, &x), s)) in yr.iter().zip(xr).zip(sums.iter_mut()).enumerate() {
                let index = row * C + c;
                check::<K>(y, x, index)?;
                let amped = K::eval(amp, x);
                let pos = f32::from(y) * w;
                let tp = pos * amped.a;
                let fn_ = pos * amped.one_minus_a;
                s[0] += tp;
                s[1] += fn_;
                s[2] += w * amped.a - tp;
                s[3] += w * amped.one_minus_a - fn_;
                s[4] += pos;
                if let Some(g) = cache.as_deref_mut().and_then(|g| g.get_mut(index)) {
                    *g = amped.slope * w;
                }
            }
        }
        for (t, s) in totals.iter_mut().zip(sums) {
            for (t, s) in t.iter_mut().zip(s) {
                t.add(s);
            }
        }
    }
    Ok(LabelConfusion {
        classes: totals
            .map(|t| Confusion::new(t[0].value(), t[1].value(), t[2].value(), t[3].value())),
        support: totals.map(|t| t[4].value()),
    })
}

/// The exact check of one element, in the binary kernel's order: input, then label.
#[inline(always)]
fn check<K: Kernel>(y: u8, x: f32, index: usize) -> Result<(), Error> {
    if !x.is_finite() {
        return Err(Error::NonFinite { index });
    }
    if !K::is_valid(x) {
        return Err(Error::ProbabilityOutOfRange { index });
    }
    if y > 1 {
        return Err(Error::InvalidLabel { index });
    }
    Ok(())
}

/// Pass 2: `grad[i][c] *= coefficient of label c for y_ic`. Pass 1 ran on the same labels
/// and rejected any above 1.
pub(crate) fn scale<const C: usize>(
    coefficients: &[Coefficients; C],
    labels: &[u8],
    grad: &mut [f32],
) -> Result<(), Error> {
    if grad.len() != labels.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: grad.len(),
        });
    }
    for (gr, yr) in grad.chunks_exact_mut(C).zip(labels.chunks_exact(C)) {
        for ((g, &y), k) in gr.iter_mut().zip(yr).zip(coefficients) {
            *g *= if y == 1 { k.positive } else { k.negative };
        }
    }
    Ok(())
}
