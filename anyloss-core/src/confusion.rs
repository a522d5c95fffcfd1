//! Soft confusion entries and their accurate accumulation.

use core::ops::{Add, AddAssign};

use crate::amplifier::{sigmoid, Amplified, Amplifier};
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
        accumulate(amp, labels, Input::Probs(probs), None)
    }

    /// Soft entries of binary `labels` (0 or 1) and logits `z`, with `p = sigmoid(z)`.
    pub fn from_logits(amp: &Amplifier, labels: &[u8], logits: &[f32]) -> Result<Self, Error> {
        accumulate(amp, labels, Input::Logits(logits), None)
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
    /// Logits, mapped through the logistic sigmoid; gradients are `d loss / d z`.
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
/// single accumulator would serialize the loop and lose accuracy at large N.
pub(crate) const LANES: usize = 16;
/// Samples per block. Each lane sums at most `BLOCK/LANES` terms in plain f32 before the
/// block total goes into a compensated running sum, which bounds the error at N = 10^6.
pub(crate) const BLOCK: usize = 1024;

/// Neumaier-compensated f32 sum.
#[derive(Clone, Copy, Default)]
pub(crate) struct Compensated {
    sum: f32,
    carry: f32,
}

impl Compensated {
    #[inline]
    pub(crate) fn add(&mut self, x: f32) {
        let t = self.sum + x;
        if crate::math::abs(self.sum) >= crate::math::abs(x) {
            self.carry += (self.sum - t) + x;
        } else {
            self.carry += (x - t) + self.sum;
        }
        self.sum = t;
    }

    pub(crate) fn value(&self) -> f32 {
        self.sum + self.carry
    }
}

/// Pairwise reduction of the lanes.
#[inline]
pub(crate) fn reduce(lanes: &[f32; LANES]) -> f32 {
    let mut w = *lanes;
    let mut width = LANES / 2;
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
pub(crate) struct LaneSums {
    pub(crate) tp: [f32; LANES],
    pub(crate) fn_: [f32; LANES],
    pub(crate) fp: [f32; LANES],
    pub(crate) tn: [f32; LANES],
}

impl LaneSums {
    pub(crate) const ZERO: Self = Self {
        tp: [0.0; LANES],
        fn_: [0.0; LANES],
        fp: [0.0; LANES],
        tn: [0.0; LANES],
    };
}

/// The per-sample kernel: the amplified value of sample `x`, and whether `x` is valid.
pub(crate) trait Kernel {
    fn eval(amp: &Amplifier, x: f32) -> (Amplified, bool);
}

pub(crate) struct ProbKernel;
impl Kernel for ProbKernel {
    #[inline(always)]
    fn eval(amp: &Amplifier, p: f32) -> (Amplified, bool) {
        (amp.amplify(p), (0.0..=1.0).contains(&p))
    }
}

struct LogitKernel;
impl Kernel for LogitKernel {
    #[inline(always)]
    fn eval(amp: &Amplifier, z: f32) -> (Amplified, bool) {
        let (p, dp) = sigmoid(z);
        let mut out = amp.amplify(p);
        out.slope *= dp;
        (out, crate::math::abs(z) <= f32::MAX)
    }
}

/// Pass 1 of the two-pass gradient: the entries of `labels`/`input`, and, when `cache` is
/// given, `dA/d(input)` of each sample written into it (so pass 2 needs no `exp`).
///
/// Errors are reported for the first offending sample. On error the contents of `cache`
/// are unspecified.
pub(crate) fn accumulate(
    amp: &Amplifier,
    labels: &[u8],
    input: Input<'_>,
    cache: Option<&mut [f32]>,
) -> Result<Confusion, Error> {
    if labels.len() != input.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: input.len(),
        });
    }
    if labels.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(c) = &cache {
        if c.len() != labels.len() {
            return Err(Error::LengthMismatch {
                expected: labels.len(),
                found: c.len(),
            });
        }
    }
    match input {
        Input::Probs(p) => run::<ProbKernel>(amp, labels, p, cache),
        Input::Logits(z) => run::<LogitKernel>(amp, labels, z, cache),
    }
}

fn run<K: Kernel>(
    amp: &Amplifier,
    labels: &[u8],
    xs: &[f32],
    cache: Option<&mut [f32]>,
) -> Result<Confusion, Error> {
    let mut totals = [Compensated::default(); 4];
    let mut scratch = [0.0f32; BLOCK];
    let mut cache = cache;
    for (b, (ys, xs)) in labels.chunks(BLOCK).zip(xs.chunks(BLOCK)).enumerate() {
        let out: &mut [f32] = match cache.as_deref_mut() {
            Some(c) => {
                let start = b * BLOCK;
                c.get_mut(start..start + ys.len()).unwrap_or(&mut [])
            }
            None => scratch.get_mut(..ys.len()).unwrap_or(&mut []),
        };
        let (lanes, ok) = block::<K>(amp, ys, xs, out);
        if !ok {
            return Err(first_error::<K>(amp, ys, xs, b * BLOCK));
        }
        totals[0].add(reduce(&lanes.tp));
        totals[1].add(reduce(&lanes.fn_));
        totals[2].add(reduce(&lanes.fp));
        totals[3].add(reduce(&lanes.tn));
    }
    Ok(Confusion::new(
        totals[0].value(),
        totals[1].value(),
        totals[2].value(),
        totals[3].value(),
    ))
}

// `k < LANES` indexes `[_; LANES]` arrays: in bounds by construction, and the compiler
// drops the checks. Plain indexing keeps the loop in the shape LLVM vectorizes.
#[allow(clippy::indexing_slicing)]
#[inline(always)]
fn block<K: Kernel>(amp: &Amplifier, ys: &[u8], xs: &[f32], out: &mut [f32]) -> (LaneSums, bool) {
    let mut s = LaneSums::ZERO;
    let mut ok = out.len() == ys.len();
    let (yc, yr) = ys.as_chunks::<LANES>();
    let (xc, xr) = xs.as_chunks::<LANES>();
    let (oc, or) = out.as_chunks_mut::<LANES>();
    for ((y, x), o) in yc.iter().zip(xc).zip(oc.iter_mut()) {
        let mut lane_ok = [true; LANES];
        for k in 0..LANES {
            let (amped, valid) = K::eval(amp, x[k]);
            lane_ok[k] = valid & (y[k] <= 1);
            let yf = f32::from(y[k] & 1);
            let nf = 1.0 - yf;
            s.tp[k] += yf * amped.a;
            s.fn_[k] += yf * amped.one_minus_a;
            s.fp[k] += nf * amped.a;
            s.tn[k] += nf * amped.one_minus_a;
            o[k] = amped.slope;
        }
        ok &= lane_ok.iter().all(|&v| v);
    }
    for (k, ((&yk, &xk), o)) in yr.iter().zip(xr).zip(or.iter_mut()).enumerate() {
        let (amped, valid) = K::eval(amp, xk);
        ok &= valid & (yk <= 1);
        let yf = f32::from(yk & 1);
        let nf = 1.0 - yf;
        let k = k % LANES;
        s.tp[k] += yf * amped.a;
        s.fn_[k] += yf * amped.one_minus_a;
        s.fp[k] += nf * amped.a;
        s.tn[k] += nf * amped.one_minus_a;
        *o = amped.slope;
    }
    (s, ok)
}

#[cold]
fn first_error<K: Kernel>(amp: &Amplifier, ys: &[u8], xs: &[f32], offset: usize) -> Error {
    for (i, (&y, &x)) in ys.iter().zip(xs).enumerate() {
        let index = offset + i;
        if !x.is_finite() {
            return Error::NonFinite { index };
        }
        if !K::eval(amp, x).1 {
            return Error::ProbabilityOutOfRange { index };
        }
        if y > 1 {
            return Error::InvalidLabel { index };
        }
    }
    Error::Empty
}
