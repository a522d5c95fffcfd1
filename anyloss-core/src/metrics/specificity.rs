use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Specificity (true-negative rate) `TN/(TN+FP)`.
///
/// Undefined on a batch without negatives (`TN+FP = 0`); then the loss's
/// [`crate::Degenerate`] policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Specificity;

impl Metric for Specificity {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tn, c.fp)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(0.0, 0.0, s.d_other, s.d_part),
        ))
    }
}
