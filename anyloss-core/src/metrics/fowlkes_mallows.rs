use crate::{math, Confusion, Evaluation, Metric, Partials};

/// Fowlkes–Mallows index `sqrt(precision · recall) = TP/sqrt((TP+FP)(TP+FN))`.
///
/// With `s = sqrt((TP+FP)(TP+FN))`: `∂/∂FP = -FM/(2(TP+FP))`, `∂/∂FN = -FM/(2(TP+FN))` and
/// `∂/∂TP = (FP/(2(TP+FP)) + FN/(2(TP+FN)))/s`, finite even at `TP = 0`. Undefined when
/// there are no positives or nothing is predicted positive; then the loss's
/// [`crate::Degenerate`] policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FowlkesMallows;

impl Metric for FowlkesMallows {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let predicted = c.tp + c.fp;
        let actual = c.tp + c.fn_;
        if !(predicted > 0.0 && actual > 0.0) {
            return None;
        }
        let inv_s = 1.0 / (math::sqrt(predicted) * math::sqrt(actual));
        let fm = c.tp * inv_s;
        let (hp, ha) = (0.5 / predicted, 0.5 / actual);
        // Margins too small to invert in f32 count as zero (as in `share`).
        if !(inv_s.is_finite() && hp.is_finite() && ha.is_finite()) {
            return None;
        }
        Some(Evaluation::new(
            fm,
            Partials::new((c.fp * hp + c.fn_ * ha) * inv_s, -fm * ha, -fm * hp, 0.0),
        ))
    }
}
