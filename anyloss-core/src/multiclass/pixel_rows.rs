//! The fast path of segmentation maps: probabilities whose pixels are contiguous for each
//! (sample, class), summed in lanes along the row like the binary kernel.

use super::class_confusion::{ClassConfusion, ClassTotals};
use super::labels::{weights, Labels};
use super::layout::Layout;
use crate::amplifier::Amplifier;
use crate::confusion::{reduce, Confusion, Kernel, LaneSums, ProbKernel, BLOCK, LANES};
use crate::error::{Error, Parameter};
use crate::grad::Coefficients;

const SHAPE: Error = Error::InvalidParameter(Parameter::Shape);

/// Pass 1: entries of every class, and `dA/dp` of each element into `cache` when given.
pub(crate) fn accumulate<const C: usize, Y: Copy + Into<u32>>(
    amp: &Amplifier,
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    probs: &[f32],
    mut cache: Option<&mut [f32]>,
    support: [u64; C],
) -> Result<ClassConfusion<C>, Error> {
    let mut totals = ClassTotals::<C>::new();
    let mut scratch = [0.0f32; BLOCK];
    let pixels = layout.pixels();
    let class_stride = layout.strides().class;
    for sample in 0..layout.samples() {
        let ys = labels.of_sample(layout, sample).ok_or(SHAPE)?;
        for c in 0..C {
            let start = layout.base(sample, 0) + c * class_stride;
            let xs = probs.get(start..start + pixels).ok_or(SHAPE)?;
            for (b, (ys, xs)) in ys.chunks(BLOCK).zip(xs.chunks(BLOCK)).enumerate() {
                let offset = start + b * BLOCK;
                let out = match cache.as_deref_mut() {
                    Some(cache) => cache.get_mut(offset..offset + xs.len()),
                    None => scratch.get_mut(..xs.len()),
                }
                .ok_or(SHAPE)?;
                let (lanes, ok) = block(amp, c as u32, labels.ignore, ys, xs, out);
                if !ok {
                    return Err(first_error(xs, offset));
                }
                totals.add(
                    c,
                    &Confusion::new(
                        reduce(&lanes.tp),
                        reduce(&lanes.fn_),
                        reduce(&lanes.fp),
                        reduce(&lanes.tn),
                    ),
                );
            }
        }
    }
    Ok(totals.finish(support))
}

/// The lane sums of one block of a (sample, class) row, with `dA/dp` into `out`, and
/// whether every probability is finite and in `[0, 1]`.
///
/// Validity is not decided per element, which would put a mask of bools in the loop: each
/// lane keeps the minimum, maximum and sum of its inputs. A NaN makes the sum NaN, an
/// infinity makes it non-finite, anything out of range moves the minimum or maximum out of
/// `[0, 1]`; a finite sum of at most `BLOCK` values in `[0, 1]` cannot overflow.
// `k < LANES` indexes `[_; LANES]` arrays: in bounds by construction, and the compiler
// drops the checks. Plain indexing keeps the loop in the shape LLVM vectorizes.
// `k % LANES` is 0 on one-lane targets; the expression stays for the others.
#[allow(clippy::indexing_slicing, clippy::modulo_one)]
#[inline(always)]
fn block<Y: Copy + Into<u32>>(
    amp: &Amplifier,
    class: u32,
    ignore: u32,
    ys: &[Y],
    xs: &[f32],
    out: &mut [f32],
) -> (LaneSums, bool) {
    let mut s = LaneSums::ZERO;
    let mut lo = [0.0f32; LANES];
    let mut hi = [1.0f32; LANES];
    let mut sum = [0.0f32; LANES];
    let mut lane = |k: usize, y: Y, x: f32, o: &mut f32| {
        let (amped, _) = ProbKernel::eval(amp, x);
        lo[k] = if x < lo[k] { x } else { lo[k] };
        hi[k] = if x > hi[k] { x } else { hi[k] };
        sum[k] += x;
        let (pos, neg) = weights(y.into(), class, ignore);
        s.tp[k] += pos * amped.a;
        s.fn_[k] += pos * amped.one_minus_a;
        s.fp[k] += neg * amped.a;
        s.tn[k] += neg * amped.one_minus_a;
        *o = amped.slope;
    };
    let (yc, yr) = ys.as_chunks::<LANES>();
    let (xc, xr) = xs.as_chunks::<LANES>();
    let (oc, or) = out.as_chunks_mut::<LANES>();
    for ((y, x), o) in yc.iter().zip(xc).zip(oc.iter_mut()) {
        for k in 0..LANES {
            lane(k, y[k], x[k], &mut o[k]);
        }
    }
    for (k, ((&y, &x), o)) in yr.iter().zip(xr).zip(or.iter_mut()).enumerate() {
        lane(k % LANES, y, x, o);
    }
    let complete = out.len() == xs.len() && ys.len() == xs.len();
    let in_range = lo.iter().all(|&v| v >= 0.0) && hi.iter().all(|&v| v <= 1.0);
    let finite = sum.iter().all(|v| v.is_finite());
    (s, complete && in_range && finite)
}

/// The error of the first probability of `xs` that is not finite or not in `[0, 1]`.
#[cold]
pub(crate) fn first_error(xs: &[f32], offset: usize) -> Error {
    for (i, &x) in xs.iter().enumerate() {
        let index = offset + i;
        if !x.is_finite() {
            return Error::NonFinite { index };
        }
        if !(0.0..=1.0).contains(&x) {
            return Error::ProbabilityOutOfRange { index };
        }
    }
    SHAPE
}

/// Pass 2: `grad *= ∂loss/∂a` of each element's class and label.
pub(crate) fn scale<const C: usize, Y: Copy + Into<u32>>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    coefficients: &[Coefficients; C],
    grad: &mut [f32],
) -> Result<(), Error> {
    let pixels = layout.pixels();
    let class_stride = layout.strides().class;
    for sample in 0..layout.samples() {
        let ys = labels.of_sample(layout, sample).ok_or(SHAPE)?;
        for (c, k) in coefficients.iter().enumerate() {
            let start = layout.base(sample, 0) + c * class_stride;
            let gs = grad.get_mut(start..start + pixels).ok_or(SHAPE)?;
            for (g, &y) in gs.iter_mut().zip(ys) {
                let (pos, neg) = weights(y.into(), c as u32, labels.ignore);
                *g *= pos * k.positive + neg * k.negative;
            }
        }
    }
    Ok(())
}
