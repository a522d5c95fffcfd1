//! What the online trainer needs from a replay buffer, whatever its policy.

use crate::error::Error;
use crate::train::Dataset;

/// What became of a sample offered to a replay buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Stored {
    /// Appended: the buffer was not full.
    Added {
        /// Its slot.
        slot: usize,
    },
    /// Written over the stored sample in `slot`.
    Replaced {
        /// The slot.
        slot: usize,
        /// The label of the sample it replaced.
        evicted: u8,
    },
    /// Not kept (the policy declined it).
    Declined,
}

/// A fixed-capacity store of labelled feature vectors that a policy fills from a stream.
///
/// [`ReplayBuffer::dataset`] views the stored samples as a [`Dataset`] (rows in slot order,
/// which is not arrival order), so the trainer sees them like any data.
pub trait ReplayBuffer {
    /// Features per sample `F`.
    const FEATURES: usize;

    /// Most samples it stores, `N`.
    const CAPACITY: usize;

    /// Offers one labelled sample (`features` raw, as the model's standardiser expects
    /// them). Errors, with nothing stored: [`Error::LengthMismatch`] for a row of the wrong
    /// length, [`Error::NonFinite`] (the feature) for NaN or infinity,
    /// [`Error::InvalidLabel`] (the sample's position in the stream) for a label the buffer
    /// does not take.
    fn push(&mut self, features: &[f32], label: u8) -> Result<Stored, Error>;

    /// The stored samples; [`Error::Empty`] before the first one.
    fn dataset(&self) -> Result<Dataset<'_>, Error>;

    /// Samples stored.
    fn len(&self) -> usize;

    /// True when nothing is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Samples offered so far (stored or not).
    fn seen(&self) -> u64;

    /// Forgets every sample (and the stream's counts).
    fn clear(&mut self);
}

/// A borrowed buffer is a buffer: a device keeps its buffer in a `static` and lends it to
/// an [`super::OnlineTrainer`] on the stack. (For [`super::FieldPlan::of`], name the buffer
/// type itself, not the reference.)
impl<B: ReplayBuffer> ReplayBuffer for &mut B {
    const FEATURES: usize = B::FEATURES;
    const CAPACITY: usize = B::CAPACITY;

    fn push(&mut self, features: &[f32], label: u8) -> Result<Stored, Error> {
        (**self).push(features, label)
    }

    fn dataset(&self) -> Result<Dataset<'_>, Error> {
        (**self).dataset()
    }

    fn len(&self) -> usize {
        (**self).len()
    }

    fn seen(&self) -> u64 {
        (**self).seen()
    }

    fn clear(&mut self) {
        (**self).clear()
    }
}
