use crate::{Confusion, Evaluation, Metric, Partials, Range};

use super::share::share;

/// Markedness `precision + NPV - 1` with `NPV = TN/(TN+FN)`, in `[-1, 1]`.
///
/// Undefined when nothing is predicted positive or nothing negative (`TP+FP = 0` or
/// `TN+FN = 0`); then the loss's [`crate::Degenerate`] policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Markedness;

impl Metric for Markedness {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let ppv = share(c.tp, c.fp)?;
        let npv = share(c.tn, c.fn_)?;
        Some(Evaluation::new(
            (ppv.value + npv.value) - 1.0,
            Partials::new(ppv.d_part, npv.d_other, ppv.d_other, npv.d_part),
        ))
    }

    fn range(&self) -> Range {
        Range::SIGNED_UNIT
    }
}
