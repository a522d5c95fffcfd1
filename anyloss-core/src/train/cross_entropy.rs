//! The baselines' per-sample losses: binary cross-entropy on a logit, and softmax
//! cross-entropy on a vector of logits. Both are computed from logits, never from rounded
//! probabilities, so they stay finite for any finite logit.

use crate::math;

/// Binary cross-entropy of logit `z` against label `y` (0 or 1; any nonzero counts as 1):
/// `(loss, ∂loss/∂z)` with `loss = softplus(z) − y·z = max(z, 0) − y·z + ln(1 + e^(−|z|))`
/// and `∂loss/∂z = sigmoid(z) − y`.
#[inline]
pub fn bce_with_logit(z: f32, y: u8) -> (f32, f32) {
    let e = math::exp_neg_abs(z);
    let big = 1.0 / (1.0 + e);
    let p = if z >= 0.0 { big } else { e * big };
    let yf = f32::from(u8::from(y != 0));
    (z.max(0.0) - yf * z + math::ln(1.0 + e), p - yf)
}

/// Softmax cross-entropy of `logits` against class `y`: replaces `logits` by the softmax
/// probabilities and returns `−ln p_y = logsumexp(z) − z_y`. `None` for no logits or `y` out
/// of range (then `logits` is untouched).
pub fn softmax_cross_entropy(logits: &mut [f32], y: usize) -> Option<f32> {
    let zy = *logits.get(y)?;
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for z in logits.iter_mut() {
        *z = math::exp(*z - max);
        sum += *z;
    }
    for p in logits.iter_mut() {
        *p /= sum;
    }
    Some(max + math::ln(sum) - zy)
}
