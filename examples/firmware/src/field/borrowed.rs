//! A replay buffer used through a `&mut`, so that it stays in its `static` while the
//! online trainer (which takes its buffer by value) lives on the stack.

use anyloss_core::field::{ReplayBuffer, Stored};
use anyloss_core::train::Dataset;
use anyloss_core::Error;

/// Forwards every call to the buffer it borrows.
pub struct Borrowed<'b, B>(pub &'b mut B);

impl<B: ReplayBuffer> ReplayBuffer for Borrowed<'_, B> {
    const FEATURES: usize = B::FEATURES;
    const CAPACITY: usize = B::CAPACITY;

    fn push(&mut self, features: &[f32], label: u8) -> Result<Stored, Error> {
        self.0.push(features, label)
    }

    fn dataset(&self) -> Result<Dataset<'_>, Error> {
        self.0.dataset()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn seen(&self) -> u64 {
        self.0.seen()
    }

    fn clear(&mut self) {
        self.0.clear()
    }
}
