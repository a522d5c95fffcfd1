//! The building block of most built-in metrics: a part's share of a whole.

/// `part/(part+other)` with both partials written out, so neither cancels:
/// `∂/∂part = other/D²` and `∂/∂other = -part/D²`, `D = part + other`.
#[derive(Clone, Copy)]
pub(crate) struct Share {
    pub value: f32,
    pub d_part: f32,
    pub d_other: f32,
}

/// The share, or `None` when `part + other` is not positive: both are sums of non-negative
/// counts, so a zero whole is the only way it fails. A whole so small (below about 2.9e-39,
/// subnormal) that its reciprocal overflows counts as zero: the partials there are beyond
/// any f32, and the loss's degenerate policy answers it as it answers an empty whole.
#[inline]
pub(crate) fn share(part: f32, other: f32) -> Option<Share> {
    let whole = part + other;
    let inv = 1.0 / whole;
    if whole > 0.0 && inv.is_finite() {
        let value = part * inv;
        Some(Share {
            value,
            d_part: other * inv * inv,
            d_other: -value * inv,
        })
    } else {
        None
    }
}
