use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Accuracy `(TP+TN)/(TP+FN+FP+TN)`.
///
/// Defined for every non-empty batch (the denominator is the sample count).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Accuracy;

impl Metric for Accuracy {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tp + c.tn, c.fp + c.fn_)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(s.d_part, s.d_other, s.d_other, s.d_part),
        ))
    }
}
