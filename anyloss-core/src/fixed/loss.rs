//! [`FixedLoss`]: the binary loss and its gradient in integer arithmetic, for cores without
//! an FPU.

use super::convert::Scale;
use super::entries::FixedEntries;
use super::kernel::{FixedAmplifier, Kernel, LogitKernel, ProbKernel, Sample};
use crate::binary::{BinaryLoss, LossOutput};
use crate::confusion::Confusion;
use crate::error::{Error, MetricOutput};
use crate::metric::{Degenerate, Evaluation, Metric};
use crate::samples::{Input, Logits, Probs};
use crate::Amplifier;

/// The binary AnyLoss `1 − M` on the fixed-point path: the same inputs, outputs and errors
/// as [`BinaryLoss`], computed with integers per sample.
///
/// Per sample, the input's f32 bits are converted to fixed point with shifts (no float
/// library call), `A` and its slope come from an interpolated table (no `exp`), the entries
/// are integer sums, and pass 2 multiplies the cached slope by the label's coefficient in
/// integers and assembles the f32 gradient's bits. The metric, its partials
/// and the coefficients are evaluated once per batch in f32, exactly as [`BinaryLoss`] does.
///
/// Differences from [`BinaryLoss`]:
/// - accuracy: within 1e-5 absolute on the loss and about 1e-3 relative on the gradient
///   (see the [module docs](super) for the measured figures);
/// - `L` must lie in `[2^-17, 4096]` (checked at each call: `InvalidParameter(L)`) and is
///   rounded to a multiple of `2^-17`; the threshold is rounded to a multiple of `2^-31`;
/// - no sample weights.
///
/// ```
/// use anyloss_core::fixed::FixedLoss;
/// use anyloss_core::{metrics::F1, Probs};
///
/// let labels = [1u8, 0, 1, 0];
/// let probs = [0.9f32, 0.2, 0.4, 0.6];
/// let mut grad = [0.0f32; 4];
/// let out = FixedLoss::new(F1).loss_and_grad(&labels, Probs(&probs), &mut grad)?;
/// assert!((out.loss - 0.5).abs() < 1e-3);
/// assert!(grad[2] < 0.0 && grad[3] > 0.0);
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FixedLoss<M> {
    loss: BinaryLoss<M>,
}

/// Inputs the fixed-point path takes: [`Probs`], [`Logits`] or [`Input`], as for
/// [`BinaryLoss`]. Sealed.
pub trait FixedSamples: sealed::Sealed + Copy {}

impl FixedSamples for Probs<'_> {}
impl FixedSamples for Logits<'_> {}
impl FixedSamples for Input<'_> {}

mod sealed {
    use crate::samples::{Input, Logits, Probs};

    pub trait Sealed {
        /// The samples and their kind.
        fn view(&self) -> Input<'_>;
    }

    impl Sealed for Probs<'_> {
        #[inline(always)]
        fn view(&self) -> Input<'_> {
            Input::Probs(self.0)
        }
    }

    impl Sealed for Logits<'_> {
        #[inline(always)]
        fn view(&self) -> Input<'_> {
            Input::Logits(self.0)
        }
    }

    impl Sealed for Input<'_> {
        #[inline(always)]
        fn view(&self) -> Input<'_> {
            *self
        }
    }
}

impl<M: Metric> From<BinaryLoss<M>> for FixedLoss<M> {
    fn from(loss: BinaryLoss<M>) -> Self {
        Self { loss }
    }
}

impl<M: Metric> FixedLoss<M> {
    /// The loss of `metric` with the default amplifier (`L = 73`) and [`Degenerate`] policy.
    pub fn new(metric: M) -> Self {
        Self {
            loss: BinaryLoss::new(metric),
        }
    }

    /// The same loss with another amplifier (its `L` is checked at each call).
    pub fn with_amplifier(self, amplifier: Amplifier) -> Self {
        self.loss.with_amplifier(amplifier).into()
    }

    /// The same loss with its amplifier centred on the threshold `t` in `(0, 1)`.
    pub fn with_threshold(self, t: f32) -> Result<Self, Error> {
        Ok(self.loss.with_threshold(t)?.into())
    }

    /// The same loss with another policy for undefined metrics.
    pub fn with_degenerate(self, degenerate: Degenerate) -> Result<Self, Error> {
        Ok(self.loss.with_degenerate(degenerate)?.into())
    }

    /// The metric.
    pub fn metric(&self) -> &M {
        self.loss.metric()
    }

    /// The amplifier.
    pub fn amplifier(&self) -> &Amplifier {
        self.loss.amplifier()
    }

    /// The policy for undefined metrics.
    pub fn degenerate(&self) -> Degenerate {
        self.loss.degenerate()
    }

    /// The same loss on the f32 path.
    pub fn binary_loss(&self) -> &BinaryLoss<M> {
        &self.loss
    }

    /// Pass 1 alone, as exact integer sums (they add across chunks bit for bit).
    pub fn entries(&self, labels: &[u8], input: impl FixedSamples) -> Result<FixedEntries, Error> {
        let amp = FixedAmplifier::new(self.loss.amplifier())?;
        match input.view() {
            Input::Probs(xs) => pass1::<ProbKernel>(&amp, labels, xs, None),
            Input::Logits(xs) => pass1::<LogitKernel>(&amp, labels, xs, None),
        }
    }

    /// Pass 1 alone, as f32 entries (see [`BinaryLoss::confusion`]).
    pub fn confusion(&self, labels: &[u8], input: impl FixedSamples) -> Result<Confusion, Error> {
        Ok(self.entries(labels, input)?.confusion())
    }

    /// The loss, partials and coefficients at `c` (see [`BinaryLoss::checked_evaluate`]).
    pub fn checked_evaluate(&self, c: &Confusion) -> Result<LossOutput, Error> {
        self.loss.checked_evaluate(c)
    }

    /// [`FixedLoss::checked_evaluate`] with NaN outputs where the metric overflows (see
    /// [`BinaryLoss::evaluate`]).
    pub fn evaluate(&self, c: &Confusion) -> LossOutput {
        self.loss.evaluate(c)
    }

    /// The loss alone.
    pub fn loss(&self, labels: &[u8], input: impl FixedSamples) -> Result<LossOutput, Error> {
        self.checked_evaluate(&self.confusion(labels, input)?)
    }

    /// Loss and `∂loss/∂input` written into `grad`, in two passes; `grad` caches the slopes
    /// between them. On `Err`, `grad` holds unspecified values.
    pub fn loss_and_grad(
        &self,
        labels: &[u8],
        input: impl FixedSamples,
        grad: &mut [f32],
    ) -> Result<LossOutput, Error> {
        let amp = FixedAmplifier::new(self.loss.amplifier())?;
        let entries = match input.view() {
            Input::Probs(xs) => pass1::<ProbKernel>(&amp, labels, xs, Some(grad))?,
            Input::Logits(xs) => pass1::<LogitKernel>(&amp, labels, xs, Some(grad))?,
        };
        let out = self.loss.checked_evaluate(&entries.confusion())?;
        let (positive, negative) = scales(&amp, &out)?;
        scale_by_label(positive, negative, labels, grad);
        Ok(out)
    }

    /// Pass 2 for streaming: the gradient of the loss `out` (evaluated at the entries of
    /// all chunks) with respect to this chunk's inputs (see [`BinaryLoss::gradient`]).
    pub fn gradient(
        &self,
        out: &LossOutput,
        labels: &[u8],
        input: impl FixedSamples,
        grad: &mut [f32],
    ) -> Result<(), Error> {
        if let Some(output) = Evaluation::new(out.metric, out.partials).first_non_finite() {
            return Err(Error::NonFiniteMetric(output));
        }
        let amp = FixedAmplifier::new(self.loss.amplifier())?;
        let (positive, negative) = scales(&amp, out)?;
        match input.view() {
            Input::Probs(xs) => pass1::<ProbKernel>(&amp, labels, xs, Some(grad))?,
            Input::Logits(xs) => pass1::<LogitKernel>(&amp, labels, xs, Some(grad))?,
        };
        scale_by_label(positive, negative, labels, grad);
        Ok(())
    }
}

/// The coefficients of `out` times `L`: the factors of the cached slopes.
fn scales(amp: &FixedAmplifier, out: &LossOutput) -> Result<(Scale, Scale), Error> {
    let positive = out.coefficients.positive * amp.l();
    let negative = out.coefficients.negative * amp.l();
    if !(positive.is_finite() && negative.is_finite()) {
        return Err(Error::NonFiniteMetric(MetricOutput::Gradient));
    }
    Ok((Scale::new(positive), Scale::new(negative)))
}

/// Pass 1: the entries of `labels` and inputs `xs` for kernel `K`; with `slopes`, each
/// sample's `dA/d(input)/L` in its f32 slot.
#[inline(always)]
fn pass1<K: Kernel>(
    amp: &FixedAmplifier,
    labels: &[u8],
    xs: &[f32],
    slopes: Option<&mut [f32]>,
) -> Result<FixedEntries, Error> {
    if labels.len() != xs.len() {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found: xs.len(),
        });
    }
    if let Some(found) = slopes
        .as_ref()
        .map(|s| s.len())
        .filter(|&n| n != labels.len())
    {
        return Err(Error::LengthMismatch {
            expected: labels.len(),
            found,
        });
    }
    if labels.is_empty() {
        return Err(Error::Empty);
    }
    let mut entries = FixedEntries::default();
    let (mut valid, mut labels_seen) = (true, 0u8);
    match slopes {
        Some(out) => {
            for ((ys, xs), out) in labels
                .chunks(CHUNK)
                .zip(xs.chunks(CHUNK))
                .zip(out.chunks_mut(CHUNK))
            {
                let mut sums = ChunkSums::default();
                for ((g, &y), &x) in out.iter_mut().zip(ys).zip(xs) {
                    let s = K::sample(amp, x);
                    valid &= s.valid;
                    labels_seen |= y;
                    sums.add(y, &s);
                    *g = f32::from_bits(s.slope);
                }
                entries += sums.entries(ys.len());
            }
        }
        None => {
            for (ys, xs) in labels.chunks(CHUNK).zip(xs.chunks(CHUNK)) {
                let mut sums = ChunkSums::default();
                for (&y, &x) in ys.iter().zip(xs) {
                    let s = K::sample(amp, x);
                    valid &= s.valid;
                    labels_seen |= y;
                    sums.add(y, &s);
                }
                entries += sums.entries(ys.len());
            }
        }
    }
    if !valid || labels_seen > 1 {
        return Err(first_error::<K>(amp, labels, xs));
    }
    Ok(entries)
}

/// Samples per chunk of pass 1: the Q23 sums of a chunk fit a `u32` (each `A` is at
/// most `2^23`), the Q64 ones an `i64` (each below `2^53`).
const CHUNK: usize = 256;

/// Pass-1 sums of one chunk, in registers where the core has enough.
#[derive(Default)]
struct ChunkSums {
    a_q23: u32,
    tp_q23: u32,
    tail_q64: i64,
    tail_tp_q64: i64,
    positives: u32,
}

impl ChunkSums {
    #[inline(always)]
    fn add(&mut self, y: u8, s: &Sample) {
        // A label above 1 is reported after the loop; here it counts by its low bit.
        let y = u32::from(y & 1);
        let mask = 0u32.wrapping_sub(y);
        self.a_q23 += s.a_q23;
        self.tp_q23 += s.a_q23 & mask;
        self.positives += y;
        if s.tail_q64 != 0 {
            self.tail_q64 += s.tail_q64;
            self.tail_tp_q64 += s.tail_q64 & i64::from(mask as i32);
        }
    }

    fn entries(&self, n: usize) -> FixedEntries {
        FixedEntries {
            a_q64: (i128::from(self.a_q23) << 41) + i128::from(self.tail_q64),
            tp_q64: (i128::from(self.tp_q23) << 41) + i128::from(self.tail_tp_q64),
            positives: u64::from(self.positives),
            samples: n as u64,
        }
    }
}

/// The error of the first offending sample: its input, then its label.
#[cold]
#[inline(never)]
fn first_error<K: Kernel>(amp: &FixedAmplifier, labels: &[u8], xs: &[f32]) -> Error {
    for (index, (&y, &x)) in labels.iter().zip(xs).enumerate() {
        if !K::sample(amp, x).valid {
            return K::invalid(x, index);
        }
        if y > 1 {
            return Error::InvalidLabel { index };
        }
    }
    Error::Empty
}

/// Pass 2: each cached slope times its label's factor, in integer arithmetic. Labels were
/// checked by pass 1.
#[inline(always)]
fn scale_by_label(positive: Scale, negative: Scale, labels: &[u8], grad: &mut [f32]) {
    for (g, &y) in grad.iter_mut().zip(labels) {
        let scale = if y != 0 { &positive } else { &negative };
        *g = f32::from_bits(scale.times_bits(g.to_bits()));
    }
}
