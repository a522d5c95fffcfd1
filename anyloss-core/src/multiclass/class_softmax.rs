//! Softmax over the classes of one sample, and its Jacobian-vector product in O(C).

use crate::math;

/// `p_j = exp(z_j - max z) / Σ_k exp(z_k - max z)`: `C` calls to `exp`, no overflow for any
/// finite logits, and every `p_j` in `[0, 1]`.
#[inline]
pub fn softmax<const C: usize>(z: &[f32; C]) -> [f32; C] {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut p = z.map(|zj| math::exp(zj - max));
    // The largest term is exp(0) = 1, so the sum is at least 1.
    let inv = 1.0 / p.iter().sum::<f32>();
    for pj in &mut p {
        *pj *= inv;
    }
    p
}

/// Maps `g = ∂loss/∂p` to `∂loss/∂z` through the softmax `p = softmax(z)`, in place:
/// `g_j ← p_j (g_j − Σ_k p_k g_k)`.
///
/// The softmax Jacobian `diag(p) − p pᵀ` is symmetric, so this is both its
/// Jacobian-vector and vector-Jacobian product, in O(C) without forming the C×C matrix.
#[inline]
pub fn softmax_jvp<const C: usize>(p: &[f32; C], g: &mut [f32; C]) {
    let mean: f32 = p.iter().zip(g.iter()).map(|(pk, gk)| pk * gk).sum();
    for (gj, pj) in g.iter_mut().zip(p) {
        *gj = pj * (*gj - mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_without_overflow() {
        let p = softmax(&[1000.0f32, 0.0, -1000.0]);
        assert_eq!(p, [1.0, 0.0, 0.0]);
        let p = softmax(&[0.5f32, 0.5, 0.5, 0.5]);
        assert!(p.iter().all(|&x| (x - 0.25).abs() < 1e-7));
    }

    #[test]
    fn jvp_equals_the_full_jacobian() {
        let z = [0.3f32, -1.2, 2.0, 0.7];
        let p = softmax(&z);
        let g0 = [0.5f32, -2.0, 1.0, 3.0];
        let mut g = g0;
        softmax_jvp(&p, &mut g);
        for j in 0..4 {
            let full: f32 = (0..4)
                .map(|k| {
                    let delta = if j == k { 1.0 } else { 0.0 };
                    p[j] * (delta - p[k]) * g0[k]
                })
                .sum();
            assert!((g[j] - full).abs() < 1e-6, "{j}: {} vs {full}", g[j]);
        }
    }
}
