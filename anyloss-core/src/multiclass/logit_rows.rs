//! Softmax logits of segmentation maps whose pixels are contiguous for each (sample,
//! class): the softmax runs across the class planes on tiles of neighbouring pixels, so
//! every plane is read in order and each step is a short loop the compiler vectorizes,
//! instead of gathering `C` values `H·W` apart for every pixel.

use super::class_confusion::ClassTotals;
use super::labels::{membership, Labels};
use super::layout::Layout;
use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::error::{Error, Parameter};
use crate::lanes::BLOCK;
use crate::math;
use crate::metric::Coefficients;
use crate::sample_weights::SampleWeights;

const SHAPE: Error = Error::InvalidParameter(Parameter::Shape);

/// Pixels per tile. The tile's softmax lives in `C × TILE` floats on the stack.
const TILE: usize = 16;

/// `[class][pixel of the tile]`.
type Tile<const C: usize> = [[f32; TILE]; C];

/// `probs[c][k] = softmax_c(z at pixel k of the tile)` for the first `width` pixels of the
/// tile starting at offset `start` of class 0; the rest of the tile is left finite.
/// Returns false when a logit is not finite (or the tile is outside `z`).
#[inline(always)]
fn softmax_tile<const C: usize>(
    z: &[f32],
    start: usize,
    class_stride: usize,
    width: usize,
    probs: &mut Tile<C>,
) -> bool {
    let mut max = [f32::NEG_INFINITY; TILE];
    let mut finite = true;
    for (c, row) in probs.iter_mut().enumerate() {
        let offset = start + c * class_stride;
        let Some(zs) = z.get(offset..offset + width) else {
            return false;
        };
        *row = [0.0; TILE];
        for ((p, m), &x) in row.iter_mut().zip(max.iter_mut()).zip(zs) {
            *p = x;
            *m = if x > *m { x } else { *m };
            finite &= math::abs(x) <= f32::MAX;
        }
    }
    let mut sum = [0.0f32; TILE];
    for row in probs.iter_mut() {
        for ((p, s), m) in row.iter_mut().zip(sum.iter_mut()).zip(max) {
            // Pixels past `width` hold 0 with max -inf: pin them to exp(0) so all stays finite.
            let m = if m == f32::NEG_INFINITY { 0.0 } else { m };
            *p = math::exp(*p - m);
            *s += *p;
        }
    }
    let inv = sum.map(|s| 1.0 / s);
    for row in probs.iter_mut() {
        for (p, i) in row.iter_mut().zip(inv) {
            *p *= i;
        }
    }
    finite
}

#[cold]
fn first_error(
    z: &[f32],
    start: usize,
    class_stride: usize,
    width: usize,
    classes: usize,
) -> Error {
    for pixel in 0..width {
        for c in 0..classes {
            let index = start + c * class_stride + pixel;
            if !z.get(index).is_some_and(|x| x.is_finite()) {
                return Error::NonFinite { index };
            }
        }
    }
    SHAPE
}

/// Pass 1: entries of every class, and `w·dA/dp` of each element into `cache` when given.
/// `weights` (one per position) were checked with the labels.
pub(crate) fn accumulate<const C: usize, Y: Copy + Into<u32>>(
    amp: &Amplifier,
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    logits: &[f32],
    weights: impl SampleWeights,
    mut cache: Option<&mut [f32]>,
) -> Result<ClassTotals<C>, Error> {
    let class_stride = layout.strides().class;
    let mut totals = ClassTotals::<C>::new();
    // Per class, per tile lane: TP, FN, FP, TN, flushed into `totals` every block.
    let mut lanes = [[[0.0f32; TILE]; 4]; C];
    let mut tiles = 0usize;
    let mut scratch = [0.0f32; TILE];
    for_each_tile(layout, labels, logits, |start, position, ys, probs| {
        let width = ys.len();
        let ws = weights.block(position, width);
        for (c, (row, acc)) in probs.iter().zip(lanes.iter_mut()).enumerate() {
            let offset = start + c * class_stride;
            let out = match cache.as_deref_mut() {
                Some(cache) => cache.get_mut(offset..offset + width),
                None => scratch.get_mut(..width),
            }
            .ok_or(SHAPE)?;
            let [tp, fn_, fp, tn] = acc;
            let lane = tp.iter_mut().zip(fn_.iter_mut()).zip(fp.iter_mut().zip(tn));
            for (((((tp, fn_), (fp, tn)), (&p, &y)), o), w) in lane
                .zip(row.iter().zip(ys))
                .zip(out.iter_mut())
                .zip(ws.values())
            {
                let amped = amp.amplify(p);
                let (pos, neg) = membership(y.into(), c as u32, labels.ignore);
                let (pos, neg) = (pos * w, neg * w);
                *tp += pos * amped.a;
                *fn_ += pos * amped.one_minus_a;
                *fp += neg * amped.a;
                *tn += neg * amped.one_minus_a;
                *o = amped.slope * w;
            }
        }
        tiles += 1;
        if tiles * TILE >= BLOCK {
            flush(&mut totals, &mut lanes);
            tiles = 0;
        }
        Ok(())
    })?;
    flush(&mut totals, &mut lanes);
    Ok(totals)
}

fn flush<const C: usize>(totals: &mut ClassTotals<C>, lanes: &mut [[[f32; TILE]; 4]; C]) {
    for (c, acc) in lanes.iter_mut().enumerate() {
        let [tp, fn_, fp, tn] = acc.map(|lane| lane.iter().sum::<f32>());
        totals.add(c, &Confusion::new(tp, fn_, fp, tn));
        *acc = [[0.0; TILE]; 4];
    }
}

/// Pass 2 on the `dA/dp` cached in `grad`: `∂loss/∂z_j = p_j (g_j − Σ_k p_k g_k)` with
/// `g_j = ∂loss/∂p_j`, the softmax recomputed tile by tile.
pub(crate) fn scale<const C: usize, Y: Copy + Into<u32>>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    logits: &[f32],
    coefficients: &[Coefficients; C],
    grad: &mut [f32],
) -> Result<(), Error> {
    let class_stride = layout.strides().class;
    for_each_tile(layout, labels, logits, |start, _, ys, probs| {
        let width = ys.len();
        // g_c = coefficient · cached dA/dp; first the tile's Σ_c p_c g_c, then the JVP.
        let g = |c: usize, y: Y, k: &Coefficients, slope: f32| {
            let (pos, neg) = membership(y.into(), c as u32, labels.ignore);
            slope * (pos * k.positive + neg * k.negative)
        };
        let mut mean = [0.0f32; TILE];
        for (c, (row, k)) in probs.iter().zip(coefficients).enumerate() {
            let offset = start + c * class_stride;
            let slopes = grad.get(offset..offset + width).ok_or(SHAPE)?;
            for ((m, &p), (&y, &s)) in mean.iter_mut().zip(row).zip(ys.iter().zip(slopes)) {
                *m += p * g(c, y, k, s);
            }
        }
        for (c, (row, k)) in probs.iter().zip(coefficients).enumerate() {
            let offset = start + c * class_stride;
            let out = grad.get_mut(offset..offset + width).ok_or(SHAPE)?;
            for ((o, (&p, &m)), &y) in out.iter_mut().zip(row.iter().zip(&mean)).zip(ys) {
                *o = p * (g(c, y, k, *o) - m);
            }
        }
        Ok(())
    })
}

/// Every tile of every sample, in order: `each` gets the tile's first element index, its
/// first position (label index), its labels and the softmax of its logits (the shared
/// traversal of both passes).
fn for_each_tile<const C: usize, Y: Copy>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    logits: &[f32],
    mut each: impl FnMut(usize, usize, &[Y], &Tile<C>) -> Result<(), Error>,
) -> Result<(), Error> {
    let class_stride = layout.strides().class;
    let mut probs: Tile<C> = [[0.0; TILE]; C];
    for sample in 0..layout.samples() {
        let ys = labels.of_sample(layout, sample).ok_or(SHAPE)?;
        for (t, ys) in ys.chunks(TILE).enumerate() {
            let start = layout.base(sample, t * TILE);
            let width = ys.len();
            if !softmax_tile(logits, start, class_stride, width, &mut probs) {
                return Err(first_error(logits, start, class_stride, width, C));
            }
            each(start, sample * layout.pixels() + t * TILE, ys, &probs)?;
        }
    }
    Ok(())
}
