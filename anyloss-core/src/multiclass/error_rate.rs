//! The objective of the AnyLoss reference code, kept exactly, and its normalised form.

use super::class_confusion::total;
use super::objective::Objective;
use crate::confusion::Confusion;
use crate::metric::Coefficients;

/// The reference code's multi-class objective, `Σ_c (FP_c + FN_c) / C`: the soft count of
/// one-vs-rest errors, averaged over classes.
///
/// [`ErrorRate::Original`] is exactly what the reference `AnyLoss.forward` returns, for
/// compatibility. It is **not** normalised by the number of samples: its scale, and so the
/// scale of its gradient relative to other losses, grows with `N·H·W`, and a learning rate
/// tuned on one batch or image size does not carry over to another.
///
/// [`ErrorRate::Normalized`] divides by the number of labelled samples as well,
/// `Σ_c (FP_c + FN_c) / (C·N)`, which lies in `[0, 1]`: it is the per-element error rate,
/// `1 − ` the macro average of per-class accuracy. With sample weights, `N` is the
/// weighted number of labelled samples. With every sample ignored it is 0.
///
/// Neither form has a denominator that depends on the data's predictions, so no class
/// absent from a batch, and no other batch, is degenerate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorRate {
    /// `Σ_c (FP_c + FN_c) / C`, as in the reference code.
    #[default]
    Original,
    /// `Σ_c (FP_c + FN_c) / (C·N)`, with `N` the (weighted) number of labelled samples.
    Normalized,
}

impl Objective for ErrorRate {
    fn evaluate(
        &self,
        classes: &[Confusion],
        support: &[f32],
        coefficients: &mut [Coefficients],
    ) -> f32 {
        let per_class = match self {
            ErrorRate::Original => classes.len() as f32,
            ErrorRate::Normalized => classes.len() as f32 * total(support),
        };
        let scale = if per_class > 0.0 {
            1.0 / per_class
        } else {
            0.0
        };
        // ∂(FP + FN)/∂a is +1 for a negative (through FP) and −1 for a positive (through FN).
        for k in coefficients.iter_mut() {
            *k = Coefficients {
                positive: -scale,
                negative: scale,
            };
        }
        classes.iter().map(|c| c.fp + c.fn_).sum::<f32>() * scale
    }
}
