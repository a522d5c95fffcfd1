//! The dense layer every head is built from: `out_u = w_u·x + b_u` for `units` outputs over
//! `inputs` values, its `units·(inputs + 1)` parameters stored unit by unit (the unit's
//! weights, then its bias).
//!
//! Every sum runs in input order, so the host and a device produce the same bits. The
//! functions take pre-checked slices: a shorter slice just ends the sums early (the heads
//! check every length once, in their constructors and in [`super::Head::check`]).

/// `out[u] = w_u·x + b_u`.
#[inline]
pub(crate) fn forward(params: &[f32], inputs: usize, x: &[f32], out: &mut [f32]) {
    for (o, unit) in out.iter_mut().zip(params.chunks_exact(inputs + 1)) {
        let (bias, weights) = unit.split_last().unwrap_or((&0.0, &[]));
        let mut z = 0.0f32;
        for (&w, &xi) in weights.iter().zip(x) {
            z += w * xi;
        }
        *o = z + bias;
    }
}

/// `grad_u += d[u]·(x, 1)`: the parameter gradient of the layer for `∂loss/∂out = d`.
#[inline]
pub(crate) fn accumulate(grad: &mut [f32], inputs: usize, x: &[f32], d: &[f32]) {
    for (unit, &du) in grad.chunks_exact_mut(inputs + 1).zip(d) {
        if let Some((gb, gw)) = unit.split_last_mut() {
            for (g, &xi) in gw.iter_mut().zip(x) {
                *g += du * xi;
            }
            *gb += du;
        }
    }
}

/// `dx[i] = Σ_u d[u]·w_u[i]`: the layer's input gradient for `∂loss/∂out = d` (overwrites
/// `dx`).
#[inline]
pub(crate) fn input_gradient(params: &[f32], inputs: usize, d: &[f32], dx: &mut [f32]) {
    dx.fill(0.0);
    for (unit, &du) in params.chunks_exact(inputs + 1).zip(d) {
        for (g, &w) in dx.iter_mut().zip(unit) {
            *g += du * w;
        }
    }
}

/// Number of parameters of a layer.
pub(crate) const fn param_count(inputs: usize, units: usize) -> usize {
    units * (inputs + 1)
}
