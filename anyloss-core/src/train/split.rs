//! Stratified, seeded train/test splits: `k` folds, or one test fraction.
//!
//! Samples are shuffled once with [`SplitMix64`] seeded by the caller, then dealt out class by
//! class in shuffled order, so every fold gets each class's share (±1) and the same seed
//! gives the same split on every machine.

use crate::error::{Error, Parameter};

use super::rng::SplitMix64;

/// How samples are divided into training and test parts.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Split {
    /// Stratified `k`-fold cross-validation, `2 <= k <= 255`: round `r` tests on fold `r`.
    Folds(u8),
    /// One stratified hold-out with this fraction of each class in the test part, in
    /// `(0, 1)`; each class with at least two samples keeps at least one on each side.
    TestFraction(f32),
}

impl Split {
    /// How many train/test rounds the split gives: `k` for folds, 1 for a test fraction.
    pub fn rounds(&self) -> u8 {
        match self {
            Split::Folds(k) => *k,
            Split::TestFraction(_) => 1,
        }
    }

    /// Assigns a fold to every sample: `fold_of[i]` is the round in which sample `i` is
    /// tested (for a test fraction, 0 = test and 1 = train). `order` is scratch of the same
    /// length (it ends holding the shuffled sample order).
    ///
    /// Errors: `InvalidParameter(Training)` for `k` outside `2..=255` or a fraction outside
    /// `(0, 1)`; [`Error::LengthMismatch`] for buffers of the wrong length; [`Error::Empty`];
    /// `InvalidParameter(Shape)` for more than `u32::MAX` samples.
    pub fn assign(
        &self,
        labels: &[u8],
        seed: u64,
        order: &mut [u32],
        fold_of: &mut [u8],
    ) -> Result<(), Error> {
        let n = labels.len();
        if n == 0 {
            return Err(Error::Empty);
        }
        if n > u32::MAX as usize {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        for len in [order.len(), fold_of.len()] {
            if len != n {
                return Err(Error::LengthMismatch {
                    expected: n,
                    found: len,
                });
            }
        }
        match *self {
            Split::Folds(k) if k >= 2 => {}
            Split::TestFraction(f) if f > 0.0 && f < 1.0 => {}
            _ => return Err(Error::InvalidParameter(Parameter::Training)),
        }
        for (i, slot) in order.iter_mut().enumerate() {
            *slot = i as u32;
        }
        SplitMix64::new(seed).shuffle(order);
        let top = labels.iter().copied().max().unwrap_or(0);
        // Dealing continues across classes, so fold sizes also differ by at most one.
        let mut dealt: usize = 0;
        for class in 0..=top {
            let count = labels.iter().filter(|&&y| y == class).count();
            let n_test = match *self {
                Split::Folds(_) => 0,
                Split::TestFraction(f) => test_count(count, f),
            };
            let mut seen = 0usize;
            for &i in order.iter() {
                let i = i as usize;
                if labels.get(i) != Some(&class) {
                    continue;
                }
                let fold = match *self {
                    Split::Folds(k) => (dealt % usize::from(k)) as u8,
                    Split::TestFraction(_) => u8::from(seen >= n_test),
                };
                if let Some(slot) = fold_of.get_mut(i) {
                    *slot = fold;
                }
                dealt += 1;
                seen += 1;
            }
        }
        Ok(())
    }
}

/// Test samples of a class of `count`: `round(f·count)`, kept in `1..count` when `count >= 2`.
fn test_count(count: usize, f: f32) -> usize {
    let raw = (f * count as f32 + 0.5) as usize;
    if count >= 2 {
        raw.clamp(1, count - 1)
    } else {
        0
    }
}

/// Writes the indices of the training part of `round` (samples whose fold is not `round`;
/// for a [`Split::TestFraction`] pass `round = 0`) into `out`, in sample order, and returns
/// how many there are. `out` must be long enough ([`Error::LengthMismatch`] otherwise).
pub fn train_rows(fold_of: &[u8], round: u8, out: &mut [u32]) -> Result<usize, Error> {
    select(fold_of, |f| f != round, out)
}

/// Writes the indices of the test part of `round` into `out`; see [`train_rows`].
pub fn test_rows(fold_of: &[u8], round: u8, out: &mut [u32]) -> Result<usize, Error> {
    select(fold_of, |f| f == round, out)
}

fn select(fold_of: &[u8], keep: impl Fn(u8) -> bool, out: &mut [u32]) -> Result<usize, Error> {
    let needed = fold_of.iter().filter(|&&f| keep(f)).count();
    if out.len() < needed {
        return Err(Error::LengthMismatch {
            expected: needed,
            found: out.len(),
        });
    }
    let picked = fold_of
        .iter()
        .enumerate()
        .filter(|&(_, &f)| keep(f))
        .map(|(i, _)| i as u32);
    for (slot, i) in out.iter_mut().zip(picked) {
        *slot = i;
    }
    Ok(needed)
}
