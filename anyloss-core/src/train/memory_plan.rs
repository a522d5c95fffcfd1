//! The RAM a training run needs, computed at compile time from the head's sizes.

use super::head::HeadShape;

/// Bytes of every buffer a [`super::Trainer`] of a head of shape `shape` uses, for an
/// optimizer with `slots` state values per parameter (SGD: 1, Adam: 2) and a chunk of `K`
/// samples. The data (features, labels) are not counted: they may stay in flash.
///
/// | part | bytes |
/// |---|---|
/// | `parameters` | `4P`, `P` = [`HeadShape::params`] |
/// | `gradient` | `4P` |
/// | `optimizer` | `4P·slots` |
/// | `activations`: hidden activations and their gradients, one sample at a time | `4·2(H1+H2)` |
/// | `scratch`: one standardised sample, the chunk's logits, `∂loss/∂logits`, labels | `4F + (8·O + 1)·K` |
/// | `standardizer`: mean and `1/std` | `8F` |
///
/// Add the training row indices (`4·n_train`, shuffled in place) and, for a metric
/// objective, anyloss-core's pass-1 block buffer on the stack (see [`crate::Confusion`]).
///
/// ```
/// use anyloss_core::train::{HeadShape, MemoryPlan};
///
/// // mlp:16 on 7 features, binary, Adam, chunks of 64 samples.
/// const PLAN: MemoryPlan = MemoryPlan::of(HeadShape { features: 7, hidden: [16, 0], outputs: 1 }, 2, 64);
/// assert_eq!(PLAN.parameters, 4 * (16 * 8 + 17));
/// assert_eq!(PLAN.total(), PLAN.parameters * 4 + PLAN.activations + PLAN.scratch + PLAN.standardizer);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MemoryPlan {
    /// The head's parameters.
    pub parameters: usize,
    /// `∂loss/∂params`.
    pub gradient: usize,
    /// The optimizer's per-parameter state.
    pub optimizer: usize,
    /// The head's work space.
    pub activations: usize,
    /// The standardised sample and the chunk buffers.
    pub scratch: usize,
    /// The standardiser's mean and reciprocal standard deviation.
    pub standardizer: usize,
}

impl MemoryPlan {
    /// The plan for `shape`, `slots` optimizer values per parameter and chunks of `chunk`
    /// samples.
    pub const fn of(shape: HeadShape, slots: usize, chunk: usize) -> Self {
        let p = shape.params();
        Self {
            parameters: 4 * p,
            gradient: 4 * p,
            optimizer: 4 * p * slots,
            activations: 4 * shape.work_len(),
            scratch: 4 * shape.features + (8 * shape.outputs + 1) * chunk,
            standardizer: 8 * shape.features,
        }
    }

    /// All of it, in bytes.
    pub const fn total(&self) -> usize {
        self.parameters
            + self.gradient
            + self.optimizer
            + self.activations
            + self.scratch
            + self.standardizer
    }
}
