//! Weights of the classes in an average: equal, or one per class, checked and normalised.

use crate::error::{Error, Parameter};
use crate::metric::{Coefficients, Evaluation, Partials};

/// The evaluation of a class that is not there: NaN, so that it can never pass as a number.
pub(crate) const MISSING_CLASS: Evaluation = Evaluation::new(
    f32::NAN,
    Partials::new(f32::NAN, f32::NAN, f32::NAN, f32::NAN),
);

/// How much each class counts in the macro and weighted averages of [`super::Averaged`]:
/// [`EqualWeights`] (the default), or `[f32; C]`, one weight per class (finite, `>= 0`, not
/// all 0), normalised by their sum where they are used.
pub trait ClassWeights: Copy {
    /// The weight of class `c`, before normalisation; NaN for a class the weights do not
    /// cover, so that a mismatch can never pass as a number.
    fn weight(&self, c: usize) -> f32;
    /// The number of classes the weights are for, or `None` for any number.
    fn classes(&self) -> Option<usize>;
}

/// Every class counts the same, for any number of classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EqualWeights;

impl ClassWeights for EqualWeights {
    #[inline(always)]
    fn weight(&self, _: usize) -> f32 {
        1.0
    }
    fn classes(&self) -> Option<usize> {
        None
    }
}

impl<const C: usize> ClassWeights for [f32; C] {
    #[inline(always)]
    fn weight(&self, c: usize) -> f32 {
        self.get(c).copied().unwrap_or(f32::NAN)
    }
    fn classes(&self) -> Option<usize> {
        Some(C)
    }
}

/// The check of class weights shared by the multi-class and multi-label losses: each
/// finite ([`Error::NonFiniteWeight`]) and `>= 0` ([`Error::NegativeWeight`]), by class
/// index; not all 0, and equal unless the loss `averages` them (macro or weighted), since
/// micro averaging and per-class output have no place for them
/// ([`Error::InvalidParameter`]`(`[`Parameter::ClassWeights`]`)`).
pub(crate) fn check(weights: &[f32], averages: bool) -> Result<(), Error> {
    for (index, &w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return Err(Error::NonFiniteWeight { index });
        }
        if w < 0.0 {
            return Err(Error::NegativeWeight { index });
        }
    }
    let all_zero = weights.iter().all(|&w| w == 0.0);
    let uniform = weights.iter().all(|&w| weights.first() == Some(&w));
    if all_zero || (!averages && !uniform) {
        return Err(Error::InvalidParameter(Parameter::ClassWeights));
    }
    Ok(())
}

/// `1 − Σ_c u_c M_c / Σ_c u_c` over `classes` classes, with `u_c = weight(c)` and `M_c` the
/// value of `evaluation(c)`, writing `∂loss/∂a` of class `c` into `coefficients[c]`. All
/// weights 0 gives `1` with zero coefficients.
///
/// The weights are divided by the largest first, so that weights near `f32::MAX` (class
/// weights, or supports of huge weighted data) cannot overflow their sum; equal weights
/// become exactly 1.
pub(crate) fn weighted_average(
    classes: usize,
    evaluation: impl Fn(usize) -> Evaluation,
    weight: impl Fn(usize) -> f32,
    coefficients: &mut [Coefficients],
) -> f32 {
    // Weights are `>= 0`; a NaN one (a class they do not cover) must reach the loss.
    let max = (0..classes)
        .map(&weight)
        .fold(0.0f32, |m, w| if w > m || w.is_nan() { w } else { m });
    let scaled = |c: usize| {
        let w = weight(c);
        if max == 0.0 {
            w
        } else {
            w / max
        }
    };
    let total: f32 = (0..classes).map(scaled).sum();
    let inv = if total == 0.0 { 0.0 } else { 1.0 / total };
    let mut value = 0.0;
    for (c, k) in coefficients.iter_mut().enumerate().take(classes) {
        let u = scaled(c) * inv;
        let e = evaluation(c);
        value += u * e.value;
        *k = Coefficients::from_partials(&e.partials.scaled(u));
    }
    1.0 - value
}
