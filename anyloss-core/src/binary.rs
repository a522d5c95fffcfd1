//! The binary loss and its two-pass, allocation-free gradient.
//!
//! 1. Pass 1 sums the soft confusion entries and caches `dA/d(input)` of each sample in the
//!    caller's gradient buffer: one `exp` per sample for probabilities, two for logits (one
//!    for the sigmoid, one for the amplifier). This is the only `exp` work.
//! 2. The metric is evaluated once at the entries: `(M, ∂M)`, so
//!    `∂loss/∂a = -(∂M/∂TP - ∂M/∂FN)` for a positive and `-(∂M/∂FP - ∂M/∂TN)` for a negative.
//! 3. Pass 2 multiplies each cached derivative by its label's coefficient: no `exp`, no
//!    division, a select and a multiply per sample.
//!
//! Sample weights `w_i >= 0` (the `_weighted` methods) scale each sample's part of every
//! entry, `TP = Σ w·y·A`, `FN = Σ w·y·(1−A)`, `FP = Σ w·(1−y)·A`, `TN = Σ w·(1−y)·(1−A)`,
//! and so its gradient: a zero weight removes the sample (entries and gradient 0), and
//! weights of 1 give the unweighted results bit for bit. They ride in pass 1 at no extra
//! `exp`.
//!
//! Streaming data that does not fit in RAM uses [`BinaryLoss::confusion`] on every chunk,
//! adds the entries, evaluates once, then [`BinaryLoss::gradient`] per chunk, which recomputes
//! the cached derivative (so each sample costs its `exp`s twice).

use crate::confusion::Confusion;
use crate::dispatch::{widest, AtWidth};
use crate::error::Error;
use crate::metric::{Coefficients, Degenerate, Evaluation, Metric, Partials};
use crate::sample_weights::{SampleWeights, Unweighted, Weights};
use crate::samples::Samples;
use crate::Amplifier;

/// The loss at one set of confusion entries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LossOutput {
    /// `1 - metric`.
    pub loss: f32,
    /// The metric value (after the [`Degenerate`] policy where it was undefined).
    pub metric: f32,
    /// The soft confusion entries.
    pub confusion: Confusion,
    /// `∂M/∂(TP, FN, FP, TN)`.
    pub partials: Partials,
    /// `∂loss/∂a` per label.
    pub coefficients: Coefficients,
}

/// AnyLoss for binary classification: `1 - M(TP, FN, FP, TN)` over amplified outputs.
///
/// Every method validates its input and returns `Err` instead of panicking; no method
/// allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BinaryLoss<M> {
    metric: M,
    amplifier: Amplifier,
    degenerate: Degenerate,
}

impl<M: Metric> BinaryLoss<M> {
    /// The loss of `metric` with the default amplifier (`L = 73`) and the default
    /// [`Degenerate`] policy.
    pub fn new(metric: M) -> Self {
        Self {
            metric,
            amplifier: Amplifier::default(),
            degenerate: Degenerate::default(),
        }
    }

    /// The same loss with another amplifier.
    pub fn with_amplifier(mut self, amplifier: Amplifier) -> Self {
        self.amplifier = amplifier;
        self
    }

    /// The same loss with its amplifier centred on the decision threshold `t` in `(0, 1)`
    /// (see [`Amplifier::with_threshold`]).
    pub fn with_threshold(mut self, t: f32) -> Result<Self, Error> {
        self.amplifier = self.amplifier.with_threshold(t)?;
        Ok(self)
    }

    /// The same loss with another policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Result<Self, Error> {
        self.degenerate = degenerate.validate()?;
        Ok(self)
    }

    /// The metric.
    pub fn metric(&self) -> &M {
        &self.metric
    }

    /// The amplifier.
    pub fn amplifier(&self) -> &Amplifier {
        &self.amplifier
    }

    /// The policy for undefined metrics.
    pub fn degenerate(&self) -> Degenerate {
        self.degenerate
    }

    /// Pass 1 alone: the soft confusion entries of a batch or chunk.
    pub fn confusion(&self, labels: &[u8], input: impl Samples) -> Result<Confusion, Error> {
        crate::samples::entries(&self.amplifier, labels, input, Unweighted)
    }

    /// [`BinaryLoss::confusion`] with one weight per sample (finite, `>= 0`).
    pub fn confusion_weighted(
        &self,
        labels: &[u8],
        input: impl Samples,
        weights: &[f32],
    ) -> Result<Confusion, Error> {
        crate::samples::entries(&self.amplifier, labels, input, Weights(weights))
    }

    /// The loss, partials and pass-2 coefficients at `c` (entries of any number of chunks),
    /// or [`Error::NonFiniteMetric`] where the metric overflows (see
    /// [`Degenerate::checked`]).
    pub fn checked_evaluate(&self, c: &Confusion) -> Result<LossOutput, Error> {
        Ok(Self::output(c, self.degenerate.checked(&self.metric, c)?))
    }

    /// [`BinaryLoss::checked_evaluate`] for callers that check finiteness later: where the
    /// metric overflows, loss, partials and coefficients are NaN.
    pub fn evaluate(&self, c: &Confusion) -> LossOutput {
        Self::output(c, self.degenerate.evaluate(&self.metric, c))
    }

    fn output(c: &Confusion, e: Evaluation) -> LossOutput {
        LossOutput {
            loss: 1.0 - e.value,
            metric: e.value,
            confusion: *c,
            partials: e.partials,
            coefficients: Coefficients::from_partials(&e.partials),
        }
    }

    /// The loss alone.
    pub fn loss(&self, labels: &[u8], input: impl Samples) -> Result<LossOutput, Error> {
        self.checked_evaluate(&self.confusion(labels, input)?)
    }

    /// [`BinaryLoss::loss`] with one weight per sample (finite, `>= 0`).
    pub fn loss_weighted(
        &self,
        labels: &[u8],
        input: impl Samples,
        weights: &[f32],
    ) -> Result<LossOutput, Error> {
        self.checked_evaluate(&self.confusion_weighted(labels, input, weights)?)
    }

    /// Loss and `∂loss/∂input` (probabilities or logits) written into `grad`, in two passes.
    /// On `Err`, `grad` holds unspecified values.
    pub fn loss_and_grad(
        &self,
        labels: &[u8],
        input: impl Samples,
        grad: &mut [f32],
    ) -> Result<LossOutput, Error> {
        widest(TwoPass {
            loss: self,
            labels,
            input,
            weights: Unweighted,
            grad,
        })
    }

    /// [`BinaryLoss::loss_and_grad`] with one weight per sample (finite, `>= 0`): the
    /// entries are weighted, and so is each sample's gradient.
    pub fn loss_and_grad_weighted(
        &self,
        labels: &[u8],
        input: impl Samples,
        weights: &[f32],
        grad: &mut [f32],
    ) -> Result<LossOutput, Error> {
        widest(TwoPass {
            loss: self,
            labels,
            input,
            weights: Weights(weights),
            grad,
        })
    }

    /// Pass 2 for streaming: the exact gradient of the full-data loss `out` (evaluated at the
    /// entries of all chunks) with respect to this chunk's inputs.
    pub fn gradient(
        &self,
        out: &LossOutput,
        labels: &[u8],
        input: impl Samples,
        grad: &mut [f32],
    ) -> Result<(), Error> {
        if let Some(output) = Evaluation::new(out.metric, out.partials).first_non_finite() {
            return Err(Error::NonFiniteMetric(output));
        }
        widest(Pass2 {
            amplifier: &self.amplifier,
            coefficients: &out.coefficients,
            labels,
            input,
            weights: Unweighted,
            grad,
        })
    }

    /// [`BinaryLoss::gradient`] with one weight per sample, for a loss `out` evaluated at
    /// the weighted entries of all chunks.
    pub fn gradient_weighted(
        &self,
        out: &LossOutput,
        labels: &[u8],
        input: impl Samples,
        weights: &[f32],
        grad: &mut [f32],
    ) -> Result<(), Error> {
        widest(Pass2 {
            amplifier: &self.amplifier,
            coefficients: &out.coefficients,
            labels,
            input,
            weights: Weights(weights),
            grad,
        })
    }
}

/// [`BinaryLoss::loss_and_grad`] at a lane count.
struct TwoPass<'a, M, S, V> {
    loss: &'a BinaryLoss<M>,
    labels: &'a [u8],
    input: S,
    weights: V,
    grad: &'a mut [f32],
}

impl<M: Metric, S: Samples, V: SampleWeights> AtWidth for TwoPass<'_, M, S, V> {
    type Output = Result<LossOutput, Error>;
    #[inline(always)]
    fn run<const W: usize>(self) -> Self::Output {
        let amp = &self.loss.amplifier;
        let c = (self.input).entries_into::<V, W>(amp, self.labels, self.weights, self.grad)?;
        // Checked here rather than through `checked_evaluate`: one finiteness test keeps the
        // error's construction out of this frame (the device's stack budget).
        let e = self.loss.degenerate.resolve(&self.loss.metric, &c);
        if !e.is_finite() {
            return Err(crate::metric::non_finite(&e));
        }
        let out = BinaryLoss::<M>::output(&c, e);
        scale_by_label::<W>(&out.coefficients, self.labels, self.grad)?;
        Ok(out)
    }
}

/// [`BinaryLoss::gradient`] at a lane count.
struct Pass2<'a, S, V> {
    amplifier: &'a Amplifier,
    coefficients: &'a Coefficients,
    labels: &'a [u8],
    input: S,
    weights: V,
    grad: &'a mut [f32],
}

impl<S: Samples, V: SampleWeights> AtWidth for Pass2<'_, S, V> {
    type Output = Result<(), Error>;
    #[inline(always)]
    fn run<const W: usize>(self) -> Self::Output {
        let amp = self.amplifier;
        (self.input).entries_into::<V, W>(amp, self.labels, self.weights, self.grad)?;
        scale_by_label::<W>(self.coefficients, self.labels, self.grad)
    }
}

/// Pass 2: `grad[i] *= coefficient(label[i])`.
///
/// Its callers ran pass 1 on the same labels just before, which rejected any label above 1,
/// so the loop is a branch-free pick of the coefficient's bits and a multiply, which LLVM
/// vectorizes. (A label above 1 would only pick a wrong coefficient, never panic.)
///
/// On SIMD targets the loop runs in a function of its own, compiled for AVX2 when `W` asks
/// for it (see `dispatch.rs`); with the `parallel` feature, long calls split it across
/// threads (see `parallel.rs`).
#[inline(always)]
fn scale_by_label<const W: usize>(
    k: &Coefficients,
    labels: &[u8],
    grad: &mut [f32],
) -> Result<(), Error> {
    if labels.len() != grad.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: grad.len(),
        });
    }
    #[cfg(feature = "parallel")]
    if crate::parallel::splits(labels.len()) {
        crate::parallel::zip_chunks(grad, labels, |grad, labels| scale_at::<W>(k, labels, grad));
        return Ok(());
    }
    scale_at::<W>(k, labels, grad);
    Ok(())
}

#[inline(always)]
fn scale_at<const W: usize>(k: &Coefficients, labels: &[u8], grad: &mut [f32]) {
    if W == 1 {
        scale_one_lane(k, labels, grad);
    } else {
        scale_outlined::<W>(k, labels, grad);
    }
}

/// Left to LLVM's inlining: optimized on its own first, the loop stays small (120 bytes
/// on a Cortex-M4; inlined early into the whole call it was unrolled to 256, outlined to
/// 588).
fn scale_one_lane(k: &Coefficients, labels: &[u8], grad: &mut [f32]) {
    scale_loop(k, labels, grad);
}

#[inline(never)]
fn scale_outlined<const W: usize>(k: &Coefficients, labels: &[u8], grad: &mut [f32]) {
    crate::dispatch::vectorized::<W, _>(
        #[inline(always)]
        || scale_loop(k, labels, grad),
    )
}

#[inline(always)]
fn scale_loop(k: &Coefficients, labels: &[u8], grad: &mut [f32]) {
    let negative = k.negative.to_bits();
    let flip = k.positive.to_bits() ^ negative;
    for (g, &y) in grad.iter_mut().zip(labels) {
        // All ones for a positive (y = 1), zero for a negative: selects `flip` or nothing.
        let mask = 0u32.wrapping_sub(u32::from(y));
        *g *= f32::from_bits(negative ^ (flip & mask));
    }
}
