//! Pass 1: the soft confusion entries of a batch, block by block, and `dA/d(input)` of
//! each sample for pass 2.

use crate::amplifier::{Amplified, Amplifier};
use crate::confusion::Confusion;
use crate::error::Error;
use crate::kernel::{Kernel, SIGN};
use crate::lanes::{block_len, reduce, Compensated, LaneSums, STAGE, WIDE};
use crate::sample_weights::SampleWeights;

/// Added to a label, sets the top bit exactly when the label is above 1.
const LABEL_FLAG: u32 = 0x7FFF_FFFE;

/// The checks shared by both forms of pass 1.
#[inline(always)]
pub(crate) fn check_lengths(
    labels: &[u8],
    xs: &[f32],
    weights: &impl SampleWeights,
) -> Result<(), Error> {
    if labels.len() != xs.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: xs.len(),
        });
    }
    if let Some(found) = weights.len().filter(|&n| n != labels.len()) {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found,
        });
    }
    if labels.is_empty() {
        return Err(Error::Empty);
    }
    Ok(())
}

/// The gradient buffer has one element per label.
#[inline(always)]
pub(crate) fn check_cache(labels: &[u8], cache: &[f32]) -> Result<(), Error> {
    if cache.len() != labels.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: cache.len(),
        });
    }
    Ok(())
}

/// Pass 1 alone: the entries of `labels`, inputs `xs` (for [`Kernel`] `K`) and sample
/// `weights`, at `W` lanes.
///
/// Errors are reported for the first offending sample. The derivatives go to a scratch
/// block, which the gradient path does not pay for (zeroing it is a tenth of a call at
/// N = 64). Callers keep this out of the gradient path's frame: inlined there, the 1 KiB
/// scratch made every gradient call's frame that much bigger on a Cortex-M4.
#[inline(always)]
pub(crate) fn entries<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    weights: S,
) -> Result<Confusion, Error> {
    check_lengths(labels, xs, &weights)?;
    let mut totals = [Compensated::default(); 4];
    let mut scratch = [0.0f32; block_len(WIDE)];
    let len = block_len(W);
    for (b, (ys, xs)) in labels.chunks(len).zip(xs.chunks(len)).enumerate() {
        let out = scratch.get_mut(..ys.len()).unwrap_or(&mut []);
        let ws = weights.block(b * len, ys.len());
        step::<K, S, W>(amp, ys, xs, ws, out, b * len, &mut totals)?;
    }
    Ok(total_of(&totals))
}

/// Pass 1 of the two-pass gradient: the entries, and `dA/d(input)` of each sample written
/// into `cache`, times the sample's weight (so pass 2 needs no `exp`). On error the contents of `cache` are
/// unspecified.
// Inlined into the caller (`loss_and_grad`): one stack frame instead of two, which on a
// Cortex-M4 is 20 bytes less (a saved-register area and the result slot), and the
// run-time dispatch needs it inlined into its target-feature function.
#[inline(always)]
pub(crate) fn entries_into<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    weights: S,
    cache: &mut [f32],
) -> Result<Confusion, Error> {
    check_lengths(labels, xs, &weights)?;
    check_cache(labels, cache)?;
    let mut totals = [Compensated::default(); 4];
    let len = block_len(W);
    let blocks = labels.chunks(len).zip(xs.chunks(len)).enumerate();
    for ((b, (ys, xs)), out) in blocks.zip(cache.chunks_mut(len)) {
        let ws = weights.block(b * len, ys.len());
        step::<K, S, W>(amp, ys, xs, ws, out, b * len, &mut totals)?;
    }
    Ok(total_of(&totals))
}

#[inline(always)]
pub(crate) fn total_of(totals: &[Compensated; 4]) -> Confusion {
    Confusion::new(
        totals[0].value(),
        totals[1].value(),
        totals[2].value(),
        totals[3].value(),
    )
}

/// One block of pass 1, added into `totals`; `offset` is the block's first index.
#[inline(always)]
fn step<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
    offset: usize,
    totals: &mut [Compensated; 4],
) -> Result<(), Error> {
    let entries = block_entries::<K, S, W>(amp, ys, xs, ws, out, offset)?;
    for (total, entry) in totals.iter_mut().zip(entries) {
        total.add(entry);
    }
    Ok(())
}

/// The entries `[TP, FN, FP, TN]` of one block, summed from zero; `offset` is the block's
/// first index.
#[inline(always)]
pub(crate) fn block_entries<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
    offset: usize,
) -> Result<[f32; 4], Error> {
    let (lanes, ok) = block::<K, S, W>(amp, ys, xs, ws, out);
    if !ok {
        if let Some(e) = first_error::<K, S>(ys, xs, ws, out.len(), offset) {
            return Err(e);
        }
    }
    Ok([lanes.tp, lanes.fn_, lanes.fp, lanes.tn].map(|lane| reduce(&lane)))
}

/// The lane sums of one block of labels, inputs and weights, with `w·dA/d(input)` into
/// `out`, and whether every label, input and weight of the block is certainly valid.
///
/// Validity is not decided per sample with a branch: each shape keeps a cheap block-wide
/// flag, and a flagged block is rescanned exactly by [`first_error`]. A label's weights
/// are `w·y` and `w - w·y` as floats, and the negatives' entries are the sample's total
/// minus its positive part, exact for 0 and 1 (and with `w = 1`, which the unweighted
/// build folds away, the same operations as without weights). One-lane cores run [`one_lane`], SIMD cores
/// [`lanes`].
#[inline(always)]
fn block<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, bool) {
    let complete =
        out.len() == ys.len() && xs.len() == ys.len() && ws.len().is_none_or(|n| n == ys.len());
    let (s, flags) = if W == 1 {
        one_lane::<K, S, W>(amp, ys, xs, ws, out)
    } else {
        lanes_outlined::<K, S, W>(amp, ys, xs, ws, out)
    };
    (s, complete && (flags | ws.invalid_flag()) & SIGN == 0)
}

/// A label's [`Kernel::invalid_flag`] word: the top bit is set exactly when the label is above 1.
#[inline(always)]
fn label_invalid_flag(y: u8) -> u32 {
    u32::from(y).wrapping_add(LABEL_FLAG)
}

/// [`block`] on an in-order core (Cortex-M): one pass, exp included. There is no window
/// to fill, and one loop is smaller (LLVM unrolled the split form into three copies of
/// the exp) and as fast. Inputs and labels are checked by OR-ing their
/// [`Kernel::invalid_flag`] words: two or three integer operations, where float compares cost
/// a compare, a status move and a conditional move each on a Cortex-M4.
#[inline(always)]
fn one_lane<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    let (mut tp, mut fn_, mut fp, mut tn) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut flags = 0u32;
    for (((&y, &x), o), w) in ys.iter().zip(xs).zip(out.iter_mut()).zip(ws.values()) {
        let amped = K::eval(amp, x);
        flags |= K::invalid_flag(x) | label_invalid_flag(y);
        let ([t, f, p, n], slope) = weighted_entries(y, w, amped);
        tp += t;
        fn_ += f;
        fp += p;
        tn += n;
        *o = slope;
    }
    let mut s = LaneSums::<W>::ZERO;
    add_to_lane(&mut s, 0, tp, fn_, fp, tn);
    (s, flags)
}

/// One sample's entries `[TP, FN, FP, TN]` under label `y` and weight `w`, and its
/// `w·dA/d(input)`, for both loops of [`block`] (whose docs say why these operations).
#[inline(always)]
fn weighted_entries(y: u8, w: f32, amped: Amplified) -> ([f32; 4], f32) {
    let pos = f32::from(y) * w;
    let tp = pos * amped.a;
    let fn_ = pos * amped.one_minus_a;
    (
        [tp, fn_, w * amped.a - tp, w * amped.one_minus_a - fn_],
        amped.slope * w,
    )
}

/// Adds one sample's entries to lane `k` (in bounds: callers pass `k < W`).
#[inline(always)]
fn add_to_lane<const W: usize>(s: &mut LaneSums<W>, k: usize, tp: f32, fn_: f32, fp: f32, tn: f32) {
    if let (Some(a), Some(b), Some(c), Some(d)) = (
        s.tp.get_mut(k),
        s.fn_.get_mut(k),
        s.fp.get_mut(k),
        s.tn.get_mut(k),
    ) {
        *a += tp;
        *b += fn_;
        *c += fp;
        *d += tn;
    }
}

/// [`lanes`] in a function of its own, compiled for AVX2 when `W` asks for it (see
/// `dispatch.rs`): inlined into the whole call, its lane loop was no longer unrolled and
/// ran one lane at a time (AVX2: 4.8 against 1.4 ns/sample).
#[inline(never)]
fn lanes_outlined<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    crate::dispatch::vectorized::<W, _>(
        #[inline(always)]
        || lanes::<K, S, W>(amp, ys, xs, ws, out),
    )
}

/// [`block`] on a SIMD core, run by run of [`STAGE`] samples: the exps of every sample
/// of the run first, into `out`, in loops with no carried dependency
/// ([`crate::staged::stages`]), so that the long exp chains of consecutive samples overlap
/// (fused with the sums, the out-of-order window held too few samples to hide them:
/// llvm-mca, znver3, 47 cycles per 4 samples against 14 issued); then the sums, lane by
/// lane.
///
/// The inputs are checked here by lane-wise minimum, maximum and sum (any NaN or infinity
/// makes a sum non-finite; anything out of range moves the minimum or maximum out; a
/// finite sum that overflows only sends the block to the exact rescan), one instruction
/// each per vector, and the labels by one OR over their bytes. The bit test of
/// [`one_lane`] measured no faster here (SSE2, N = 10^6: 2.7 to 3.6 against 2.5 ns per
/// sample).
// `k < W` indexes `[_; W]` arrays: in bounds by construction, and the compiler drops the
// checks. Plain indexing keeps the loop in the shape LLVM vectorizes.
#[allow(clippy::indexing_slicing, clippy::modulo_one)]
#[inline(always)]
fn lanes<K: Kernel, S: SampleWeights, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    let labels_ok = ys.iter().fold(0u8, |acc, &y| acc | y) <= 1;
    let mut s = LaneSums::<W>::ZERO;
    let mut lo = [K::LOWEST; W];
    let mut hi = [K::HIGHEST; W];
    let mut sum = [0.0f32; W];
    let mut extras = [K::Extra::default(); STAGE];
    let mut scales = [0.0f32; STAGE];
    let short = K::short_exps_exact(amp);
    let fused = crate::dispatch::fuses(W);
    let mut lane = |k: usize, y: u8, x: f32, extra: K::Extra, w: f32, o: &mut f32| {
        let amped = crate::staged::finish::<K>(amp, fused, x, *o, extra);
        // Compare-and-pick, not `f32::min`, which adds NaN handling the sum already does.
        if K::BOUNDED {
            lo[k] = if x < lo[k] { x } else { lo[k] };
            hi[k] = if x > hi[k] { x } else { hi[k] };
        }
        sum[k] += x;
        let ([tp, fn_, fp, tn], slope) = weighted_entries(y, w, amped);
        s.tp[k] += tp;
        s.fn_[k] += fn_;
        s.fp[k] += fp;
        s.tn[k] += tn;
        *o = slope;
    };
    // Runs start at multiples of `W`, so sample `i` of the block goes to lane `i % W`
    // whatever the run length.
    let runs = ys
        .chunks(STAGE)
        .zip(xs.chunks(STAGE))
        .zip(out.chunks_mut(STAGE));
    for (r, ((ys, xs), out)) in runs.enumerate() {
        let ws = ws.block(r * STAGE, ys.len());
        let extras = &mut extras[..xs.len()];
        crate::staged::stages::<K>(amp, short, fused, xs, out, extras, &mut scales);
        let (yc, yr) = ys.as_chunks::<W>();
        let (xc, xr) = xs.as_chunks::<W>();
        let (oc, or) = out.as_chunks_mut::<W>();
        let (ec, er) = extras.as_chunks::<W>();
        let chunks = yc.iter().zip(xc).zip(ec).zip(oc.iter_mut());
        for (j, (((y, x), extra), o)) in chunks.enumerate() {
            // Through local copies: the chunk's loads all come before its stores whatever
            // the pointers' provenance (under run-time dispatch the slices reach this code
            // through `pulp`, whose call loses their no-alias facts, and the SLP vectorizer
            // then kept the lanes scalar).
            let (y, x, extra, w, mut e) = (*y, *x, *extra, ws.chunk::<W>(j), *o);
            for k in 0..W {
                lane(k, y[k], x[k], extra[k], w[k], &mut e[k]);
            }
            *o = e;
        }
        let rest = yc.len() * W;
        let tail = yr.iter().zip(xr).zip(er).zip(or.iter_mut());
        for (k, (((&y, &x), &extra), o)) in tail.enumerate() {
            lane(k % W, y, x, extra, ws.at(rest + k), o);
        }
    }
    let in_range = lo.iter().all(|&v| v >= K::LOWEST) && hi.iter().all(|&v| v <= K::HIGHEST);
    let finite = sum.iter().all(|v| v.is_finite());
    let ok = in_range && finite && labels_ok;
    (s, if ok { 0 } else { SIGN })
}

#[cold]
fn first_error<K: Kernel, S: SampleWeights>(
    ys: &[u8],
    xs: &[f32],
    ws: S,
    out_len: usize,
    offset: usize,
) -> Option<Error> {
    for (i, (&y, &x)) in ys.iter().zip(xs).enumerate() {
        let index = offset + i;
        if !x.is_finite() {
            return Some(Error::NonFinite { index });
        }
        if !K::is_valid(x) {
            return Some(Error::ProbabilityOutOfRange { index });
        }
        if y > 1 {
            return Some(Error::InvalidLabel { index });
        }
        if let Some(e) = ws.error_at(i, index) {
            return Some(e);
        }
    }
    // Lengths were checked by `check_lengths`; a mismatch here would be a bug, reported as one.
    let weights_fit = ws.len().is_none_or(|n| n == ys.len());
    (out_len != ys.len() || xs.len() != ys.len() || !weights_fit).then_some(Error::LengthMismatch {
        expected: ys.len(),
        found: out_len,
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::kernel::{LogitKernel, ProbKernel};
    use crate::sample_weights::Unweighted;

    /// How far apart fused and unfused derivatives may be, relative. One ulp of the sigmoid
    /// (`2^-25` near 0.36) moves `x = L·(p - t)` by `73·2^-25 = 2.2e-6` and the slope by
    /// as much relative: the fused and unfused sigmoids differ by an ulp or two (measured
    /// here: 4.8e-6). Both stay within 1e-5 of f64 (`fused_logit_stages_match_f64_*`).
    const FUSED_RELATIVE: f32 = 1e-5;

    /// Every lane count a build can run (1 on Cortex-M, 4 with SSE2, 8 with AVX2) gives the
    /// same per-sample derivatives bit for bit, and the same entries up to summation order;
    /// a lane count that fuses multiply-adds ([`crate::dispatch::fuses`]: AVX2 under
    /// `dispatch`), derivatives within [`FUSED_RELATIVE`] of the others.
    #[test]
    fn lane_counts_agree() {
        fn run<K: Kernel, const W: usize>(
            ys: &[u8],
            xs: &[f32],
        ) -> (Confusion, std::vec::Vec<f32>, bool) {
            let amp = Amplifier::default();
            let mut cache = std::vec![0.0f32; xs.len()];
            let c = entries_into::<K, _, W>(&amp, ys, xs, Unweighted, &mut cache).unwrap();
            assert_eq!(entries::<K, _, W>(&amp, ys, xs, Unweighted).unwrap(), c);
            (c, cache, crate::dispatch::fuses(W))
        }
        fn close(a: &Confusion, b: &Confusion) {
            for (x, y) in [(a.tp, b.tp), (a.fn_, b.fn_), (a.fp, b.fp), (a.tn, b.tn)] {
                assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0), "{a:?} vs {b:?}");
            }
        }
        fn same(g: &[f32], g1: &[f32], fused: bool, n: usize) {
            if !fused {
                assert_eq!(g, g1, "n={n}");
                return;
            }
            for (i, (&a, &b)) in g.iter().zip(g1).enumerate() {
                let tol = FUSED_RELATIVE * b.abs();
                assert!((a - b).abs() <= tol, "n={n} i={i}: {a} vs {b}");
            }
        }
        // Lengths around the block sizes of every lane count, and a remainder in each.
        for n in [1usize, 7, 255, 256, 1023, 1024, 2048 + 13, 20_000] {
            let ys: std::vec::Vec<u8> = (0..n).map(|i| u8::from(i % 5 < 2)).collect();
            let ps: std::vec::Vec<f32> = (0..n).map(|i| (i * 7919 % 1000) as f32 / 999.0).collect();
            let zs: std::vec::Vec<f32> = ps.iter().map(|p| 12.0 * (p - 0.5)).collect();
            let (c1, g1, _) = run::<ProbKernel, 1>(&ys, &ps);
            for (c, g, fused) in [
                run::<ProbKernel, 4>(&ys, &ps),
                run::<ProbKernel, 8>(&ys, &ps),
            ] {
                same(&g, &g1, fused, n);
                close(&c, &c1);
            }
            let (c1, g1, _) = run::<LogitKernel, 1>(&ys, &zs);
            for (c, g, fused) in [
                run::<LogitKernel, 4>(&ys, &zs),
                run::<LogitKernel, 8>(&ys, &zs),
            ] {
                same(&g, &g1, fused, n);
                close(&c, &c1);
            }
        }
    }
}
