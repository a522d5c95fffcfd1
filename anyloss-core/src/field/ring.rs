//! The ring policy: the newest `N` samples.

use crate::error::Error;
use crate::train::Dataset;

use super::replay::{ReplayBuffer, Stored};
use super::rows::Rows;

/// A replay buffer of the last `N` samples of `F` features: once full, each new sample
/// replaces the oldest. Any label is taken.
///
/// Pick it when the stream's class balance is what the model should see and the recent
/// past matters most (a drift that keeps moving: the buffer forgets the old distribution
/// after `N` samples). On an imbalanced stream the minority class can vanish from it
/// during a long run of the majority class; [`super::BalancedReservoir`] prevents that.
///
/// Cost per push: O(F) (the row copy). RAM: `N·(4F + 1)` bytes and a few words.
///
/// ```
/// use anyloss_core::field::{ReplayBuffer, Ring, Stored};
///
/// let mut ring = Ring::<2, 3>::new();
/// for (i, label) in [0u8, 1, 0, 0].into_iter().enumerate() {
///     ring.push(&[i as f32, 0.0], label)?;
/// }
/// assert_eq!(ring.len(), 3);
/// // The fourth sample replaced the first.
/// assert_eq!(ring.dataset()?.sample(0)?, (&[3.0f32, 0.0][..], 0));
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ring<const F: usize, const N: usize> {
    rows: Rows<F, N>,
    next: usize,
    seen: u64,
}

impl<const F: usize, const N: usize> Ring<F, N> {
    /// An empty ring.
    pub const fn new() -> Self {
        Self {
            rows: Rows::new(),
            next: 0,
            seen: 0,
        }
    }
}

impl<const F: usize, const N: usize> Default for Ring<F, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const F: usize, const N: usize> ReplayBuffer for Ring<F, N> {
    const FEATURES: usize = F;
    const CAPACITY: usize = N;

    fn push(&mut self, features: &[f32], label: u8) -> Result<Stored, Error> {
        let row = Rows::<F, N>::checked(features)?;
        self.seen += 1;
        if let Some(slot) = self.rows.push(row, label) {
            return Ok(Stored::Added { slot });
        }
        let slot = self.next;
        self.next = if slot + 1 >= N { 0 } else { slot + 1 };
        match self.rows.replace(slot, row, label) {
            Some(evicted) => Ok(Stored::Replaced { slot, evicted }),
            // N = 0: nothing is ever stored.
            None => Ok(Stored::Declined),
        }
    }

    fn dataset(&self) -> Result<Dataset<'_>, Error> {
        self.rows.dataset()
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn seen(&self) -> u64 {
        self.seen
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.next = 0;
        self.seen = 0;
    }
}
