use crate::{Confusion, Evaluation, Metric, Partials, Range};

/// Cohen's kappa `2(TP·TN - FN·FP)/((TP+FP)(FP+TN) + (TP+FN)(FN+TN))`, in `[-1, 1]`.
///
/// With `K` the numerator and `D` the denominator, `∂κ/∂x = (∂K/∂x - κ·∂D/∂x)/D`.
/// Undefined when `D = 0` (all mass in one cell), or so close to 0 that `1/D` overflows;
/// then the loss's [`crate::Degenerate`] policy applies. A single-class batch with errors is defined (κ = 0).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CohenKappa;

impl Metric for CohenKappa {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let a = c.tp + c.fp;
        let b = c.tp + c.fn_;
        let cc = c.fp + c.tn;
        let d = c.fn_ + c.tn;
        let den = a * cc + b * d;
        let inv = 1.0 / den;
        // A denominator too small to invert in f32 counts as zero (as in `share`).
        if den.is_nan() || den <= 0.0 || !inv.is_finite() {
            return None;
        }
        let kappa = 2.0 * (c.tp * c.tn - c.fn_ * c.fp) * inv;
        Some(Evaluation::new(
            kappa,
            Partials::new(
                (2.0 * c.tn - kappa * (cc + d)) * inv,
                (-2.0 * c.fp - kappa * (d + b)) * inv,
                (-2.0 * c.fn_ - kappa * (cc + a)) * inv,
                (2.0 * c.tp - kappa * (a + b)) * inv,
            ),
        ))
    }

    fn range(&self) -> Range {
        Range::SIGNED_UNIT
    }
}
