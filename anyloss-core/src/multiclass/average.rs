//! Averaging any binary metric over the one-vs-rest classes: macro, weighted, micro, or
//! the per-class losses and their sum.

use super::class_confusion::{pool, ClassConfusion};
use super::class_weights::{self, weighted_average, ClassWeights, EqualWeights, MISSING_CLASS};
use super::objective::Objective;
use crate::confusion::Confusion;
use crate::error::Error;
use crate::metric::{Coefficients, Degenerate, Evaluation, Metric};

/// How per-class values of a metric become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Average {
    /// The mean of the per-class metrics, `(1/C) Σ_c M(c)`.
    #[default]
    Macro,
    /// The per-class metrics weighted by support, `Σ_c (n_c/N) M(c)`, with `n_c` the
    /// (sample-weighted) number of samples labelled `c`. The weights count labels, so they
    /// are constants of the gradient.
    Weighted,
    /// The metric of the entries summed over classes, `M(Σ_c TP_c, Σ_c FN_c, ...)`.
    Micro,
}

impl Average {
    /// Every averaging, in CLI order.
    pub const ALL: [Average; 3] = [Average::Macro, Average::Micro, Average::Weighted];

    /// The CLI name: `macro`, `micro` or `weighted`.
    pub fn name(self) -> &'static str {
        match self {
            Average::Macro => "macro",
            Average::Weighted => "weighted",
            Average::Micro => "micro",
        }
    }

    /// The averaging called `name` (see [`Average::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// `1 − ` an average of a binary metric over the one-vs-rest classes, or with no averaging
/// (`None`) the per-class losses and their sum.
///
/// ## Averages
/// - [`Average::Macro`]: `1 − Σ_c v_c M(c)`, with class weights `v_c` normalised to sum to 1
///   (equal by default; see [`Averaged::with_class_weights`]).
/// - [`Average::Weighted`]: the same with `v_c ∝ class weight × support`, the support being
///   the (weighted) number of samples labelled `c`, a constant of the gradient.
/// - [`Average::Micro`]: `1 − M(Σ_c entries_c)`, the metric of the pooled entries.
/// - `None`: no averaging. The loss is the sum of the per-class losses `Σ_c (1 − M(c))`
///   ([`Averaged::per_class`] gives each), and the gradient is the gradient of that sum: for
///   probabilities, the gradient at class `c`'s column is that of class `c`'s own loss, as
///   class `c`'s entries depend on that column only (the multi-label rule); for logits, the
///   per-class gradients in probability space go through the softmax together.
///
/// **Classes absent from a batch** (no labelled sample) are binary batches without
/// positives, and get exactly the binary treatment: each class's metric goes through the
/// [`Degenerate`] policy, which touches it only where it is undefined. Macro averaging keeps
/// absent classes in the mean, as the reference code does: F1 of an absent class is 0
/// wherever it has soft false positives, so macro-F1 of a batch missing `k` classes is at most
/// `1 − k/C`. Weighted averaging gives them weight 0. Micro averaging pools them with the
/// rest. With no support at all (every sample ignored or of weight 0), weighted averaging
/// falls back to the class weights alone under [`Degenerate::Smooth`] and to the fixed value
/// (zero gradient) under [`Degenerate::Fallback`]; no sample then receives a gradient anyway.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Averaged<M, V = EqualWeights> {
    metric: M,
    average: Option<Average>,
    degenerate: Degenerate,
    class_weights: V,
}

impl<M: Metric> Averaged<M> {
    /// `metric` averaged by `average` (an [`Average`], or `None` for the per-class sum),
    /// under the default [`Degenerate`] policy, with equal class weights.
    pub fn new(metric: M, average: impl Into<Option<Average>>) -> Self {
        Self {
            metric,
            average: average.into(),
            degenerate: Degenerate::default(),
            class_weights: EqualWeights,
        }
    }
}

impl<M: Metric, V: ClassWeights> Averaged<M, V> {
    /// The same objective with another policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Result<Self, Error> {
        self.degenerate = degenerate.validate()?;
        Ok(self)
    }

    /// The same objective with a weight per class in the macro and weighted averages
    /// (finite, `>= 0`, not all 0; normalised), for `C` classes only. Micro averaging and
    /// the per-class sum have no class weights: giving unequal ones there is an error
    /// rather than ignored. The rules and errors of
    /// [`MultilabelLoss::with_class_weights`](crate::multilabel::MultilabelLoss::with_class_weights).
    pub fn with_class_weights<const C: usize>(
        self,
        weights: [f32; C],
    ) -> Result<Averaged<M, [f32; C]>, Error> {
        let averages = matches!(self.average, Some(Average::Macro | Average::Weighted));
        class_weights::check(&weights, averages)?;
        // Only their ratios matter: kept divided by the largest, so that equal weights are
        // exactly 1 (the unweighted arithmetic) and none times a support can overflow.
        let max = weights.iter().fold(0.0f32, |m, &w| m.max(w));
        Ok(Averaged {
            metric: self.metric,
            average: self.average,
            degenerate: self.degenerate,
            class_weights: weights.map(|w| w / max),
        })
    }

    /// The metric.
    pub fn metric(&self) -> &M {
        &self.metric
    }

    /// The averaging (`None`: the per-class sum).
    pub fn average(&self) -> Option<Average> {
        self.average
    }

    /// The policy for undefined metrics.
    pub fn degenerate(&self) -> Degenerate {
        self.degenerate
    }

    /// The class weights, divided by the largest.
    pub fn class_weights(&self) -> &V {
        &self.class_weights
    }

    /// The loss of each class alone, `1 − M(c)` under the [`Degenerate`] policy (no
    /// averaging, no class weights), for logging per class or combining the classes another
    /// way. The gradient of class `c`'s loss is that of [`Average::Macro`] with all the
    /// weight on `c`.
    pub fn per_class<const C: usize>(&self, confusion: &ClassConfusion<C>) -> [f32; C] {
        confusion
            .classes()
            .map(|c| 1.0 - self.degenerate.evaluate(&self.metric, &c).value)
    }

    /// The policy's evaluation of class `c`'s entries (NaN past the last class).
    fn evaluation(&self, classes: &[Confusion], c: usize) -> Evaluation {
        match classes.get(c) {
            Some(entries) => self.degenerate.evaluate(&self.metric, entries),
            None => MISSING_CLASS,
        }
    }
}

impl<M: Metric, V: ClassWeights> Objective for Averaged<M, V> {
    fn evaluate(
        &self,
        classes: &[Confusion],
        support: &[f32],
        coefficients: &mut [Coefficients],
    ) -> f32 {
        let n = classes.len();
        let evaluation = |c: usize| self.evaluation(classes, c);
        let class_weight = |c: usize| self.class_weights.weight(c);
        match self.average {
            Some(Average::Macro) => weighted_average(n, evaluation, class_weight, coefficients),
            Some(Average::Weighted) => {
                let by_support =
                    |c: usize| class_weight(c) * support.get(c).copied().unwrap_or(0.0);
                let total: f32 = (0..n).map(by_support).sum();
                if total > 0.0 {
                    weighted_average(n, evaluation, by_support, coefficients)
                } else if let (Degenerate::Fallback(v), false) = (self.degenerate, total.is_nan()) {
                    coefficients.fill(Coefficients::default());
                    1.0 - v
                } else {
                    weighted_average(n, evaluation, class_weight, coefficients)
                }
            }
            Some(Average::Micro) => {
                let pooled = pool(classes);
                let e = self.degenerate.evaluate(&self.metric, &pooled);
                coefficients.fill(Coefficients::from_partials(&e.partials));
                1.0 - e.value
            }
            None => {
                let mut value = 0.0;
                for (c, k) in coefficients.iter_mut().enumerate().take(n) {
                    let e = evaluation(c);
                    value += 1.0 - e.value;
                    *k = Coefficients::from_partials(&e.partials);
                }
                value
            }
        }
    }

    fn classes(&self) -> Option<usize> {
        self.class_weights.classes()
    }
}
