use crate::error::{Error, Parameter};
use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// F-beta `(1+β²)TP/((1+β²)TP + β²FN + FP)`: recall weighs `β` times as much as precision.
///
/// Every finite `β > 0` is accepted. For `β > 1` the fraction is divided by `β²` first,
/// `(1+1/β²)TP/((1+1/β²)TP + FN + FP/β²)`, so `β²` never overflows: a huge `β` gives
/// recall, its limit, as a tiny one gives precision.
///
/// Undefined only when `TP = FP = FN = 0`; then the loss's [`crate::Degenerate`] policy
/// applies.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FBeta {
    beta: f32,
    /// The weights of `TP`, `FN` and `FP` in `w_tp·TP/(w_tp·TP + w_fn·FN + w_fp·FP)`.
    w_tp: f32,
    w_fn: f32,
    w_fp: f32,
}

impl FBeta {
    /// F-beta with `beta` finite and > 0.
    pub fn new(beta: f32) -> Result<Self, Error> {
        if !(beta.is_finite() && beta > 0.0) {
            return Err(Error::InvalidParameter(Parameter::Beta));
        }
        let (w_fn, w_fp) = if beta <= 1.0 {
            (beta * beta, 1.0)
        } else {
            let inv = 1.0 / beta;
            (1.0, inv * inv)
        };
        // `w_fn + w_fp` is `1 + β²` scaled like the other two weights.
        Ok(Self {
            beta,
            w_tp: w_fn + w_fp,
            w_fn,
            w_fp,
        })
    }

    /// `β`.
    pub fn beta(&self) -> f32 {
        self.beta
    }
}

impl Metric for FBeta {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(self.w_tp * c.tp, self.w_fn * c.fn_ + self.w_fp * c.fp)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(
                self.w_tp * s.d_part,
                self.w_fn * s.d_other,
                self.w_fp * s.d_other,
                0.0,
            ),
        ))
    }
}
