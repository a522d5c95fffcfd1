use crate::{math, Confusion, Evaluation, Metric, Partials};

use super::share::share;

/// G-mean `sqrt(recall · specificity)`.
///
/// `∂G/∂x = (S·∂R/∂x + R·∂S/∂x)/(2G)`. The reference code multiplies by -2 where -1/2 is
/// right, so its gradient is 4× too large; this one is checked against autograd.
/// Undefined on a batch with a single class, and where `G = 0` (its slope is infinite
/// there); then the loss's [`crate::Degenerate`] policy applies: by default the smoothed
/// point, which on a batch without positives is `sqrt(specificity/2)`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GMean;

impl Metric for GMean {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        let r = share(c.tp, c.fn_)?;
        let s = share(c.tn, c.fp)?;
        let g = math::sqrt(r.value * s.value);
        let half_inv = 0.5 / g;
        if g.is_nan() || g <= 0.0 || !half_inv.is_finite() {
            return None;
        }
        let (kr, ks) = (s.value * half_inv, r.value * half_inv);
        Some(Evaluation::new(
            g,
            Partials::new(kr * r.d_part, kr * r.d_other, ks * s.d_other, ks * s.d_part),
        ))
    }
}
