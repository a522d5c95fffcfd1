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
/// counts, so a zero whole is the only way it fails. A subnormal whole (below
/// `f32::MIN_POSITIVE`, about 1.2e-38) counts as zero: its reciprocal is near or beyond
/// f32's range, so the partials (`other/D²` up to `1/D`, then scaled by the metric's
/// constants, such as F1's 2) would overflow, and the loss's degenerate policy answers it as
/// it answers an empty whole. Soft entries that small come only from samples the amplifier
/// has saturated.
#[inline]
pub(crate) fn share(part: f32, other: f32) -> Option<Share> {
    let whole = part + other;
    if whole >= f32::MIN_POSITIVE {
        let inv = 1.0 / whole;
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
