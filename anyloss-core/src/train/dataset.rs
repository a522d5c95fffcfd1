//! The training data as the trainer sees it: raw row-major features (they may live in flash)
//! and their labels, checked once.

use crate::error::{Error, Parameter};

/// `n` samples of `n_features` f32 features, row-major, with one label each.
///
/// Nothing is copied: the slices may be `const` arrays in flash. Subsets (folds, batches) are
/// lists of `u32` row indices, so a split costs 4 bytes per sample and no copy of the
/// features.
#[derive(Debug, Clone, Copy)]
pub struct Dataset<'a> {
    features: &'a [f32],
    labels: &'a [u8],
    n_features: usize,
}

impl<'a> Dataset<'a> {
    /// Checks that `features` holds `labels.len()` rows of `n_features` finite values.
    ///
    /// Errors: [`Error::Empty`] without samples, `InvalidParameter(Shape)` for
    /// `n_features = 0` or more than `u32::MAX` rows, [`Error::LengthMismatch`] when the
    /// lengths disagree, [`Error::NonFinite`] (index into `features`) for NaN or infinity.
    pub fn new(features: &'a [f32], labels: &'a [u8], n_features: usize) -> Result<Self, Error> {
        if labels.is_empty() {
            return Err(Error::Empty);
        }
        if n_features == 0 || labels.len() > u32::MAX as usize {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        let expected = labels
            .len()
            .checked_mul(n_features)
            .ok_or(Error::InvalidParameter(Parameter::Shape))?;
        if features.len() != expected {
            return Err(Error::LengthMismatch {
                expected,
                found: features.len(),
            });
        }
        if let Some(index) = features.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite { index });
        }
        Ok(Self {
            features,
            labels,
            n_features,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Never true: [`Dataset::new`] rejects empty data.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Features per sample.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// All labels.
    pub fn labels(&self) -> &'a [u8] {
        self.labels
    }

    /// Row `i` and its label, or `InvalidParameter(Shape)` when `i` is out of range.
    pub fn sample(&self, i: u32) -> Result<(&'a [f32], u8), Error> {
        let i = i as usize;
        let start = i.wrapping_mul(self.n_features);
        match (
            self.features
                .get(start..start.wrapping_add(self.n_features)),
            self.labels.get(i),
        ) {
            (Some(row), Some(&y)) if i < self.labels.len() => Ok((row, y)),
            _ => Err(Error::InvalidParameter(Parameter::Shape)),
        }
    }
}
