use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Balanced accuracy `(recall + specificity)/2`.
///
/// Undefined on a batch with a single class (`TP+FN = 0` or `TN+FP = 0`, where the
/// reference code divides by zero); then the loss's [`crate::Degenerate`] policy applies.
/// By default the smoothed point gives `(1/2 + specificity)/2` on a batch without positives,
/// whose gradient still lowers the false positives.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BalancedAccuracy;

impl Metric for BalancedAccuracy {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let r = share(c.tp, c.fn_)?;
        let s = share(c.tn, c.fp)?;
        Some(Evaluation::new(
            0.5 * (r.value + s.value),
            Partials::new(r.d_part, r.d_other, s.d_other, s.d_part).scaled(0.5),
        ))
    }
}
