//! The class-balanced reservoir policy: every class gets an equal share of the buffer, and
//! within a class the stored samples are a uniform sample of that class's stream.

use crate::error::Error;
use crate::train::{Dataset, SplitMix64};

use super::replay::{ReplayBuffer, Stored};
use super::rows::Rows;

/// A replay buffer of `N` samples of `F` features over `C` classes (labels `0..C`), filled
/// by class-balancing reservoir sampling (CBRS: Chrysakis & Moens, "Online Continual
/// Learning from Imbalanced Data", ICML 2020).
///
/// Until the buffer is full every sample is stored. Then a sample of class `c`:
/// - if `c` holds fewer slots than the largest class, replaces a random sample of the
///   largest class (of one of them, at random, on a tie);
/// - otherwise `c` is a largest class: it replaces a random sample of `c` with probability
///   `held_c / seen_c`, and is dropped otherwise (reservoir sampling within the class).
///
/// Guarantees: a sample is only ever evicted from a largest class, so a class that holds
/// fewer samples than the largest one loses none (a minority class keeps every sample it
/// sent while its count is below its share); once each class has sent at least `N/C`
/// samples, the classes hold `N/C` slots each (within one); the samples a class holds
/// are a uniform random subset of those it sent, not only its latest.
///
/// Pick it for imbalanced streams, the case this crate is for: a ring of 256 on a stream
/// with 2% positives holds about 5 positives, and none after a long negative run, while
/// this buffer holds every positive up to 128. It gives the old and the recent past equal
/// weight within a class; under a drift that keeps moving, prefer [`super::Ring`], or
/// [`ReplayBuffer::clear`] it when the drift is known to have happened.
///
/// Cost per push: O(F + C + N) (the row copy, the largest class, a scan for the sample to
/// evict). RAM: `N·(4F + 1)` bytes, `12C` bytes of counts and a few words. The random
/// choices come from a [`SplitMix64`] seeded by the caller: the same seed and stream give
/// the same buffer on a host and a device.
///
/// ```
/// use anyloss_core::field::{BalancedReservoir, ReplayBuffer};
///
/// let mut buffer = BalancedReservoir::<1, 16, 2>::new(7);
/// // 100 samples, a positive every 20.
/// for i in 0..100 {
///     buffer.push(&[i as f32], u8::from(i % 20 == 0))?;
/// }
/// assert_eq!(buffer.held(), [11, 5]); // every positive (a ring would hold 0 or 1)
/// assert_eq!(buffer.sent(), [95, 5]);
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BalancedReservoir<const F: usize, const N: usize, const C: usize> {
    rows: Rows<F, N>,
    held: [u32; C],
    sent: [u64; C],
    seen: u64,
    seed: u64,
    rng: SplitMix64,
}

impl<const F: usize, const N: usize, const C: usize> BalancedReservoir<F, N, C> {
    /// An empty buffer whose random choices are seeded by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self {
            rows: Rows::new(),
            held: [0; C],
            sent: [0; C],
            seen: 0,
            seed,
            rng: SplitMix64::new(seed),
        }
    }

    /// Samples held per class.
    pub fn held(&self) -> [u32; C] {
        self.held
    }

    /// Samples sent per class (stored or not).
    pub fn sent(&self) -> [u64; C] {
        self.sent
    }

    /// A largest class: the one at a random rank among those holding the most.
    fn largest(&mut self) -> usize {
        let most = self.held.iter().copied().max().unwrap_or(0);
        let ties = self.held.iter().filter(|&&h| h == most).count();
        let pick = self.rng.below(ties as u32) as usize;
        self.held
            .iter()
            .enumerate()
            .filter(|&(_, &h)| h == most)
            .nth(pick)
            .map_or(0, |(c, _)| c)
    }

    /// The slot of a uniformly random stored sample of `class`.
    fn random_slot(&mut self, class: usize) -> Option<usize> {
        let held = *self.held.get(class)?;
        let pick = self.rng.below(held) as usize;
        self.rows
            .labels()
            .iter()
            .enumerate()
            .filter(|&(_, &y)| usize::from(y) == class)
            .nth(pick)
            .map(|(slot, _)| slot)
    }

    fn evict(&mut self, class: usize, row: [f32; F], label: u8) -> Stored {
        let Some(slot) = self.random_slot(class) else {
            return Stored::Declined;
        };
        match self.rows.replace(slot, row, label) {
            Some(evicted) => {
                self.count(usize::from(evicted), -1);
                self.count(usize::from(label), 1);
                Stored::Replaced { slot, evicted }
            }
            None => Stored::Declined,
        }
    }

    fn count(&mut self, class: usize, delta: i32) {
        if let Some(h) = self.held.get_mut(class) {
            *h = h.saturating_add_signed(delta);
        }
    }
}

impl<const F: usize, const N: usize, const C: usize> ReplayBuffer for BalancedReservoir<F, N, C> {
    const FEATURES: usize = F;
    const CAPACITY: usize = N;

    fn push(&mut self, features: &[f32], label: u8) -> Result<Stored, Error> {
        let row = Rows::<F, N>::checked(features)?;
        let class = usize::from(label);
        let Some(sent) = self.sent.get_mut(class) else {
            return Err(Error::InvalidLabel {
                index: usize::try_from(self.seen).unwrap_or(usize::MAX),
            });
        };
        *sent += 1;
        let sent = *sent;
        self.seen += 1;
        if let Some(slot) = self.rows.push(row, label) {
            self.count(class, 1);
            return Ok(Stored::Added { slot });
        }
        let mine = self.held.get(class).copied().unwrap_or(0);
        let most = self.held.iter().copied().max().unwrap_or(0);
        if mine < most {
            let largest = self.largest();
            return Ok(self.evict(largest, row, label));
        }
        // Keep with probability held/sent: a draw below `sent` lands below `held`. The
        // modulo's bias is below sent/2^64, far under anything a stream can show.
        let draw = self.rng.next_u64() % sent.max(1);
        if draw < u64::from(mine) {
            Ok(self.evict(class, row, label))
        } else {
            Ok(Stored::Declined)
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
        *self = Self::new(self.seed);
    }
}
