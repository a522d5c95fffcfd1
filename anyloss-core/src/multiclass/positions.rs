//! The general path: one (sample, pixel) position at a time, its `C` class values gathered
//! by stride. Serves every layout, and logits, whose softmax couples the classes.

use super::class_confusion::ClassTotals;
use super::class_softmax::{softmax, softmax_jvp};
use super::labels::{membership, Labels};
use super::layout::Layout;
use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::error::{Error, Parameter};
use crate::metric::Coefficients;
use crate::sample_weights::SampleWeights;
use crate::samples::Input;

/// Positions per block: each class's partial entries sum at most this many terms in plain
/// f32 before they go into the compensated totals, as the binary kernel's lanes do.
const BLOCK_POSITIONS: usize = 64;

/// Calls `f(base offset, label)` for every position, in label order.
#[inline(always)]
fn for_each_position<const C: usize, Y: Copy + Into<u32>, E>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    mut f: impl FnMut(usize, u32) -> Result<(), E>,
) -> Result<(), E> {
    for (sample, ys) in labels.values.chunks(layout.pixels()).enumerate() {
        for (pixel, &y) in ys.iter().enumerate() {
            f(layout.base(sample, pixel), y.into())?;
        }
    }
    Ok(())
}

/// The offsets of the `C` class values at `base`.
#[inline(always)]
fn offsets<const C: usize>(layout: &Layout<C>, base: usize) -> [usize; C] {
    let stride = layout.strides().class;
    core::array::from_fn(|c| base + c * stride)
}

/// The values at `offsets`. A checked layout never puts an offset outside `values`; if one
/// did, its value reads as NaN, which the callers reject as non-finite.
#[inline(always)]
fn gather<const C: usize>(values: &[f32], offsets: &[usize; C]) -> [f32; C] {
    debug_assert!(
        offsets.iter().all(|&o| o < values.len()),
        "layout offsets {offsets:?} outside {} values",
        values.len()
    );
    offsets.map(|o| values.get(o).copied().unwrap_or(f32::NAN))
}

/// Pass 1: entries of every class, and `w·dA/dp` of each element into `cache` when given
/// (for logits, still `dA/dp`: pass 2 applies the softmax). `weights` (one per position)
/// were checked with the labels.
pub(crate) fn accumulate<const C: usize, Y: Copy + Into<u32>>(
    amp: &Amplifier,
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    input: Input<'_>,
    weights: impl SampleWeights,
    mut cache: Option<&mut [f32]>,
) -> Result<ClassTotals<C>, Error> {
    let (values, logits) = match input {
        Input::Probs(v) => (v, false),
        Input::Logits(v) => (v, true),
    };
    let mut totals = ClassTotals::<C>::new();
    let mut block = [Confusion::default(); C];
    let mut in_block = 0usize;
    let mut position = 0usize;
    for_each_position(layout, labels, |base, y| {
        let w = weights.at(position);
        position += 1;
        let at = offsets(layout, base);
        let xs = gather(values, &at);
        let (ps, ok) = if logits {
            (softmax(&xs), xs.iter().all(|x| x.is_finite()))
        } else {
            (xs, xs.iter().all(|x| (0.0..=1.0).contains(x)))
        };
        if !ok {
            return Err(first_error(&xs, &at, logits));
        }
        for (c, ((entries, &p), &o)) in block.iter_mut().zip(&ps).zip(&at).enumerate() {
            let amped = amp.amplify(p);
            let (pos, neg) = membership(y, c as u32, labels.ignore);
            let (pos, neg) = (pos * w, neg * w);
            entries.tp += pos * amped.a;
            entries.fn_ += pos * amped.one_minus_a;
            entries.fp += neg * amped.a;
            entries.tn += neg * amped.one_minus_a;
            if let Some(slot) = cache.as_deref_mut().and_then(|g| g.get_mut(o)) {
                *slot = amped.slope * w;
            }
        }
        in_block += 1;
        if in_block == BLOCK_POSITIONS {
            flush(&mut totals, &mut block);
            in_block = 0;
        }
        Ok(())
    })?;
    flush(&mut totals, &mut block);
    Ok(totals)
}

fn flush<const C: usize>(totals: &mut ClassTotals<C>, block: &mut [Confusion; C]) {
    for (c, entries) in block.iter_mut().enumerate() {
        totals.add(c, entries);
        *entries = Confusion::default();
    }
}

#[cold]
fn first_error<const C: usize>(xs: &[f32; C], at: &[usize; C], logits: bool) -> Error {
    for (&x, &index) in xs.iter().zip(at) {
        if !x.is_finite() {
            return Error::NonFinite { index };
        }
        if !logits && !(0.0..=1.0).contains(&x) {
            return Error::ProbabilityOutOfRange { index };
        }
    }
    Error::InvalidParameter(Parameter::Shape)
}

/// Pass 2 on the `dA/dp` cached in `grad`: `∂loss/∂p`, or for logits `∂loss/∂z` through the
/// softmax, recomputed from `input` (`C` more `exp` per position).
pub(crate) fn scale<const C: usize, Y: Copy + Into<u32>>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    input: Input<'_>,
    coefficients: &[Coefficients; C],
    grad: &mut [f32],
) -> Result<(), Error> {
    for_each_position(layout, labels, |base, y| {
        let at = offsets(layout, base);
        let mut g = gather(grad, &at);
        for (c, (gc, k)) in g.iter_mut().zip(coefficients).enumerate() {
            let (pos, neg) = membership(y, c as u32, labels.ignore);
            *gc *= pos * k.positive + neg * k.negative;
        }
        if let Input::Logits(z) = input {
            softmax_jvp(&softmax(&gather(z, &at)), &mut g);
        }
        for (&o, gc) in at.iter().zip(g) {
            if let Some(slot) = grad.get_mut(o) {
                *slot = gc;
            }
        }
        Ok::<(), Error>(())
    })
}
