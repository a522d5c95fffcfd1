//! Soft confusion entries and their accurate accumulation.

use core::ops::{Add, AddAssign};

use crate::amplifier::{Amplified, Amplifier};
use crate::error::Error;

/// Soft confusion entries `TP = Σ y·a`, `FN = Σ y(1-a)`, `FP = Σ (1-y)a`, `TN = Σ (1-y)(1-a)`
/// with `a = A(p)`.
///
/// They are sums, so they add: the entries of chunks, mini-batches or devices combine
/// exactly into the entries of the whole (`+`, `+=`, [`Iterator::sum`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Confusion {
    /// Soft true positives.
    pub tp: f32,
    /// Soft false negatives.
    pub fn_: f32,
    /// Soft false positives.
    pub fp: f32,
    /// Soft true negatives.
    pub tn: f32,
}

impl Confusion {
    /// Entries from explicit values.
    pub const fn new(tp: f32, fn_: f32, fp: f32, tn: f32) -> Self {
        Self { tp, fn_, fp, tn }
    }

    /// Soft entries of binary `labels` (0 or 1) and probabilities `probs` in `[0, 1]`.
    pub fn from_probs(amp: &Amplifier, labels: &[u8], probs: &[f32]) -> Result<Self, Error> {
        crate::samples::entries(amp, labels, crate::Probs(probs))
    }

    /// Soft entries of binary `labels` (0 or 1) and logits `z`, with `p = sigmoid(z)`.
    pub fn from_logits(amp: &Amplifier, labels: &[u8], logits: &[f32]) -> Result<Self, Error> {
        crate::samples::entries(amp, labels, crate::Logits(logits))
    }

    /// Number of samples, `TP + FN + FP + TN`.
    pub fn total(&self) -> f32 {
        (self.tp + self.fn_) + (self.fp + self.tn)
    }

    /// Positives `TP + FN` (a label count: exact for hard labels).
    pub fn positives(&self) -> f32 {
        self.tp + self.fn_
    }

    /// Negatives `TN + FP` (a label count: exact for hard labels).
    pub fn negatives(&self) -> f32 {
        self.tn + self.fp
    }

    /// Every entry shifted by `eps`: the Laplace-style smoothing of
    /// [`crate::Degenerate::Smooth`].
    pub fn smoothed(&self, eps: f32) -> Self {
        Self::new(self.tp + eps, self.fn_ + eps, self.fp + eps, self.tn + eps)
    }

    /// True when all four entries are finite.
    pub fn is_finite(&self) -> bool {
        self.tp.is_finite() && self.fn_.is_finite() && self.fp.is_finite() && self.tn.is_finite()
    }
}

impl Add for Confusion {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self::new(
            self.tp + o.tp,
            self.fn_ + o.fn_,
            self.fp + o.fp,
            self.tn + o.tn,
        )
    }
}

impl AddAssign for Confusion {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}

impl core::iter::Sum for Confusion {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), Add::add)
    }
}

/// What the model produced for each sample.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Probabilities in `[0, 1]`; gradients are `d loss / d p`.
    Probs(&'a [f32]),
    /// Logits; gradients are `d loss / d z`. Binary losses map them through the logistic
    /// sigmoid, multi-class losses through a softmax over the classes of each sample.
    Logits(&'a [f32]),
}

impl Input<'_> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Input::Probs(s) | Input::Logits(s) => s.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Independent partial sums per lane: LLVM may not reassociate one running `+=`, so a
/// single accumulator would serialize the loop and lose accuracy at large N. One lane per
/// f32 of a vector register: with more, SSE2's 16 registers overflow and the loop spills.
#[cfg(target_feature = "avx")]
pub(crate) const LANES: usize = 8;
/// See above: SSE2 (the default x86-64 target), NEON and wasm SIMD.
#[cfg(all(
    not(target_feature = "avx"),
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_feature = "neon",
        target_feature = "simd128"
    )
))]
pub(crate) const LANES: usize = 4;
/// Cores without float SIMD (Cortex-M): unrolling over lanes only multiplies the code
/// (four inlined exps) without running anything in parallel.
#[cfg(not(any(
    target_feature = "avx",
    target_arch = "x86_64",
    target_arch = "x86",
    target_feature = "neon",
    target_feature = "simd128"
)))]
pub(crate) const LANES: usize = 1;
/// Samples per block. Each lane sums at most `BLOCK/LANES` terms in plain f32 before the
/// block total goes into a compensated running sum, which bounds the error at N = 10^6.
/// Scalar targets keep the same 256 terms per lane (and a 1 KiB scratch on the no-cache path).
pub(crate) const BLOCK: usize = block_len(LANES);
/// The widest lane count a build may run: x86-64 runs 8 lanes under AVX2 when the
/// `dispatch` feature finds it at run time (see `dispatch.rs`), whatever the build targets.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub(crate) const WIDE: usize = 8;
/// See above: other targets run [`LANES`] only.
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
pub(crate) const WIDE: usize = LANES;

/// Samples per block at `w` lanes: 256 terms per lane.
pub(crate) const fn block_len(w: usize) -> usize {
    256 * w
}

/// Kahan-compensated f32 sum: the error stays at a few ulps of the total however many
/// block totals come in. Every addend here (a block's entry) is non-negative, the case
/// where Kahan's branch-free form is as accurate as Neumaier's, which needs a compare and
/// a select (three instructions on a Cortex-M4) per add.
#[derive(Clone, Copy, Default)]
pub(crate) struct Compensated {
    sum: f32,
    /// Minus the low-order part lost by the last addition.
    carry: f32,
}

impl Compensated {
    #[inline(always)]
    pub(crate) fn add(&mut self, x: f32) {
        let y = x - self.carry;
        let t = self.sum + y;
        self.carry = (t - self.sum) - y;
        self.sum = t;
    }

    #[inline(always)]
    pub(crate) fn value(&self) -> f32 {
        self.sum - self.carry
    }
}

/// Pairwise reduction of the lanes.
#[inline(always)]
pub(crate) fn reduce<const W: usize>(lanes: &[f32; W]) -> f32 {
    let mut w = *lanes;
    let mut width = W / 2;
    while width > 0 {
        let (lo, hi) = w.split_at_mut(width);
        for (a, b) in lo.iter_mut().zip(hi.iter()) {
            *a += *b;
        }
        width /= 2;
    }
    w[0]
}

#[derive(Clone, Copy)]
pub(crate) struct LaneSums<const W: usize> {
    pub(crate) tp: [f32; W],
    pub(crate) fn_: [f32; W],
    pub(crate) fp: [f32; W],
    pub(crate) tn: [f32; W],
}

impl<const W: usize> LaneSums<W> {
    pub(crate) const ZERO: Self = Self {
        tp: [0.0; W],
        fn_: [0.0; W],
        fp: [0.0; W],
        tn: [0.0; W],
    };
}

/// The per-sample kernel: how one input is checked and amplified.
pub(crate) trait Kernel {
    /// Valid inputs lie in `[LOWEST, HIGHEST]` (and are not NaN).
    const LOWEST: f32;
    /// See [`Kernel::LOWEST`].
    const HIGHEST: f32;
    /// A word whose top bit is set when `x` may be invalid, and clear only for valid `x`.
    /// Integer operations on the bits: two or three per sample, OR-ed over a block, where
    /// float compares cost three instructions each on a Cortex-M4.
    fn suspect(x: f32) -> u32;
    /// Exactly whether `x` is valid; only for blocks that [`Kernel::suspect`] flagged.
    fn is_valid(x: f32) -> bool;
    /// The amplified value of `x`, in one piece.
    fn eval(amp: &Amplifier, x: f32) -> Amplified {
        Self::finish(amp, x, Self::prepare(amp, x))
    }
    /// The first half of [`Kernel::eval`], the long `exp` chain, kept apart so that a loop
    /// over it has no other dependency and overlaps consecutive samples.
    fn prepare(amp: &Amplifier, x: f32) -> f32;
    /// The rest of [`Kernel::eval`], from `x` and `prepare(amp, x)`.
    fn finish(amp: &Amplifier, x: f32, prepared: f32) -> Amplified;
}

/// Probabilities: `A(p)` and `dA/dp`.
pub(crate) struct ProbKernel;
impl Kernel for ProbKernel {
    const LOWEST: f32 = 0.0;
    const HIGHEST: f32 = 1.0;
    /// The sign bit flags negatives (and -0.0, which the exact check then accepts); the
    /// wrapped difference flags every pattern above 1.0's, which covers +inf and NaN.
    #[inline(always)]
    fn suspect(p: f32) -> u32 {
        let bits = p.to_bits();
        bits | ONE_BITS.wrapping_sub(bits)
    }
    fn is_valid(p: f32) -> bool {
        (0.0..=1.0).contains(&p)
    }
    #[inline(always)]
    fn prepare(amp: &Amplifier, p: f32) -> f32 {
        crate::math::exp_neg_abs(amp.l() * (p - 0.5))
    }
    #[inline(always)]
    fn finish(amp: &Amplifier, p: f32, e: f32) -> Amplified {
        amplify_from_exp(amp.l(), amp.l() * (p - 0.5), e)
    }
}

/// Logits: `A(sigmoid(z))` and `dA/dz`.
pub(crate) struct LogitKernel;
impl Kernel for LogitKernel {
    const LOWEST: f32 = f32::MIN;
    const HIGHEST: f32 = f32::MAX;
    /// An all-ones exponent (infinity or NaN) carries into the top bit; a finite
    /// magnitude stays below it.
    #[inline(always)]
    fn suspect(z: f32) -> u32 {
        (z.to_bits() & !SIGN).wrapping_add(0x0080_0000)
    }
    fn is_valid(z: f32) -> bool {
        z.is_finite()
    }
    /// The sigmoid's `exp(-|z|)`; with `finish`'s first lines this is [`crate::sigmoid`].
    #[inline(always)]
    fn prepare(_: &Amplifier, z: f32) -> f32 {
        crate::math::exp_neg_abs(z)
    }
    #[inline(always)]
    fn finish(amp: &Amplifier, z: f32, e: f32) -> Amplified {
        let big = 1.0 / (1.0 + e);
        let small = e * big;
        let p = if z >= 0.0 { big } else { small };
        let mut out = amplify(amp.l(), p);
        out.slope *= small * big;
        out
    }
}

/// Added to a label, sets the top bit exactly when the label is above 1.
const LABEL_FLAG: u32 = 0x7FFF_FFFE;
/// The bits of 1.0f32.
const ONE_BITS: u32 = 0x3F80_0000;
const SIGN: u32 = 0x8000_0000;

/// [`Amplifier::amplify`] for the hot loops: the same formulas (`e = exp(-|x|)`,
/// `1/(1+e)`, `e/(1+e)`, `L·e/(1+e)^2`) and the same results, with the sign handled by
/// bit operations rather than selects, which SSE2 lacks (a select costs three
/// instructions, the exchange below five for both outputs).
#[inline(always)]
fn amplify(l: f32, p: f32) -> Amplified {
    let x = l * (p - 0.5);
    amplify_from_exp(l, x, crate::math::exp_neg_abs(x))
}

/// [`amplify`] given `x = L(p - 0.5)` and `e = exp(-|x|)`.
#[inline(always)]
fn amplify_from_exp(l: f32, x: f32, e: f32) -> Amplified {
    let big = 1.0 / (1.0 + e);
    let small = e * big;
    // All ones where x < 0 (x is never -0.0: p - 0.5 rounds to +0.0), then A and 1-A
    // exchange `big` and `small` under that mask.
    let negative = ((x.to_bits() as i32) >> 31) as u32;
    let swap = (big.to_bits() ^ small.to_bits()) & negative;
    Amplified {
        a: f32::from_bits(big.to_bits() ^ swap),
        one_minus_a: f32::from_bits(small.to_bits() ^ swap),
        slope: l * small * big,
    }
}

/// The checks shared by both forms of pass 1.
#[inline(always)]
fn check_lengths(labels: &[u8], xs: &[f32]) -> Result<(), Error> {
    if labels.len() != xs.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: xs.len(),
        });
    }
    if labels.is_empty() {
        return Err(Error::Empty);
    }
    Ok(())
}

/// Pass 1 alone: the entries of `labels` and inputs `xs` (for [`Kernel`] `K`), at `W`
/// lanes.
///
/// Errors are reported for the first offending sample. The derivatives go to a scratch
/// block, which the gradient path does not pay for (zeroing it is a tenth of a call at
/// N = 64). Callers keep this out of the gradient path's frame: inlined there, the 1 KiB
/// scratch made every gradient call's frame that much bigger on a Cortex-M4.
#[inline(always)]
pub(crate) fn entries<K: Kernel, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
) -> Result<Confusion, Error> {
    check_lengths(labels, xs)?;
    let mut totals = [Compensated::default(); 4];
    let mut scratch = [0.0f32; block_len(WIDE)];
    let len = block_len(W);
    for (b, (ys, xs)) in labels.chunks(len).zip(xs.chunks(len)).enumerate() {
        let out = scratch.get_mut(..ys.len()).unwrap_or(&mut []);
        step::<K, W>(amp, ys, xs, out, b * len, &mut totals)?;
    }
    Ok(total_of(&totals))
}

/// Pass 1 of the two-pass gradient: the entries, and `dA/d(input)` of each sample written
/// into `cache` (so pass 2 needs no `exp`). On error the contents of `cache` are
/// unspecified.
// Inlined into the caller (`loss_and_grad`): one stack frame instead of two, which on a
// Cortex-M4 is 20 bytes less (a saved-register area and the result slot), and the
// run-time dispatch needs it inlined into its target-feature function.
#[inline(always)]
pub(crate) fn entries_into<K: Kernel, const W: usize>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    cache: &mut [f32],
) -> Result<Confusion, Error> {
    check_lengths(labels, xs)?;
    if cache.len() != labels.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: cache.len(),
        });
    }
    let mut totals = [Compensated::default(); 4];
    let len = block_len(W);
    let blocks = labels.chunks(len).zip(xs.chunks(len)).enumerate();
    for ((b, (ys, xs)), out) in blocks.zip(cache.chunks_mut(len)) {
        step::<K, W>(amp, ys, xs, out, b * len, &mut totals)?;
    }
    Ok(total_of(&totals))
}

#[inline(always)]
fn total_of(totals: &[Compensated; 4]) -> Confusion {
    Confusion::new(
        totals[0].value(),
        totals[1].value(),
        totals[2].value(),
        totals[3].value(),
    )
}

/// One block of pass 1, added into `totals`; `offset` is the block's first index.
#[inline(always)]
fn step<K: Kernel, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    out: &mut [f32],
    offset: usize,
    totals: &mut [Compensated; 4],
) -> Result<(), Error> {
    let (lanes, ok) = block::<K, W>(amp, ys, xs, out);
    if !ok {
        if let Some(e) = first_error::<K>(ys, xs, out.len(), offset) {
            return Err(e);
        }
    }
    for (total, lane) in totals
        .iter_mut()
        .zip([lanes.tp, lanes.fn_, lanes.fp, lanes.tn])
    {
        total.add(reduce(&lane));
    }
    Ok(())
}

/// The lane sums of one block of labels and inputs, with `dA/d(input)` into `out`, and
/// whether every label and input of the block is certainly valid.
///
/// Validity is not decided per sample with a branch: each shape keeps a cheap block-wide
/// flag, and a flagged block is rescanned exactly by [`first_error`]. A label's weights
/// are `y` and `1 - y` as floats, and the negatives' entries are the sample's total minus
/// its positive part, exact for 0 and 1. One-lane cores run [`one_lane`], SIMD cores
/// [`lanes`].
#[inline(always)]
fn block<K: Kernel, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    out: &mut [f32],
) -> (LaneSums<W>, bool) {
    let complete = out.len() == ys.len() && xs.len() == ys.len();
    let (s, suspect) = if W == 1 {
        one_lane::<K, W>(amp, ys, xs, out)
    } else {
        lanes_outlined::<K, W>(amp, ys, xs, out)
    };
    (s, complete && suspect & SIGN == 0)
}

/// A label's [`Kernel::suspect`] word: the top bit is set exactly when the label is above 1.
#[inline(always)]
fn label_suspect(y: u8) -> u32 {
    u32::from(y).wrapping_add(LABEL_FLAG)
}

/// [`block`] on an in-order core (Cortex-M): one pass, exp included. There is no window
/// to fill, and one loop is smaller (LLVM unrolled the split form into three copies of
/// the exp) and as fast. Inputs and labels are checked by OR-ing their
/// [`Kernel::suspect`] words: two or three integer operations, where float compares cost
/// a compare, a status move and a conditional move each on a Cortex-M4.
#[inline(always)]
fn one_lane<K: Kernel, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    let (mut tp, mut fn_, mut fp, mut tn) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut suspect = 0u32;
    for ((&y, &x), o) in ys.iter().zip(xs).zip(out.iter_mut()) {
        let amped = K::eval(amp, x);
        suspect |= K::suspect(x) | label_suspect(y);
        let pos = f32::from(y);
        let t = pos * amped.a;
        let f = pos * amped.one_minus_a;
        tp += t;
        fn_ += f;
        fp += amped.a - t;
        tn += amped.one_minus_a - f;
        *o = amped.slope;
    }
    let mut s = LaneSums::<W>::ZERO;
    add_to_lane(&mut s, 0, tp, fn_, fp, tn);
    (s, suspect)
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
fn lanes_outlined<K: Kernel, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    crate::dispatch::vectorized::<W, _>(
        #[inline(always)]
        || lanes::<K, W>(amp, ys, xs, out),
    )
}

/// [`block`] on a SIMD core: the exp of every sample first, into `out`, in a loop with
/// no carried dependency, so that the long exp chains of consecutive samples overlap
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
fn lanes<K: Kernel, const W: usize>(
    amp: &Amplifier,
    ys: &[u8],
    xs: &[f32],
    out: &mut [f32],
) -> (LaneSums<W>, u32) {
    let labels_ok = ys.iter().fold(0u8, |acc, &y| acc | y) <= 1;
    let mut s = LaneSums::<W>::ZERO;
    let mut lo = [K::LOWEST; W];
    let mut hi = [K::HIGHEST; W];
    let mut sum = [0.0f32; W];
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = K::prepare(amp, x);
    }
    let mut lane = |k: usize, y: u8, x: f32, o: &mut f32| {
        let amped = K::finish(amp, x, *o);
        // Compare-and-pick, not `f32::min`, which adds NaN handling the sum already does.
        lo[k] = if x < lo[k] { x } else { lo[k] };
        hi[k] = if x > hi[k] { x } else { hi[k] };
        sum[k] += x;
        let pos = f32::from(y);
        let tp = pos * amped.a;
        let fn_ = pos * amped.one_minus_a;
        s.tp[k] += tp;
        s.fn_[k] += fn_;
        s.fp[k] += amped.a - tp;
        s.tn[k] += amped.one_minus_a - fn_;
        *o = amped.slope;
    };
    let (yc, yr) = ys.as_chunks::<W>();
    let (xc, xr) = xs.as_chunks::<W>();
    let (oc, or) = out.as_chunks_mut::<W>();
    for ((y, x), o) in yc.iter().zip(xc).zip(oc.iter_mut()) {
        // Through local copies: the chunk's loads all come before its stores whatever
        // the pointers' provenance (under run-time dispatch the slices reach this code
        // through `pulp`, whose call loses their no-alias facts, and the SLP vectorizer
        // then kept the lanes scalar).
        let (y, x, mut e) = (*y, *x, *o);
        for k in 0..W {
            lane(k, y[k], x[k], &mut e[k]);
        }
        *o = e;
    }
    for (k, ((&y, &x), o)) in yr.iter().zip(xr).zip(or.iter_mut()).enumerate() {
        lane(k % W, y, x, o);
    }
    let in_range = lo.iter().all(|&v| v >= K::LOWEST) && hi.iter().all(|&v| v <= K::HIGHEST);
    let finite = sum.iter().all(|v| v.is_finite());
    let ok = in_range && finite && labels_ok;
    (s, if ok { 0 } else { SIGN })
}

#[cold]
fn first_error<K: Kernel>(ys: &[u8], xs: &[f32], out_len: usize, offset: usize) -> Option<Error> {
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
    }
    // Lengths were checked by `check_lengths`; a mismatch here would be a bug, reported as one.
    (out_len != ys.len() || xs.len() != ys.len()).then_some(Error::LengthMismatch {
        expected: ys.len(),
        found: out_len,
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::amplifier::sigmoid;

    #[test]
    fn hot_loop_amplifier_is_bit_identical_to_amplifier() {
        for l in [73.0f32, 10.0, 0.5, 1e4] {
            let amp = Amplifier::new(l).unwrap();
            let probes = [
                0.0f32,
                1.0,
                0.5,
                1e-9,
                0.999_999,
                0.728,
                0.499_999_97,
                0.500_000_06,
            ];
            let sweep = (0..=20_000).map(|i| i as f32 / 20_000.0);
            for p in sweep.chain(probes.iter().copied()) {
                let want = amp.amplify(p);
                let got = amplify(l, p);
                assert_eq!(got.a.to_bits(), want.a.to_bits(), "A, l={l} p={p}");
                assert_eq!(
                    got.one_minus_a.to_bits(),
                    want.one_minus_a.to_bits(),
                    "1-A, l={l} p={p}"
                );
                assert_eq!(got.slope.to_bits(), want.slope.to_bits(), "A', l={l} p={p}");
            }
        }
    }

    #[test]
    fn logit_kernel_is_sigmoid_then_amplifier_bit_for_bit() {
        let amp = Amplifier::default();
        for i in -4000..=4000 {
            let z = i as f32 / 100.0;
            let (p, dp) = sigmoid(z);
            let want = amp.amplify(p);
            let got = LogitKernel::eval(&amp, z);
            assert_eq!(got.a.to_bits(), want.a.to_bits(), "z={z}");
            assert_eq!(
                got.one_minus_a.to_bits(),
                want.one_minus_a.to_bits(),
                "z={z}"
            );
            assert_eq!(got.slope.to_bits(), (want.slope * dp).to_bits(), "z={z}");
        }
    }

    /// Every lane count a build can run (1 on Cortex-M, 4 with SSE2, 8 with AVX2) gives the
    /// same per-sample derivatives bit for bit, and the same entries up to summation order.
    #[test]
    fn lane_counts_agree() {
        fn run<K: Kernel, const W: usize>(
            ys: &[u8],
            xs: &[f32],
        ) -> (Confusion, std::vec::Vec<f32>) {
            let amp = Amplifier::default();
            let mut cache = std::vec![0.0f32; xs.len()];
            let c = entries_into::<K, W>(&amp, ys, xs, &mut cache).unwrap();
            assert_eq!(entries::<K, W>(&amp, ys, xs).unwrap(), c);
            (c, cache)
        }
        fn close(a: &Confusion, b: &Confusion) {
            for (x, y) in [(a.tp, b.tp), (a.fn_, b.fn_), (a.fp, b.fp), (a.tn, b.tn)] {
                assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0), "{a:?} vs {b:?}");
            }
        }
        // Lengths around the block sizes of every lane count, and a remainder in each.
        for n in [1usize, 7, 255, 256, 1023, 1024, 2048 + 13, 20_000] {
            let ys: std::vec::Vec<u8> = (0..n).map(|i| u8::from(i % 5 < 2)).collect();
            let ps: std::vec::Vec<f32> = (0..n).map(|i| (i * 7919 % 1000) as f32 / 999.0).collect();
            let zs: std::vec::Vec<f32> = ps.iter().map(|p| 12.0 * (p - 0.5)).collect();
            let (c1, g1) = run::<ProbKernel, 1>(&ys, &ps);
            for (c, g) in [
                run::<ProbKernel, 4>(&ys, &ps),
                run::<ProbKernel, 8>(&ys, &ps),
            ] {
                assert_eq!(g, g1, "n={n}");
                close(&c, &c1);
            }
            let (c1, g1) = run::<LogitKernel, 1>(&ys, &zs);
            for (c, g) in [
                run::<LogitKernel, 4>(&ys, &zs),
                run::<LogitKernel, 8>(&ys, &zs),
            ] {
                assert_eq!(g, g1, "n={n}");
                close(&c, &c1);
            }
        }
    }

    #[test]
    fn every_bad_input_in_a_block_is_found_wherever_it_sits() {
        let amp = Amplifier::default();
        for n in [1usize, 3, 4, 9, BLOCK - 1, BLOCK, BLOCK + 5, 3 * BLOCK + 7] {
            let labels: std::vec::Vec<u8> = (0..n).map(|i| (i % 3 == 0) as u8).collect();
            let probs: std::vec::Vec<f32> = (0..n).map(|i| (i % 97) as f32 / 96.0).collect();
            for at in [0, n / 2, n - 1] {
                for (bad, want) in [
                    (f32::NAN, Error::NonFinite { index: at }),
                    (f32::INFINITY, Error::NonFinite { index: at }),
                    (-1e-30, Error::ProbabilityOutOfRange { index: at }),
                    (1.000_000_1, Error::ProbabilityOutOfRange { index: at }),
                ] {
                    let mut p = probs.clone();
                    p[at] = bad;
                    assert_eq!(Confusion::from_probs(&amp, &labels, &p), Err(want), "n={n}");
                }
                let mut y = labels.clone();
                y[at] = 2;
                assert_eq!(
                    Confusion::from_probs(&amp, &y, &probs),
                    Err(Error::InvalidLabel { index: at })
                );
                let mut z = probs.clone();
                z[at] = f32::NEG_INFINITY;
                assert_eq!(
                    Confusion::from_logits(&amp, &labels, &z),
                    Err(Error::NonFinite { index: at })
                );
            }
            // The extremes of the valid ranges are accepted: finite logits of any size, and
            // -0.0, which the bit test flags and the exact rescan accepts.
            for z in [f32::MAX, f32::MIN] {
                let z: std::vec::Vec<f32> = (0..n).map(|_| z).collect();
                let c = Confusion::from_logits(&amp, &labels, &z).unwrap();
                assert!(c.is_finite());
            }
            let mut p = probs.clone();
            p[n / 2] = -0.0;
            let want = Confusion::from_probs(&amp, &labels, &{
                let mut q = p.clone();
                q[n / 2] = 0.0;
                q
            });
            assert_eq!(Confusion::from_probs(&amp, &labels, &p), want);
            assert!(want.is_ok());
        }
    }
}
