//! The metric trait, its partials, the loss coefficients they give, and the policy for batches where a metric is undefined.

use crate::confusion::Confusion;
use crate::error::{Error, MetricOutput, Parameter};

/// `∂M/∂TP, ∂M/∂FN, ∂M/∂FP, ∂M/∂TN` at one confusion point.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Partials {
    /// `∂M/∂TP`.
    pub tp: f32,
    /// `∂M/∂FN`.
    pub fn_: f32,
    /// `∂M/∂FP`.
    pub fp: f32,
    /// `∂M/∂TN`.
    pub tn: f32,
}

impl Partials {
    /// Partials from explicit values.
    pub const fn new(tp: f32, fn_: f32, fp: f32, tn: f32) -> Self {
        Self { tp, fn_, fp, tn }
    }

    /// All partials zero: a constant metric.
    pub const ZERO: Self = Self::new(0.0, 0.0, 0.0, 0.0);

    /// Every partial multiplied by `k`.
    pub fn scaled(&self, k: f32) -> Self {
        Self::new(self.tp * k, self.fn_ * k, self.fp * k, self.tn * k)
    }

    /// True when all four partials are finite.
    pub fn is_finite(&self) -> bool {
        self.tp.is_finite() && self.fn_.is_finite() && self.fp.is_finite() && self.tn.is_finite()
    }
}

/// `∂loss/∂a` of a positive and of a negative sample: everything pass 2 needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Coefficients {
    /// `-(∂M/∂TP - ∂M/∂FN)`: applies to samples labelled 1.
    pub positive: f32,
    /// `-(∂M/∂FP - ∂M/∂TN)`: applies to samples labelled 0.
    pub negative: f32,
}

impl Coefficients {
    /// The coefficients of loss `1 - M` given the partials of `M`.
    pub fn from_partials(p: &Partials) -> Self {
        Self {
            positive: -(p.tp - p.fn_),
            negative: -(p.fp - p.tn),
        }
    }
}

/// A metric's value and partials at one confusion point, computed together so shared
/// subexpressions are evaluated once.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Evaluation {
    /// `M(TP, FN, FP, TN)`.
    pub value: f32,
    /// Its partials.
    pub partials: Partials,
}

impl Evaluation {
    /// A value and its partials.
    pub const fn new(value: f32, partials: Partials) -> Self {
        Self { value, partials }
    }

    /// The first output that is NaN or infinite, if any.
    pub fn first_non_finite(&self) -> Option<MetricOutput> {
        let p = &self.partials;
        // A chain of tests, not a table: this runs in the error path of every device call,
        // whose flash budget a table of pairs would take.
        if !self.value.is_finite() {
            Some(MetricOutput::Value)
        } else if !p.tp.is_finite() {
            Some(MetricOutput::PartialTp)
        } else if !p.fn_.is_finite() {
            Some(MetricOutput::PartialFn)
        } else if !p.fp.is_finite() {
            Some(MetricOutput::PartialFp)
        } else if !p.tn.is_finite() {
            Some(MetricOutput::PartialTn)
        } else {
            None
        }
    }

    /// True when the value and every partial are finite.
    pub fn is_finite(&self) -> bool {
        self.value.is_finite() && self.partials.is_finite()
    }
}

/// The range a metric's value lies in, where it is defined.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Range {
    /// Smallest value.
    pub min: f32,
    /// Largest value.
    pub max: f32,
}

impl Range {
    /// `[0, 1]`: accuracy, F-scores, recall, ...
    pub const UNIT: Self = Self { min: 0.0, max: 1.0 };
    /// `[-1, 1]`: MCC, kappa, informedness, markedness.
    pub const SIGNED_UNIT: Self = Self {
        min: -1.0,
        max: 1.0,
    };
    /// No known bound (user formulas).
    pub const UNBOUNDED: Self = Self {
        min: f32::NEG_INFINITY,
        max: f32::INFINITY,
    };
}

/// A classification metric of the four confusion entries, with its analytic partials.
///
/// Loss is `1 - M`. Implement [`Metric::evaluate`] to return `None` wherever the value or a
/// partial is undefined (a zero denominator, `sqrt` at 0 with an infinite slope, ...): the
/// loss then applies its [`Degenerate`] policy, so no implementation has to choose one.
/// A NaN or infinite value or partial returned as `Some` is an overflow, and the loss
/// reports it as [`Error::NonFiniteMetric`] rather than hiding it behind the policy.
pub trait Metric {
    /// Value and partials at `c`, or `None` where either is undefined.
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation>;

    /// The range of the value where it is defined.
    fn range(&self) -> Range {
        Range::UNIT
    }
}

impl<M: Metric + ?Sized> Metric for &M {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        (**self).evaluate(c)
    }
    fn range(&self) -> Range {
        (**self).range()
    }
}

/// What the loss does where the metric is undefined: a batch with no positives (recall,
/// G-mean, balanced accuracy, MCC, ...), no negatives (specificity, ...), or any other zero
/// denominator. Either way the result is finite.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Degenerate {
    /// Re-evaluate at every entry plus `eps` (a pseudo-count in each cell, as in Laplace
    /// smoothing). Defined points are never touched, so well-posed batches get the exact
    /// metric. For every built-in metric the smoothed point is defined, so the gradient
    /// still pushes the entries that exist: on a batch without positives, recall is
    /// `eps/(2 eps) = 1/2` and G-mean becomes `sqrt(specificity/2)`, which still rewards
    /// fewer false positives. If the smoothed point is undefined too, the value is 0 with zero
    /// partials. The default, with `eps = 1`: one pseudo-sample per cell keeps the partials
    /// at the scale of a one-sample change.
    Smooth(f32),
    /// Take this fixed value with zero partials: the batch contributes no gradient.
    /// `Fallback(0.0)` matches scikit-learn's `zero_division=0`.
    Fallback(f32),
}

/// The error for an evaluation known to have a non-finite output; out of line, so the
/// finite path (every call on a device) carries none of its frame.
#[cold]
#[inline(never)]
pub(crate) fn non_finite(e: &Evaluation) -> Error {
    Error::NonFiniteMetric(e.first_non_finite().unwrap_or(MetricOutput::Value))
}

impl Default for Degenerate {
    fn default() -> Self {
        Degenerate::Smooth(1.0)
    }
}

impl Degenerate {
    /// Checks the policy's parameter.
    pub fn validate(self) -> Result<Self, Error> {
        match self {
            Degenerate::Smooth(eps) if !(eps.is_finite() && eps > 0.0) => {
                Err(Error::InvalidParameter(Parameter::Epsilon))
            }
            Degenerate::Fallback(v) if !v.is_finite() => {
                Err(Error::InvalidParameter(Parameter::Fallback))
            }
            ok => Ok(ok),
        }
    }

    /// `metric` at `c` under this policy: finite, or
    /// [`Error::NonFiniteMetric`] where the metric (at `c`, or at the smoothed point)
    /// returns a non-finite value or partial, which is an overflow, not an undefined point.
    pub fn checked<M: Metric + ?Sized>(
        self,
        metric: &M,
        c: &Confusion,
    ) -> Result<Evaluation, Error> {
        let e = self.resolve(metric, c);
        if e.is_finite() {
            Ok(e)
        } else {
            Err(non_finite(&e))
        }
    }

    /// The policy's evaluation, non-finite outputs included: a defined point is never
    /// smoothed, so an overflow there stays visible to [`Degenerate::checked`].
    #[inline(always)]
    pub(crate) fn resolve<M: Metric + ?Sized>(self, metric: &M, c: &Confusion) -> Evaluation {
        if let Some(e) = metric.evaluate(c) {
            return e;
        }
        match self {
            Degenerate::Smooth(eps) => metric
                .evaluate(&c.smoothed(eps))
                .unwrap_or(Evaluation::new(0.0, Partials::ZERO)),
            Degenerate::Fallback(v) => Evaluation::new(v, Partials::ZERO),
        }
    }

    /// [`Degenerate::checked`] for callers that check finiteness later: where the metric
    /// overflows, an evaluation with NaN value and partials (never a finite stand-in).
    pub fn evaluate<M: Metric + ?Sized>(self, metric: &M, c: &Confusion) -> Evaluation {
        self.checked(metric, c).unwrap_or(Evaluation::new(
            f32::NAN,
            Partials::new(f32::NAN, f32::NAN, f32::NAN, f32::NAN),
        ))
    }
}
