//! The RAM of learning from a stream: the training run's plan, the buffer and the row
//! indices, computed at compile time.

use crate::train::{HeadShape, MemoryPlan};

use super::replay::ReplayBuffer;

/// Bytes of an [`super::OnlineTrainer`] with a buffer `B`: the trainer's
/// [`MemoryPlan`] (parameters, gradient, optimizer state, activations, chunk scratch,
/// standardiser), the buffer itself (`size_of::<B>()`: `N·(4F + 1)` bytes of samples plus
/// the policy's counters, and padding), and the `4N` bytes of row indices a fine-tune
/// uses. The online trainer's own fields (a few words) and the stack are not counted.
///
/// | part | bytes |
/// |---|---|
/// | `training` | [`MemoryPlan::of`]`(shape, slots, chunk)` |
/// | `buffer` | `size_of::<B>()`: `N·(4F + 1)` and the policy's lengths and counters, at most `12C + 40` bytes for [`super::BalancedReservoir`] and 32 for [`super::Ring`] (on a 64-bit host; less with 32-bit `usize`) |
/// | `rows` | `4N` |
///
/// ```
/// use anyloss_core::field::{BalancedReservoir, FieldPlan};
/// use anyloss_core::train::HeadShape;
///
/// const SHAPE: HeadShape = HeadShape { features: 7, hidden: [16, 0], outputs: 1 };
/// const PLAN: FieldPlan = FieldPlan::of::<BalancedReservoir<7, 128, 2>>(SHAPE, 2, 64);
/// assert!(PLAN.buffer >= 128 * (4 * 7 + 1));
/// assert_eq!(PLAN.rows, 4 * 128);
/// assert_eq!(PLAN.total(), PLAN.training.total() + PLAN.buffer + PLAN.rows);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FieldPlan {
    /// The training run's buffers.
    pub training: MemoryPlan,
    /// The replay buffer.
    pub buffer: usize,
    /// The row indices of a fine-tune.
    pub rows: usize,
}

impl FieldPlan {
    /// The plan for a head of `shape`, `slots` optimizer values per parameter (SGD 1, Adam
    /// 2), chunks of `chunk` samples and a replay buffer `B`.
    pub const fn of<B: ReplayBuffer>(shape: HeadShape, slots: usize, chunk: usize) -> Self {
        Self {
            training: MemoryPlan::of(shape, slots, chunk),
            buffer: core::mem::size_of::<B>(),
            rows: 4 * B::CAPACITY,
        }
    }

    /// All of it, in bytes.
    pub const fn total(&self) -> usize {
        self.training.total() + self.buffer + self.rows
    }
}
