//! The two sigmoids of the loss, written with candle ops so their gradient survives f32.

use candle_core::{Result, Tensor};

/// `σ(x)` and `1 − σ(x)`, each from `e = exp(−|x|)` with no cancellation.
///
/// candle has no sigmoid op in its core, and `(1 + tanh(x/2))/2` would flush the slope of
/// saturated samples: in f32, `tanh` rounds to ±1 for |x| > 9 and its derivative `1 − tanh²`
/// to 0, while the AnyLoss amplifier at `L = 73` saturates for most samples. Here autograd
/// differentiates `1/(1+e)` and `e/(1+e)`, whose slope `e/(1+e)²` stays representable down to
/// `e ≈ 1e-38`. The branch is a `where_cond`, so the sign of `x` only routes the gradient.
pub(crate) fn sigmoid_pair(x: &Tensor) -> Result<(Tensor, Tensor)> {
    let nonneg = x.ge(0.0)?;
    let e = nonneg.where_cond(&x.neg()?, x)?.exp()?;
    let inv = (&e + 1.0)?.recip()?;
    let small = (&e * &inv)?;
    let a = nonneg.where_cond(&inv, &small)?;
    let one_minus_a = nonneg.where_cond(&small, &inv)?;
    Ok((a, one_minus_a))
}
