use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// F1 `2TP/(2TP+FP+FN)`.
///
/// `∂/∂TP = 2(FP+FN)/D²`, `∂/∂FP = ∂/∂FN = -2TP/D²` with `D = 2TP+FP+FN`. Undefined only
/// when `TP = FP = FN = 0` (no positives and nothing predicted positive); then the loss's
/// [`crate::Degenerate`] policy applies. A batch without positives but with soft false
/// positives is defined: F1 is 0 there, and its gradient still lowers the false positives.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct F1;

impl Metric for F1 {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(2.0 * c.tp, c.fp + c.fn_)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(2.0 * s.d_part, s.d_other, s.d_other, 0.0),
        ))
    }
}
