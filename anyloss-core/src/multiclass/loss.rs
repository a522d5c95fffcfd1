//! The multi-class loss: its two passes, in one shot or streamed over chunks.

use super::average::{Average, Averaged};
use super::class_confusion::ClassConfusion;
use super::class_weights::EqualWeights;
use super::error_rate::ErrorRate;
use super::labels::Labels;
use super::layout::Layout;
use super::objective::Objective;
use super::{logit_rows, pixel_rows, positions};
use crate::amplifier::Amplifier;
use crate::error::{Error, MetricOutput, Parameter};
use crate::metric::Coefficients;
use crate::metric::Metric;
use crate::sample_weights::{SampleWeights, Unweighted, Weights};
use crate::samples::Input;

/// The loss at one set of per-class entries, and what pass 2 needs.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MulticlassOutput<const C: usize> {
    /// The objective's value.
    pub loss: f32,
    /// The per-class entries it was evaluated at.
    pub confusion: ClassConfusion<C>,
    /// `∂loss/∂a` of a positive and of a negative sample of each class.
    pub coefficients: [Coefficients; C],
}

impl<const C: usize> MulticlassOutput<C> {
    /// [`Error::NonFiniteMetric`] when the loss or a coefficient is not finite: an averaged
    /// metric overflowed at some class's entries.
    fn check_finite(&self) -> Result<(), Error> {
        if !self.loss.is_finite() {
            return Err(Error::NonFiniteMetric(MetricOutput::Value));
        }
        let finite = |k: &Coefficients| k.positive.is_finite() && k.negative.is_finite();
        if !self.coefficients.iter().all(finite) {
            return Err(Error::NonFiniteMetric(MetricOutput::Gradient));
        }
        Ok(())
    }
}

/// AnyLoss for `C`-class classification and segmentation: an [`Objective`] (an averaged
/// [`Metric`] or the reference code's [`ErrorRate`]) of the one-vs-rest soft entries of every
/// class, over amplified per-class probabilities or softmax logits.
///
/// Labels are any unsigned integers up to `u32`, one per (sample, pixel); a label equal to
/// the ignore index ([`MulticlassLoss::with_ignore`]) takes its sample out of every entry
/// and gives it a zero gradient. Its values must still be valid: a NaN anywhere in the
/// buffer is an error, as it means a broken model rather than an unlabeled pixel.
///
/// ## Sample weights
/// The `_weighted` methods take one weight `w ≥ 0` (finite) per label, i.e. per (sample,
/// pixel) position in `[N][H·W]` order (per sample for `[N][C]` data; repeat an image's
/// weight over its pixels to weight whole images): each position adds `w·y·A`,
/// `w·y·(1−A)`, `w·(1−y)·A`, `w·(1−y)·(1−A)` to the entries of every class, and `w` to the
/// support of its class. A zero weight removes the position like the ignore index: no
/// entries, and a zero gradient for its `C` values. A weight of 1 everywhere gives the
/// unweighted results bit for bit. Bad weights are reported by position
/// ([`Error::NegativeWeight`], [`Error::NonFiniteWeight`]).
///
/// ```
/// use anyloss_core::multiclass::{Layout, MulticlassLoss};
/// use anyloss_core::{metrics::F1, Average, Input};
///
/// // Three samples of 3 classes; the second has weight 0, class 2 counts twice in macro.
/// let layout = Layout::<3>::sample_major(3)?;
/// let labels = [0u8, 1, 2];
/// let probs = [0.7f32, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6];
/// let loss = MulticlassLoss::averaged(F1, Average::Macro).with_class_weights([1.0, 1.0, 2.0])?;
/// let mut grad = [0.0f32; 9];
/// let out = loss.loss_and_grad_weighted(&layout, &labels, Input::Probs(&probs), &[1.0, 0.0, 2.0], &mut grad)?;
/// assert_eq!(&grad[3..6], &[0.0; 3]);
/// assert_eq!(out.confusion.support(), &[1.0, 0.0, 2.0]);
/// // Per class, with no averaging: the loss is their sum.
/// let none = MulticlassLoss::averaged(F1, None);
/// let out = none.loss_weighted(&layout, &labels, Input::Probs(&probs), &[1.0, 0.0, 2.0])?;
/// let per_class = none.objective().per_class(&out.confusion);
/// assert!((out.loss - per_class.iter().sum::<f32>()).abs() < 1e-6);
/// # Ok::<(), anyloss_core::Error>(())
/// ```
///
/// ## Passes and cost
/// 1. Pass 1 sums the entries of every class and caches `w·dA/dp` of each element in the
///    caller's gradient buffer: one `exp` per element for probabilities; for logits, one per
///    element for the softmax and one for the amplifier.
/// 2. The objective is evaluated once, giving `∂loss/∂a` of positives and negatives of each
///    class.
/// 3. Pass 2 scales each cached derivative by its class's coefficient: no `exp` for
///    probabilities. For logits it recomputes the softmax (one more `exp` per element) and
///    applies its Jacobian in O(C) per position, `p_j (g_j − Σ_k p_k g_k)`.
///
/// Both passes are O(N·C·H·W) and allocate nothing.
///
/// ## Streaming
/// For data larger than RAM, call [`MulticlassLoss::confusion`] on every chunk (any number of
/// samples, same `C` and layout kind) and add the results, then [`MulticlassLoss::evaluate`]
/// once, then [`MulticlassLoss::gradient`] on every chunk: each chunk gets its part of the
/// exact full-data gradient. With sample weights, the same with
/// [`MulticlassLoss::confusion_weighted`] and [`MulticlassLoss::gradient_weighted`].
///
/// Every method validates its input and returns `Err` instead of panicking.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MulticlassLoss<O> {
    objective: O,
    amplifier: Amplifier,
    ignore: Option<u32>,
}

impl<M: Metric> MulticlassLoss<Averaged<M>> {
    /// `1 − ` the `average` of `metric` over the classes, or with `None` the sum of the
    /// per-class losses (default [`crate::Degenerate`] policy; see [`Averaged`]).
    pub fn averaged(metric: M, average: impl Into<Option<Average>>) -> Self {
        Self::new(Averaged::new(metric, average))
    }
}

impl<M: Metric> MulticlassLoss<Averaged<M, EqualWeights>> {
    /// The same loss with a weight per class in the macro and weighted averages, for `C`
    /// classes: see [`Averaged::with_class_weights`].
    pub fn with_class_weights<const C: usize>(
        self,
        weights: [f32; C],
    ) -> Result<MulticlassLoss<Averaged<M, [f32; C]>>, Error> {
        Ok(MulticlassLoss {
            objective: self.objective.with_class_weights(weights)?,
            amplifier: self.amplifier,
            ignore: self.ignore,
        })
    }
}

impl MulticlassLoss<ErrorRate> {
    /// The reference code's objective, `Σ_c (FP_c + FN_c) / C`; see [`ErrorRate`].
    pub fn error_rate() -> Self {
        Self::new(ErrorRate::Original)
    }
}

impl<O: Objective> MulticlassLoss<O> {
    /// The loss of `objective`, with the default amplifier (`L = 73`) and no ignore index.
    pub fn new(objective: O) -> Self {
        Self {
            objective,
            amplifier: Amplifier::default(),
            ignore: None,
        }
    }

    /// The same loss with another amplifier.
    pub fn with_amplifier(mut self, amplifier: Amplifier) -> Self {
        self.amplifier = amplifier;
        self
    }

    /// The same loss, leaving out every sample labelled `index` (e.g. 255 for unlabeled
    /// pixels). An index below `C` leaves that class without samples.
    pub fn with_ignore(mut self, index: u32) -> Self {
        self.ignore = Some(index);
        self
    }

    /// The objective.
    pub fn objective(&self) -> &O {
        &self.objective
    }

    /// The amplifier.
    pub fn amplifier(&self) -> &Amplifier {
        &self.amplifier
    }

    /// The ignore index.
    pub fn ignore(&self) -> Option<u32> {
        self.ignore
    }

    /// Pass 1 alone: the per-class entries of a batch or chunk.
    pub fn confusion<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
    ) -> Result<ClassConfusion<C>, Error> {
        self.accumulate(layout, labels, input, Unweighted, None)
    }

    /// [`MulticlassLoss::confusion`] with one weight per label (see the type's docs).
    pub fn confusion_weighted<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: &[f32],
    ) -> Result<ClassConfusion<C>, Error> {
        self.accumulate(layout, labels, input, Weights(weights), None)
    }

    /// [`MulticlassLoss::evaluate`], or [`Error::NonFiniteMetric`] where the metric
    /// overflows (a non-finite loss or coefficient), or
    /// [`Error::InvalidParameter`]`(`[`Parameter::ClassWeights`]`)` when the objective's
    /// class weights are for another number of classes than `C`.
    pub fn checked_evaluate<const C: usize>(
        &self,
        confusion: &ClassConfusion<C>,
    ) -> Result<MulticlassOutput<C>, Error> {
        self.check_classes::<C>()?;
        let out = self.evaluate(confusion);
        out.check_finite()?;
        Ok(out)
    }

    /// The loss and pass-2 coefficients at `confusion` (entries of any number of chunks).
    /// Finite for finite entries, unless the metric overflows or the objective is made for
    /// another number of classes: then NaN (see [`MulticlassLoss::checked_evaluate`]).
    pub fn evaluate<const C: usize>(&self, confusion: &ClassConfusion<C>) -> MulticlassOutput<C> {
        let mut coefficients = [Coefficients::default(); C];
        let loss = if self.check_classes::<C>().is_ok() {
            self.objective
                .evaluate(confusion.classes(), confusion.support(), &mut coefficients)
        } else {
            coefficients.fill(Coefficients {
                positive: f32::NAN,
                negative: f32::NAN,
            });
            f32::NAN
        };
        MulticlassOutput {
            loss,
            confusion: *confusion,
            coefficients,
        }
    }

    /// The loss alone.
    pub fn loss<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
    ) -> Result<MulticlassOutput<C>, Error> {
        self.checked_evaluate(&self.confusion(layout, labels, input)?)
    }

    /// [`MulticlassLoss::loss`] with one weight per label.
    pub fn loss_weighted<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: &[f32],
    ) -> Result<MulticlassOutput<C>, Error> {
        self.checked_evaluate(&self.confusion_weighted(layout, labels, input, weights)?)
    }

    /// Loss and `∂loss/∂input` (probabilities or logits), written into `grad` in the layout of
    /// the input, in two passes. On `Err`, `grad` holds unspecified values.
    pub fn loss_and_grad<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        grad: &mut [f32],
    ) -> Result<MulticlassOutput<C>, Error> {
        self.two_pass(layout, labels, input, Unweighted, grad)
    }

    /// [`MulticlassLoss::loss_and_grad`] with one weight per label (see the type's docs).
    pub fn loss_and_grad_weighted<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: &[f32],
        grad: &mut [f32],
    ) -> Result<MulticlassOutput<C>, Error> {
        self.two_pass(layout, labels, input, Weights(weights), grad)
    }

    /// Pass 2 for streaming: the exact gradient of the full-data loss `out` (evaluated at the
    /// summed entries of all chunks) with respect to this chunk's inputs. Recomputes this
    /// chunk's pass 1 to fill the cache, so each element costs its `exp`s twice.
    pub fn gradient<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        out: &MulticlassOutput<C>,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        grad: &mut [f32],
    ) -> Result<(), Error> {
        self.chunk_gradient(out, layout, labels, input, Unweighted, grad)
    }

    /// [`MulticlassLoss::gradient`] with this chunk's weights, one per label, for a loss
    /// `out` evaluated at the weighted entries of all chunks.
    pub fn gradient_weighted<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        out: &MulticlassOutput<C>,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: &[f32],
        grad: &mut [f32],
    ) -> Result<(), Error> {
        self.chunk_gradient(out, layout, labels, input, Weights(weights), grad)
    }

    fn two_pass<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: impl SampleWeights,
        grad: &mut [f32],
    ) -> Result<MulticlassOutput<C>, Error> {
        let confusion = self.accumulate(layout, labels, input, weights, Some(&mut *grad))?;
        let out = self.checked_evaluate(&confusion)?;
        self.scale(layout, labels, input, &out.coefficients, grad)?;
        Ok(out)
    }

    fn chunk_gradient<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        out: &MulticlassOutput<C>,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: impl SampleWeights,
        grad: &mut [f32],
    ) -> Result<(), Error> {
        out.check_finite()?;
        self.accumulate(layout, labels, input, weights, Some(&mut *grad))?;
        self.scale(layout, labels, input, &out.coefficients, grad)
    }

    /// [`Error::InvalidParameter`]`(`[`Parameter::ClassWeights`]`)` unless the objective
    /// takes `C` classes.
    fn check_classes<const C: usize>(&self) -> Result<(), Error> {
        match self.objective.classes() {
            Some(n) if n != C => Err(Error::InvalidParameter(Parameter::ClassWeights)),
            _ => Ok(()),
        }
    }

    /// Pass 1: checks the shapes, labels, weights and inputs, sums the entries and support of
    /// every class, and caches `w·dA/dp` of each element when `cache` is given.
    fn accumulate<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        weights: impl SampleWeights,
        cache: Option<&mut [f32]>,
    ) -> Result<ClassConfusion<C>, Error> {
        self.check_classes::<C>()?;
        layout.check(labels.len(), input.len())?;
        if let Some(cache) = &cache {
            layout.check(labels.len(), cache.len())?;
        }
        let labels = Labels::new(labels, self.ignore);
        let support = labels.support::<C>(&weights)?;
        let amp = &self.amplifier;
        let confusion = match input {
            Input::Probs(probs) if layout.has_pixel_rows() => {
                pixel_rows::accumulate(amp, layout, &labels, probs, weights, cache)
            }
            Input::Logits(logits) if layout.has_pixel_rows() => {
                logit_rows::accumulate(amp, layout, &labels, logits, weights, cache)
            }
            _ => positions::accumulate(amp, layout, &labels, input, weights, cache),
        }?;
        Ok(confusion.finish(support))
    }

    fn scale<const C: usize, Y: Copy + Into<u32> + Sync>(
        &self,
        layout: &Layout<C>,
        labels: &[Y],
        input: Input<'_>,
        coefficients: &[Coefficients; C],
        grad: &mut [f32],
    ) -> Result<(), Error> {
        let labels = Labels::new(labels, self.ignore);
        match input {
            Input::Probs(_) if layout.has_pixel_rows() => {
                pixel_rows::scale(layout, &labels, coefficients, grad)
            }
            Input::Logits(logits) if layout.has_pixel_rows() => {
                logit_rows::scale(layout, &labels, logits, coefficients, grad)
            }
            _ => positions::scale(layout, &labels, input, coefficients, grad),
        }
    }
}
