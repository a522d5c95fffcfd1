//! He initialisation of an MLP from the trainer's seeded generator.

use super::super::rng::SplitMix64;
use super::{split_mut, Mlp};
use crate::math;

impl<S: AsRef<[f32]> + AsMut<[f32]>> Mlp<S> {
    /// He (Kaiming) initialisation, uniform variant (He et al., 2015; PyTorch's
    /// `kaiming_uniform_`): every weight of a layer with `n` inputs drawn from
    /// `U(−√(6/n), √(6/n))` (variance `2/n`, right for ReLU), every bias 0. The draws come
    /// from `rng` in parameter order, so a seed fixes the network on every machine.
    pub fn init(&mut self, rng: &mut SplitMix64) {
        let shape = self.shape;
        let [h1, h2] = shape.hidden;
        let inputs = [shape.features, h1, if h2 > 0 { h2 } else { h1 }];
        for (layer, n) in split_mut(self.params.as_mut(), shape)
            .into_iter()
            .zip(inputs)
        {
            let bound = math::sqrt(6.0 / n.max(1) as f32);
            for unit in layer.chunks_exact_mut(n + 1) {
                if let Some((bias, weights)) = unit.split_last_mut() {
                    for w in weights {
                        *w = bound * uniform_symmetric(rng);
                    }
                    *bias = 0.0;
                }
            }
        }
    }
}

/// A uniform draw in `[−1, 1)` from the top 24 bits (exactly representable in `f32`).
fn uniform_symmetric(rng: &mut SplitMix64) -> f32 {
    let u = (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
    2.0 * u - 1.0
}
