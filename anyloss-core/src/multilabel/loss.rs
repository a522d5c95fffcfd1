//! The multi-label loss: options, evaluation of the per-label entries, and its two passes.

use super::entries::{accumulate, scale, LabelConfusion};
use crate::amplifier::Amplifier;
use crate::confusion::Confusion;
use crate::error::Error;
use crate::metric::{Coefficients, Degenerate, Evaluation, Metric};
use crate::multiclass::{check_class_weights, weighted_average, Average, MISSING_CLASS};
use crate::sample_weights::{SampleWeights, Unweighted, Weights};
use crate::samples::Input;

/// The loss at one set of per-label entries, and what pass 2 needs.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MultilabelOutput<const C: usize> {
    /// The averaged loss; without averaging, the sum of the per-label losses (whose
    /// gradient is the per-label gradients side by side: the labels are independent).
    pub loss: f32,
    /// `1 − M_c` of each label, under the [`Degenerate`] policy.
    pub per_class: [f32; C],
    /// The entries it was evaluated at.
    pub confusion: LabelConfusion<C>,
    /// `∂loss/∂a` of a positive and of a negative element of each label.
    pub coefficients: [Coefficients; C],
}

/// AnyLoss for multi-label data: `C` binary problems per row, over `[N][C]` row-major
/// labels (0 or 1) and probabilities or logits, each amplified around the decision
/// threshold of the [`Amplifier`] (logits through a sigmoid each).
///
/// ## Averaging
/// - `Some(Average::Macro)`: `1 − Σ_c v_c M_c`, with class weights `v_c` normalised to sum
///   to 1 (equal by default).
/// - `Some(Average::Weighted)`: the same with `v_c ∝ class weight × support`, support being
///   the weighted number of positive rows of the label (a constant of the gradient).
/// - `Some(Average::Micro)`: `1 − M(Σ_c entries_c)`, the metric of the pooled entries
///   (class weights do not apply: [`MultilabelLoss::with_class_weights`] refuses them).
/// - `None`: no averaging. [`MultilabelOutput::per_class`] holds each label's loss, and the
///   gradient is each label's own gradient (their sum's gradient, as labels do not share
///   inputs).
///
/// **Degenerate labels** (no positive row, no negative row, or any zero denominator) are
/// binary batches with the same problem and get exactly the binary treatment: each
/// label's metric goes through the [`Degenerate`] policy, which touches only the labels
/// where it is undefined (default: one pseudo-count in each cell). Macro averaging keeps
/// them in the mean. Weighted averaging gives labels without positives weight 0; if no
/// label has any, it falls back to the class weights alone under
/// [`Degenerate::Smooth`] and to the fixed value (zero gradient) under
/// [`Degenerate::Fallback`]. Micro averaging pools them with the rest.
///
/// Sample weights (the `_weighted` methods, one per row, finite and `>= 0`) scale a row's
/// part of every entry and its gradient; a zero weight removes the row.
///
/// Every method validates its input and returns `Err` instead of panicking; none allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MultilabelLoss<M, const C: usize> {
    metric: M,
    average: Option<Average>,
    amplifier: Amplifier,
    degenerate: Degenerate,
    class_weights: [f32; C],
}

impl<M: Metric, const C: usize> MultilabelLoss<M, C> {
    /// `metric` over `C` labels, averaged by `average` (`None`: per label), with the
    /// default amplifier, [`Degenerate`] policy and equal class weights.
    pub fn new(metric: M, average: Option<Average>) -> Self {
        Self {
            metric,
            average,
            amplifier: Amplifier::default(),
            degenerate: Degenerate::default(),
            class_weights: [1.0; C],
        }
    }

    /// The same loss with another amplifier (steepness and decision threshold).
    pub fn with_amplifier(mut self, amplifier: Amplifier) -> Self {
        self.amplifier = amplifier;
        self
    }

    /// The same loss with its amplifier centred on the decision threshold `t` in `(0, 1)`.
    pub fn with_threshold(mut self, t: f32) -> Result<Self, Error> {
        self.amplifier = self.amplifier.with_threshold(t)?;
        Ok(self)
    }

    /// The same loss with another policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Result<Self, Error> {
        self.degenerate = degenerate.validate()?;
        Ok(self)
    }

    /// The same loss with a weight per label in the macro and weighted averages (finite,
    /// `>= 0`, not all 0; normalised). Micro averaging and per-label output have no class
    /// weights: giving unequal ones there is an error rather than ignored.
    pub fn with_class_weights(mut self, weights: [f32; C]) -> Result<Self, Error> {
        let averages = matches!(self.average, Some(Average::Macro | Average::Weighted));
        check_class_weights(&weights, averages)?;
        self.class_weights = weights;
        Ok(self)
    }

    /// The metric.
    pub fn metric(&self) -> &M {
        &self.metric
    }

    /// The averaging (`None`: per label).
    pub fn average(&self) -> Option<Average> {
        self.average
    }

    /// The amplifier.
    pub fn amplifier(&self) -> &Amplifier {
        &self.amplifier
    }

    /// The class weights.
    pub fn class_weights(&self) -> &[f32; C] {
        &self.class_weights
    }

    /// Pass 1 alone: the per-label entries of a batch or chunk of rows.
    pub fn confusion(&self, labels: &[u8], input: Input<'_>) -> Result<LabelConfusion<C>, Error> {
        accumulate::<C>(&self.amplifier, labels, input, Unweighted, None)
    }

    /// [`MultilabelLoss::confusion`] with one weight per row.
    pub fn confusion_weighted(
        &self,
        labels: &[u8],
        input: Input<'_>,
        weights: &[f32],
    ) -> Result<LabelConfusion<C>, Error> {
        accumulate::<C>(&self.amplifier, labels, input, Weights(weights), None)
    }

    /// The loss, per-label losses and pass-2 coefficients at `confusion` (entries of any
    /// number of chunks). Finite for finite entries.
    pub fn evaluate(&self, confusion: &LabelConfusion<C>) -> MultilabelOutput<C> {
        let evaluations = confusion
            .classes
            .map(|c| self.degenerate.evaluate(&self.metric, &c));
        let per_class = evaluations.map(|e| 1.0 - e.value);
        let mut coefficients = [Coefficients::default(); C];
        let loss = match self.average {
            None => {
                for (k, e) in coefficients.iter_mut().zip(&evaluations) {
                    *k = Coefficients::from_partials(&e.partials);
                }
                per_class.iter().sum()
            }
            Some(Average::Micro) => {
                let pooled: Confusion = confusion.classes.iter().copied().sum();
                let e = self.degenerate.evaluate(&self.metric, &pooled);
                coefficients.fill(Coefficients::from_partials(&e.partials));
                1.0 - e.value
            }
            Some(Average::Macro) => {
                self.weighted(&evaluations, |c| self.class_weight(c), &mut coefficients)
            }
            Some(Average::Weighted) => {
                let by_support = |c: usize| {
                    self.class_weight(c) * confusion.support.get(c).copied().unwrap_or(0.0)
                };
                let total: f32 = (0..C).map(by_support).sum();
                if total > 0.0 {
                    self.weighted(&evaluations, by_support, &mut coefficients)
                } else if let Degenerate::Fallback(v) = self.degenerate {
                    1.0 - v
                } else {
                    self.weighted(&evaluations, |c| self.class_weight(c), &mut coefficients)
                }
            }
        };
        MultilabelOutput {
            loss,
            per_class,
            confusion: *confusion,
            coefficients,
        }
    }

    fn class_weight(&self, c: usize) -> f32 {
        self.class_weights.get(c).copied().unwrap_or(0.0)
    }

    /// `1 − Σ_c u_c M_c / Σ_c u_c` with `u_c = weight(c)`.
    fn weighted(
        &self,
        evaluations: &[Evaluation; C],
        weight: impl Fn(usize) -> f32,
        coefficients: &mut [Coefficients; C],
    ) -> f32 {
        let evaluation = |c: usize| evaluations.get(c).copied().unwrap_or(MISSING_CLASS);
        weighted_average(C, evaluation, weight, coefficients)
    }

    /// The loss alone.
    pub fn loss(&self, labels: &[u8], input: Input<'_>) -> Result<MultilabelOutput<C>, Error> {
        Ok(self.evaluate(&self.confusion(labels, input)?))
    }

    /// Loss and `∂loss/∂input` (probabilities or logits, `[N][C]` like the input) written
    /// into `grad`, in two passes. On `Err`, `grad` holds unspecified values.
    pub fn loss_and_grad(
        &self,
        labels: &[u8],
        input: Input<'_>,
        grad: &mut [f32],
    ) -> Result<MultilabelOutput<C>, Error> {
        self.two_pass(labels, input, Unweighted, grad)
    }

    /// [`MultilabelLoss::loss_and_grad`] with one weight per row.
    pub fn loss_and_grad_weighted(
        &self,
        labels: &[u8],
        input: Input<'_>,
        weights: &[f32],
        grad: &mut [f32],
    ) -> Result<MultilabelOutput<C>, Error> {
        self.two_pass(labels, input, Weights(weights), grad)
    }

    /// Pass 2 for streaming: this chunk's part of the exact gradient of the full-data loss
    /// `out`; `weights` are this chunk's row weights, or `None`.
    pub fn gradient(
        &self,
        out: &MultilabelOutput<C>,
        labels: &[u8],
        input: Input<'_>,
        weights: Option<&[f32]>,
        grad: &mut [f32],
    ) -> Result<(), Error> {
        match weights {
            Some(w) => accumulate::<C>(&self.amplifier, labels, input, Weights(w), Some(grad)),
            None => accumulate::<C>(&self.amplifier, labels, input, Unweighted, Some(grad)),
        }?;
        scale(&out.coefficients, labels, grad)
    }

    fn two_pass(
        &self,
        labels: &[u8],
        input: Input<'_>,
        weights: impl SampleWeights,
        grad: &mut [f32],
    ) -> Result<MultilabelOutput<C>, Error> {
        let confusion = accumulate::<C>(&self.amplifier, labels, input, weights, Some(grad))?;
        let out = self.evaluate(&confusion);
        scale(&out.coefficients, labels, grad)?;
        Ok(out)
    }
}
