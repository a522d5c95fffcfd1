use crate::error::{Error, Parameter};
use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Tversky index `TP/(TP + α·FP + β·FN)`. `α = β = 1/2` is F1 (Dice), `α = β = 1` Jaccard.
///
/// Undefined when the denominator is 0 (for example `TP = 0` with `α·FP + β·FN = 0`); then
/// the loss's [`crate::Degenerate`] policy applies.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tversky {
    alpha: f32,
    beta: f32,
}

impl Tversky {
    /// Tversky with finite `alpha, beta >= 0`, not both 0.
    pub fn new(alpha: f32, beta: f32) -> Result<Self, Error> {
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(Error::InvalidParameter(Parameter::Beta));
        }
        if !(alpha.is_finite() && alpha >= 0.0 && alpha + beta > 0.0) {
            return Err(Error::InvalidParameter(Parameter::Alpha));
        }
        Ok(Self { alpha, beta })
    }

    /// `α` (weight of false positives).
    pub fn alpha(&self) -> f32 {
        self.alpha
    }

    /// `β` (weight of false negatives).
    pub fn beta(&self) -> f32 {
        self.beta
    }
}

impl Metric for Tversky {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tp, self.alpha * c.fp + self.beta * c.fn_)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(s.d_part, self.beta * s.d_other, self.alpha * s.d_other, 0.0),
        ))
    }
}
