use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Precision (positive predictive value) `TP/(TP+FP)`.
///
/// Undefined when nothing is predicted positive (`TP+FP = 0`, only possible when every
/// amplified output underflows to 0); then the loss's [`crate::Degenerate`] policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Precision;

impl Metric for Precision {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tp, c.fp)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(s.d_part, 0.0, s.d_other, 0.0),
        ))
    }
}
