use crate::error::{Error, Parameter};
use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// F-beta `(1+β²)TP/((1+β²)TP + β²FN + FP)`: recall weighs `β` times as much as precision.
///
/// Undefined only when `TP = FP = FN = 0`; then the loss's [`crate::Degenerate`] policy
/// applies.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FBeta {
    beta2: f32,
}

impl FBeta {
    /// F-beta with `beta` finite and > 0.
    pub fn new(beta: f32) -> Result<Self, Error> {
        let beta2 = beta * beta;
        if beta.is_finite() && beta > 0.0 && beta2.is_finite() && beta2 > 0.0 {
            Ok(Self { beta2 })
        } else {
            Err(Error::InvalidParameter(Parameter::Beta))
        }
    }

    /// `β`.
    pub fn beta(&self) -> f32 {
        crate::math::sqrt(self.beta2)
    }
}

impl Metric for FBeta {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let k = 1.0 + self.beta2;
        let s = share(k * c.tp, self.beta2 * c.fn_ + c.fp)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(k * s.d_part, self.beta2 * s.d_other, s.d_other, 0.0),
        ))
    }
}
