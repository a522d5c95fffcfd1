//! The fast path of segmentation maps: probabilities whose pixels are contiguous for each
//! (sample, class), summed in lanes along the row like the binary kernel.

use super::class_confusion::ClassTotals;
use super::labels::{membership, Labels};
use super::layout::Layout;
use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::dispatch::{vectorized, wide};
use crate::error::{Error, Parameter};
use crate::kernel::{Kernel, ProbKernel};
use crate::lanes::{block_len, reduce, LaneSums, LANES, WIDE};
use crate::metric::Coefficients;
use crate::sample_weights::SampleWeights;

#[cfg(feature = "parallel")]
extern crate std;

const SHAPE: Error = Error::InvalidParameter(Parameter::Shape);

/// Pass 1: entries of every class, and `w·dA/dp` of each element into `cache` when given,
/// at the widest lane count this CPU runs (see `dispatch.rs`). `weights` (one per
/// position) were checked with the labels.
pub(crate) fn accumulate<const C: usize, Y: Copy + Into<u32> + Sync, S: SampleWeights>(
    amp: &Amplifier,
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    probs: &[f32],
    weights: S,
    cache: Option<&mut [f32]>,
) -> Result<ClassTotals<C>, Error> {
    if wide() {
        accumulate_at::<C, Y, S, WIDE>(amp, layout, labels, probs, weights, cache)
    } else {
        accumulate_at::<C, Y, S, LANES>(amp, layout, labels, probs, weights, cache)
    }
}

fn accumulate_at<const C: usize, Y: Copy + Into<u32> + Sync, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    probs: &[f32],
    weights: S,
    mut cache: Option<&mut [f32]>,
) -> Result<ClassTotals<C>, Error> {
    const { assert!(W <= WIDE) };
    let rows = Rows {
        amp,
        layout,
        labels,
        probs,
        weights,
    };
    #[cfg(feature = "parallel")]
    if crate::parallel::splits(layout.positions().saturating_mul(C)) {
        if let Some(result) = across_threads::<C, Y, S, W>(&rows, cache.as_deref_mut()) {
            return result;
        }
    }
    let mut totals = ClassTotals::<C>::new();
    let mut scratch = [0.0f32; block_len(WIDE)];
    let (pixels, class_stride) = (layout.pixels(), layout.strides().class);
    for sample in 0..layout.samples() {
        for c in 0..C {
            let start = layout.base(sample, 0) + c * class_stride;
            let row = match cache.as_deref_mut() {
                Some(cache) => Some(cache.get_mut(start..start + pixels).ok_or(SHAPE)?),
                None => None,
            };
            let add = |e: Confusion| totals.add(c, &e);
            rows.entries::<W>(sample, c, start, row, &mut scratch, add)?;
        }
    }
    Ok(totals)
}

/// What pass 1 reads, shared by every (sample, class) row.
struct Rows<'a, const C: usize, Y, S> {
    amp: &'a Amplifier,
    layout: &'a Layout<C>,
    labels: &'a Labels<'a, Y>,
    probs: &'a [f32],
    weights: S,
}

impl<const C: usize, Y: Copy + Into<u32>, S: SampleWeights> Rows<'_, C, Y, S> {
    /// The entries of the row of `sample` and class `c`, which starts at `start`, block by
    /// block into `add`, with `w·dA/dp` into `row` (the row's part of the cache) when given,
    /// else into `scratch`.
    #[inline(always)]
    fn entries<const W: usize>(
        &self,
        sample: usize,
        c: usize,
        start: usize,
        mut row: Option<&mut [f32]>,
        scratch: &mut [f32; block_len(WIDE)],
        mut add: impl FnMut(Confusion),
    ) -> Result<(), Error> {
        let (pixels, len) = (self.layout.pixels(), block_len(W));
        let ys = self.labels.of_sample(self.layout, sample).ok_or(SHAPE)?;
        let ws = self.weights.block(sample * pixels, pixels);
        let xs = self.probs.get(start..start + pixels).ok_or(SHAPE)?;
        let (class, ignore) = (c as u32, self.labels.ignore);
        for (b, (ys, xs)) in ys.chunks(len).zip(xs.chunks(len)).enumerate() {
            let out = match row.as_deref_mut() {
                Some(row) => row.get_mut(b * len..b * len + xs.len()),
                None => scratch.get_mut(..xs.len()),
            }
            .ok_or(SHAPE)?;
            let (ws, offset) = (ws.block(b * len, ys.len()), start + b * len);
            add(block_entries::<Y, S, W>(
                self.amp, class, ignore, ys, xs, ws, out, offset,
            )?);
        }
        Ok(())
    }
}

/// [`accumulate_at`] across threads, one (sample, class) row per task: the same blocks,
/// added into the same totals in the same order, so the same results bit for bit (see
/// `parallel.rs`). `None` where the rows of `cache` overlap, which the sequential path
/// reports.
#[cfg(feature = "parallel")]
fn across_threads<const C: usize, Y: Copy + Into<u32> + Sync, S: SampleWeights, const W: usize>(
    rows: &Rows<'_, C, Y, S>,
    cache: Option<&mut [f32]>,
) -> Option<Result<ClassTotals<C>, Error>> {
    let starts = row_starts(rows.layout);
    let cache_rows = crate::parallel::split_optional_rows(cache, &starts, rows.layout.pixels())?;
    let per_row = crate::parallel::map_rows(cache_rows, |r, row| {
        let start = starts.get(r).copied().ok_or(SHAPE)?;
        let mut scratch = [0.0f32; block_len(WIDE)];
        let mut entries = std::vec::Vec::new();
        let add = |e: Confusion| entries.push(e);
        rows.entries::<W>(r / C, r % C, start, row, &mut scratch, add)?;
        Ok(entries)
    });
    let mut totals = ClassTotals::<C>::new();
    for (r, entries) in per_row.into_iter().enumerate() {
        match entries {
            Ok(entries) => entries.iter().for_each(|e| totals.add(r % C, e)),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(totals))
}

/// Where each (sample, class) row starts, row `sample·C + class`.
#[cfg(feature = "parallel")]
fn row_starts<const C: usize>(layout: &Layout<C>) -> std::vec::Vec<usize> {
    let class_stride = layout.strides().class;
    let rows = layout.samples() * C;
    (0..rows)
        .map(|r| layout.base(r / C, 0) + (r % C) * class_stride)
        .collect()
}

/// The entries of one block of a (sample, class) row, with `w·dA/dp` into `out`; `offset`
/// is the block's first index in the buffer.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn block_entries<Y: Copy + Into<u32>, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    class: u32,
    ignore: u32,
    ys: &[Y],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
    offset: usize,
) -> Result<Confusion, Error> {
    let (lanes, complete, clean) = block_outlined::<Y, S, W>(amp, class, ignore, ys, xs, ws, out);
    if !complete {
        return Err(SHAPE);
    }
    if !clean {
        if let Some(e) = first_error(xs, offset) {
            return Err(e);
        }
    }
    Ok(Confusion::new(
        reduce(&lanes.tp),
        reduce(&lanes.fn_),
        reduce(&lanes.fp),
        reduce(&lanes.tn),
    ))
}

/// [`block`] in a function of its own, compiled for AVX2 when `W` asks for it (see
/// `dispatch.rs`).
#[inline(never)]
fn block_outlined<Y: Copy + Into<u32>, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    class: u32,
    ignore: u32,
    ys: &[Y],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, bool, bool) {
    vectorized::<W, _>(
        #[inline(always)]
        || block::<Y, S, W>(amp, class, ignore, ys, xs, ws, out),
    )
}

/// The lane sums of one block of a (sample, class) row, with `w·dA/dp` into `out`, whether
/// the lengths matched, and whether every probability is certainly valid. Without weights
/// `w` is the constant 1, folded away.
///
/// Validity is not decided per element, which would put a mask of bools in the loop: each
/// lane ORs the [`Kernel::invalid_flag`] words of its inputs, and a flagged block is rescanned
/// exactly by [`first_error`].
// `k < W` indexes `[_; W]` arrays: in bounds by construction, and the compiler drops the
// checks. Plain indexing keeps the loop in the shape LLVM vectorizes. `k % W` is 0 on
// one-lane targets; the expression stays for the others.
#[allow(clippy::indexing_slicing, clippy::modulo_one)]
#[inline(always)]
fn block<Y: Copy + Into<u32>, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    class: u32,
    ignore: u32,
    ys: &[Y],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, bool, bool) {
    let mut s = LaneSums::<W>::ZERO;
    let mut flags = [0u32; W];
    let mut lane = |k: usize, y: Y, x: f32, w: f32, o: &mut f32| {
        let amped = ProbKernel::eval(amp, x);
        flags[k] |= ProbKernel::invalid_flag(x);
        let (pos, neg) = membership(y.into(), class, ignore);
        let (pos, neg) = (pos * w, neg * w);
        s.tp[k] += pos * amped.a;
        s.fn_[k] += pos * amped.one_minus_a;
        s.fp[k] += neg * amped.a;
        s.tn[k] += neg * amped.one_minus_a;
        *o = amped.slope * w;
    };
    let (yc, yr) = ys.as_chunks::<W>();
    let (xc, xr) = xs.as_chunks::<W>();
    let (oc, or) = out.as_chunks_mut::<W>();
    for (j, ((y, x), o)) in yc.iter().zip(xc).zip(oc.iter_mut()).enumerate() {
        // Through local copies, as in the binary kernel: all loads before all stores.
        let (y, x, w) = (*y, *x, ws.chunk::<W>(j));
        let mut e = [0.0f32; W];
        for k in 0..W {
            lane(k, y[k], x[k], w[k], &mut e[k]);
        }
        *o = e;
    }
    let rest = yc.len() * W;
    for (k, ((&y, &x), o)) in yr.iter().zip(xr).zip(or.iter_mut()).enumerate() {
        lane(k % W, y, x, ws.at(rest + k), o);
    }
    let complete =
        out.len() == xs.len() && ys.len() == xs.len() && ws.len().is_none_or(|n| n == ys.len());
    let clean = flags.iter().fold(0, |acc, &w| acc | w) >> 31 == 0;
    (s, complete, clean)
}

/// The error of the first probability of `xs` that is not finite or not in `[0, 1]`, if any.
#[cold]
pub(crate) fn first_error(xs: &[f32], offset: usize) -> Option<Error> {
    xs.iter().enumerate().find_map(|(i, &x)| {
        let index = offset + i;
        if !x.is_finite() {
            Some(Error::NonFinite { index })
        } else if !ProbKernel::is_valid(x) {
            Some(Error::ProbabilityOutOfRange { index })
        } else {
            None
        }
    })
}

/// Pass 2: `grad *= ∂loss/∂a` of each element's class and label.
pub(crate) fn scale<const C: usize, Y: Copy + Into<u32> + Sync>(
    layout: &Layout<C>,
    labels: &Labels<'_, Y>,
    coefficients: &[Coefficients; C],
    grad: &mut [f32],
) -> Result<(), Error> {
    let pixels = layout.pixels();
    let class_stride = layout.strides().class;
    let wide = wide();
    #[cfg(feature = "parallel")]
    if crate::parallel::splits(layout.positions().saturating_mul(C)) {
        let starts = row_starts(layout);
        if let Some(rows) = crate::parallel::split_rows(grad, &starts, pixels) {
            let rows = rows.into_iter().map(Some).collect();
            let done = crate::parallel::map_rows(rows, |r, row| {
                let (sample, c) = (r / C, r % C);
                let ys = labels.of_sample(layout, sample).ok_or(SHAPE)?;
                let (Some(gs), Some(k)) = (row, coefficients.get(c)) else {
                    return Err(SHAPE);
                };
                scale_row_widest(wide, ys, gs, c as u32, labels.ignore, k);
                Ok(())
            });
            return crate::parallel::first_error(&done);
        }
    }
    for sample in 0..layout.samples() {
        let ys = labels.of_sample(layout, sample).ok_or(SHAPE)?;
        for (c, k) in coefficients.iter().enumerate() {
            let start = layout.base(sample, 0) + c * class_stride;
            let gs = grad.get_mut(start..start + pixels).ok_or(SHAPE)?;
            scale_row_widest(wide, ys, gs, c as u32, labels.ignore, k);
        }
    }
    Ok(())
}

/// [`scale_row`] at the widest lane count this CPU runs (`wide`, read once per call).
#[inline(always)]
fn scale_row_widest<Y: Copy + Into<u32>>(
    wide: bool,
    ys: &[Y],
    gs: &mut [f32],
    class: u32,
    ignore: u32,
    k: &Coefficients,
) {
    if wide {
        scale_row::<Y, WIDE>(ys, gs, class, ignore, k);
    } else {
        scale_row::<Y, LANES>(ys, gs, class, ignore, k);
    }
}

/// One (sample, class) row of pass 2, compiled for AVX2 when `W` asks for it.
#[inline(never)]
fn scale_row<Y: Copy + Into<u32>, const W: usize>(
    ys: &[Y],
    gs: &mut [f32],
    class: u32,
    ignore: u32,
    k: &Coefficients,
) {
    vectorized::<W, _>(
        #[inline(always)]
        || {
            for (g, &y) in gs.iter_mut().zip(ys) {
                let (pos, neg) = membership(y.into(), class, ignore);
                *g *= pos * k.positive + neg * k.negative;
            }
        },
    )
}
