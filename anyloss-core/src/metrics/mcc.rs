use crate::{math, Confusion, Evaluation, Metric, Partials, Range};

/// Matthews correlation coefficient
/// `(TP·TN - FP·FN)/sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))`, in `[-1, 1]`.
///
/// With `a, b, c, d` the four sums and `s` the root: `∂/∂TP = TN/s - MCC(1/a + 1/b)/2`,
/// `∂/∂TN = TP/s - MCC(1/c + 1/d)/2`, `∂/∂FP = -FN/s - MCC(1/a + 1/c)/2`,
/// `∂/∂FN = -FP/s - MCC(1/b + 1/d)/2`. Undefined when any of the four sums is 0 (every
/// single-class batch); then the loss's [`crate::Degenerate`] policy applies. Under the
/// default smoothing the value there is of order `sqrt(eps/N)`, so such a batch barely moves
/// the model; `Degenerate::Fallback(0.0)` gives scikit-learn's 0 with no gradient.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Mcc;

impl Metric for Mcc {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let a = c.tp + c.fp;
        let b = c.tp + c.fn_;
        let cc = c.tn + c.fp;
        let d = c.tn + c.fn_;
        if !(a > 0.0 && b > 0.0 && cc > 0.0 && d > 0.0) {
            return None;
        }
        // Two half-products keep the radicand inside f32 up to N ~ 10^9.
        let inv_s = 1.0 / (math::sqrt(a * b) * math::sqrt(cc * d));
        let mcc = (c.tp * c.tn - c.fp * c.fn_) * inv_s;
        let h = 0.5 * mcc;
        let (ia, ib, ic, id) = (1.0 / a, 1.0 / b, 1.0 / cc, 1.0 / d);
        // Margins too small to invert in f32 count as zero (as in `share`).
        if !(inv_s.is_finite()
            && ia.is_finite()
            && ib.is_finite()
            && ic.is_finite()
            && id.is_finite())
        {
            return None;
        }
        Some(Evaluation::new(
            mcc,
            Partials::new(
                c.tn * inv_s - h * (ia + ib),
                -c.fp * inv_s - h * (ib + id),
                -c.fn_ * inv_s - h * (ia + ic),
                c.tp * inv_s - h * (ic + id),
            ),
        ))
    }

    fn range(&self) -> Range {
        Range::SIGNED_UNIT
    }
}
