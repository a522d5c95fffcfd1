use crate::{Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// Recall (sensitivity, true-positive rate) `TP/(TP+FN)`.
///
/// Undefined on a batch without positives (`TP+FN = 0`); then the loss's
/// [`crate::Degenerate`] policy applies (by default, recall at the smoothed point is 1/2 and
/// has no gradient, since no sample is positive).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Recall;

impl Metric for Recall {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let s = share(c.tp, c.fn_)?;
        Some(Evaluation::new(
            s.value,
            Partials::new(s.d_part, s.d_other, 0.0, 0.0),
        ))
    }
}
