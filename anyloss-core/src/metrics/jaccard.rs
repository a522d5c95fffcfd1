use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Jaccard index (IoU, critical success index) `TP/(TP+FP+FN)`.
///
/// Undefined only when `TP = FP = FN = 0`; then the loss's [`crate::Degenerate`] policy
/// applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Jaccard;

impl Metric for Jaccard {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tp, c.fp + c.fn_)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(s.d_part, s.d_other, s.d_other, 0.0),
        ))
    }
}
