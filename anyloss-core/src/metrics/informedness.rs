use crate::{Confusion, Evaluation, Metric, Partials, Range};

use super::share::share;

/// Informedness (Youden's J) `recall + specificity - 1`, in `[-1, 1]`.
///
/// Undefined on a batch with a single class; then the loss's [`crate::Degenerate`] policy
/// applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Informedness;

impl Metric for Informedness {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let r = share(c.tp, c.fn_)?;
        let s = share(c.tn, c.fp)?;
        Some(Evaluation::new(
            (r.value + s.value) - 1.0,
            Partials::new(r.d_part, r.d_other, s.d_other, s.d_part),
        ))
    }

    fn range(&self) -> Range {
        Range::SIGNED_UNIT
    }
}
