//! The storage under every replay policy: up to `N` rows of `F` features and their labels,
//! in `heapless` vectors (no allocator; the bytes are `N·(4F + 1)` plus two lengths).

use heapless::Vec;

use crate::error::{Error, Parameter};
use crate::train::Dataset;

/// `N` rows of `F` `f32` features with a label each, contiguous, so that they are a
/// [`Dataset`] without a copy.
#[derive(Debug, Clone)]
pub(crate) struct Rows<const F: usize, const N: usize> {
    features: Vec<[f32; F], N>,
    labels: Vec<u8, N>,
}

impl<const F: usize, const N: usize> Rows<F, N> {
    pub(crate) const fn new() -> Self {
        Self {
            features: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// The row as an array after checking it: its length, then every value finite.
    pub(crate) fn checked(features: &[f32]) -> Result<[f32; F], Error> {
        let row: [f32; F] = features.try_into().map_err(|_| Error::LengthMismatch {
            expected: F,
            found: features.len(),
        })?;
        match row.iter().position(|v| !v.is_finite()) {
            Some(index) => Err(Error::NonFinite { index }),
            None => Ok(row),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.labels.is_full()
    }

    pub(crate) fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Appends a row; `None` when full.
    pub(crate) fn push(&mut self, row: [f32; F], label: u8) -> Option<usize> {
        if self.is_full() {
            return None;
        }
        let slot = self.len();
        self.features.push(row).ok()?;
        self.labels.push(label).ok()?;
        Some(slot)
    }

    /// Overwrites `slot`; returns the label it held.
    pub(crate) fn replace(&mut self, slot: usize, row: [f32; F], label: u8) -> Option<u8> {
        let old = self.labels.get_mut(slot)?;
        let evicted = core::mem::replace(old, label);
        *self.features.get_mut(slot)? = row;
        Some(evicted)
    }

    pub(crate) fn dataset(&self) -> Result<Dataset<'_>, Error> {
        if F == 0 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Dataset::new(self.features.as_flattened(), &self.labels, F)
    }

    pub(crate) fn clear(&mut self) {
        self.features.clear();
        self.labels.clear();
    }
}
