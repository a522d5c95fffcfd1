//! Averaging any binary metric over the one-vs-rest classes: macro, weighted, micro.

use super::class_confusion::{pool, total, ClassConfusion};
use super::objective::Objective;
use crate::confusion::Confusion;
use crate::error::Error;
use crate::metric::Coefficients;
use crate::metric::{Degenerate, Metric};

/// How per-class values of a metric become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Average {
    /// The mean of the per-class metrics, `(1/C) Σ_c M(c)`.
    #[default]
    Macro,
    /// The per-class metrics weighted by support, `Σ_c (n_c/N) M(c)`. The weights count
    /// labels, so they are constants of the gradient.
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

/// `1 − ` an average of a binary metric over the one-vs-rest classes.
///
/// **Classes absent from a batch** (no labelled sample) are binary batches without
/// positives, and get exactly the binary treatment: each class's metric goes through the
/// [`Degenerate`] policy, which touches it only where it is undefined. Macro averaging keeps
/// absent classes in the mean, as the reference code does: F1 of an absent class is 0
/// wherever it has soft false positives, so macro-F1 of a batch missing `k` classes is at most
/// `1 − k/C`. Weighted averaging gives them weight 0. Micro averaging pools them with the
/// rest. With every sample ignored, weighted averaging falls back to equal weights under
/// [`Degenerate::Smooth`] (each class's pseudo-count) and to the fixed value under
/// [`Degenerate::Fallback`]; no sample then receives a gradient anyway.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Averaged<M> {
    metric: M,
    average: Average,
    degenerate: Degenerate,
}

impl<M: Metric> Averaged<M> {
    /// `metric` averaged by `average`, under the default [`Degenerate`] policy.
    pub fn new(metric: M, average: Average) -> Self {
        Self {
            metric,
            average,
            degenerate: Degenerate::default(),
        }
    }

    /// The same objective with another policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Result<Self, Error> {
        self.degenerate = degenerate.validate()?;
        Ok(self)
    }

    /// The metric.
    pub fn metric(&self) -> &M {
        &self.metric
    }

    /// The averaging.
    pub fn average(&self) -> Average {
        self.average
    }

    /// The policy for undefined metrics.
    pub fn degenerate(&self) -> Degenerate {
        self.degenerate
    }

    /// The loss of each class alone, `1 − M(c)` under the [`Degenerate`] policy (no
    /// averaging), for logging per class or combining the classes another way. The
    /// gradient of class `c`'s loss is that of [`Average::Macro`] with all the weight on
    /// `c`.
    pub fn per_class<const C: usize>(&self, confusion: &ClassConfusion<C>) -> [f32; C] {
        confusion
            .classes()
            .map(|c| 1.0 - self.degenerate.evaluate(&self.metric, &c).value)
    }

    /// `Σ_c w_c M(c)` with `w_c = weight(c)`, and the coefficients of each class.
    fn weighted_sum(
        &self,
        classes: &[Confusion],
        weight: impl Fn(usize) -> f32,
        coefficients: &mut [Coefficients],
    ) -> f32 {
        let mut value = 0.0;
        for (c, (entries, k)) in classes.iter().zip(coefficients.iter_mut()).enumerate() {
            let w = weight(c);
            let e = self.degenerate.evaluate(&self.metric, entries);
            value += w * e.value;
            *k = Coefficients::from_partials(&e.partials.scaled(w));
        }
        1.0 - value
    }
}

impl<M: Metric> Objective for Averaged<M> {
    fn evaluate(
        &self,
        classes: &[Confusion],
        support: &[u64],
        coefficients: &mut [Coefficients],
    ) -> f32 {
        let uniform = if classes.is_empty() {
            0.0
        } else {
            1.0 / classes.len() as f32
        };
        match self.average {
            Average::Macro => self.weighted_sum(classes, |_| uniform, coefficients),
            Average::Weighted => {
                let total = total(support);
                if total > 0 {
                    let inv = 1.0 / total as f32;
                    let weight = |c: usize| support.get(c).map_or(0.0, |&n| n as f32 * inv);
                    self.weighted_sum(classes, weight, coefficients)
                } else {
                    match self.degenerate {
                        Degenerate::Fallback(v) => {
                            coefficients.fill(Coefficients::default());
                            1.0 - v
                        }
                        _ => self.weighted_sum(classes, |_| uniform, coefficients),
                    }
                }
            }
            Average::Micro => {
                let pooled = pool(classes);
                let e = self.degenerate.evaluate(&self.metric, &pooled);
                coefficients.fill(Coefficients::from_partials(&e.partials));
                1.0 - e.value
            }
        }
    }
}
