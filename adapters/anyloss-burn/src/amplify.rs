//! The two sigmoids of the loss, written with tensor ops so their gradient survives f32.

use burn::tensor::{backend::Backend, Tensor};

/// `σ(x)` and `1 − σ(x)`, each from `e = exp(−|x|)` with no cancellation.
///
/// burn's `sigmoid` differentiates as `σ(1 − σ)`, which is 0 in f32 once `σ` rounds to 1
/// (|x| > 17), while the AnyLoss amplifier at `L = 73` saturates for most samples. Here
/// autograd differentiates `1/(1+e)` and `e/(1+e)`, whose slope `e/(1+e)²` stays
/// representable down to `e ≈ 1e-38`. The sign of `x` only selects a branch (`mask_where`).
pub(crate) fn sigmoid_pair<B: Backend>(x: Tensor<B, 1>) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let nonneg = x.clone().greater_equal_elem(0.0);
    let e = x.clone().mask_where(nonneg.clone(), x.neg()).exp();
    let inv = e.clone().add_scalar(1.0).recip();
    let small = e * inv.clone();
    let a = small.clone().mask_where(nonneg.clone(), inv.clone());
    let one_minus_a = inv.mask_where(nonneg, small);
    (a, one_minus_a)
}
