//! The logistic (binary) head: `p = sigmoid(w·x̃ + b)` over standardised features `x̃`.

use crate::error::{Error, Parameter};

use super::standardize::Scaling;

/// A logistic-regression head over `F` features, its `F + 1` parameters (weights, then the
/// bias) in caller storage: `[f32; F + 1]` on a device, `Vec<f32>` on a host.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticHead<S> {
    params: S,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> LogisticHead<S> {
    /// A head over `params.len() - 1` features, keeping the values in `params` (so a saved
    /// model can be fine-tuned). `InvalidParameter(Shape)` for fewer than 2 parameters,
    /// [`Error::NonFinite`] for a non-finite one.
    pub fn new(params: S) -> Result<Self, Error> {
        let p = params.as_ref();
        if p.len() < 2 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        if let Some(index) = p.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { index });
        }
        Ok(Self { params })
    }

    /// Sets every weight and the bias to 0: the paper's (and our default's) starting point.
    pub fn zero(&mut self) {
        self.params.as_mut().fill(0.0);
    }

    /// Number of features `F`.
    pub fn n_features(&self) -> usize {
        self.params.as_ref().len().saturating_sub(1)
    }

    /// All `F + 1` parameters: the weights, then the bias.
    pub fn params(&self) -> &[f32] {
        self.params.as_ref()
    }

    pub(crate) fn params_mut(&mut self) -> &mut [f32] {
        self.params.as_mut()
    }

    /// The weights of the standardised features.
    pub fn weights(&self) -> &[f32] {
        self.params().split_last().map_or(&[], |(_, w)| w)
    }

    /// The bias.
    pub fn bias(&self) -> f32 {
        self.params().last().copied().unwrap_or(0.0)
    }

    /// The logit `w·x̃ + b` of one raw row, standardised by `scaling` on the fly.
    /// [`Error::LengthMismatch`] unless `row` and `scaling` both have `F` values.
    pub fn logit(&self, scaling: Scaling<'_>, row: &[f32]) -> Result<f32, Error> {
        self.check(scaling, row.len())?;
        Ok(logit(self.params(), scaling, row))
    }

    /// The predicted class at threshold 0.5 (`p >= 0.5`, that is `logit >= 0`).
    pub fn predict(&self, scaling: Scaling<'_>, row: &[f32]) -> Result<u8, Error> {
        Ok(u8::from(self.logit(scaling, row)? >= 0.0))
    }

    pub(crate) fn check(&self, scaling: Scaling<'_>, row_len: usize) -> Result<(), Error> {
        for len in [scaling.len(), row_len] {
            if len != self.n_features() {
                return Err(Error::LengthMismatch {
                    expected: self.n_features(),
                    found: len,
                });
            }
        }
        Ok(())
    }
}

/// The standardised features of `row`, in feature order.
#[inline(always)]
pub(crate) fn standardized<'r>(
    scaling: Scaling<'r>,
    row: &'r [f32],
) -> impl Iterator<Item = f32> + 'r {
    row.iter()
        .zip(scaling.mean())
        .zip(scaling.inv_std())
        .map(|((&x, &m), &s)| (x - m) * s)
}

/// `w·x̃ + b`, summed in feature order (the same order, and so the same bits, everywhere).
#[inline]
pub(crate) fn logit(params: &[f32], scaling: Scaling<'_>, row: &[f32]) -> f32 {
    let (bias, weights) = params.split_last().unwrap_or((&0.0, &[]));
    let mut z = 0.0f32;
    for (&w, x) in weights.iter().zip(standardized(scaling, row)) {
        z += w * x;
    }
    z + bias
}

/// `grad += dz · (x̃, 1)`: one sample's contribution to `∂loss/∂(w, b)`.
#[inline]
pub(crate) fn accumulate_gradient(grad: &mut [f32], dz: f32, scaling: Scaling<'_>, row: &[f32]) {
    if let Some((gb, gw)) = grad.split_last_mut() {
        for (g, x) in gw.iter_mut().zip(standardized(scaling, row)) {
            *g += dz * x;
        }
        *gb += dz;
    }
}
