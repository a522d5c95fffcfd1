//! The logistic (binary) head: `p = sigmoid(w·x̃ + b)` over standardised features `x̃`.

use crate::error::Error;

use super::dense;
use super::head::{checked_params, Head, HeadShape};
use super::standardize::Scaling;

/// A logistic-regression head over `F` features, its `F + 1` parameters (weights, then the
/// bias) in caller storage: `[f32; F + 1]` on a device, `Vec<f32>` on a host.
///
/// ```
/// use anyloss_core::train::{Head, Logistic};
///
/// let head = Logistic::new([0.5f32, -1.0, 0.25])?; // w = (0.5, −1), b = 0.25
/// let mut z = [0.0f32];
/// head.forward(&[2.0, 1.0], &mut [], &mut z);
/// assert_eq!(z[0], 0.25);
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic<S> {
    params: S,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Logistic<S> {
    /// A head over `params.len() - 1` features, keeping the values in `params` (so a saved
    /// model can be fine-tuned). `InvalidParameter(Shape)` for fewer than 2 parameters,
    /// [`Error::NonFinite`] for a non-finite one.
    pub fn new(params: S) -> Result<Self, Error> {
        let n = params.as_ref().len();
        checked_params(params.as_ref(), HeadShape::linear(n.saturating_sub(1), 1))?;
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

    /// The weights of the standardised features.
    pub fn weights(&self) -> &[f32] {
        self.params.as_ref().split_last().map_or(&[], |(_, w)| w)
    }

    /// The bias.
    pub fn bias(&self) -> f32 {
        self.params.as_ref().last().copied().unwrap_or(0.0)
    }

    /// The logit `w·x̃ + b` of one raw row, standardised by `scaling` on the fly.
    /// [`Error::LengthMismatch`] unless `row` and `scaling` both have `F` values.
    pub fn logit(&self, scaling: Scaling<'_>, row: &[f32]) -> Result<f32, Error> {
        for len in [scaling.len(), row.len()] {
            if len != self.n_features() {
                return Err(Error::LengthMismatch {
                    expected: self.n_features(),
                    found: len,
                });
            }
        }
        let (bias, weights) = self.params.as_ref().split_last().unwrap_or((&0.0, &[]));
        let mut z = 0.0f32;
        for (j, (&w, &x)) in weights.iter().zip(row).enumerate() {
            z += w * scaling.apply(j, x);
        }
        Ok(z + bias)
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Head for Logistic<S> {
    fn shape(&self) -> HeadShape {
        HeadShape::linear(self.n_features(), 1)
    }

    fn params(&self) -> &[f32] {
        self.params.as_ref()
    }

    fn params_mut(&mut self) -> &mut [f32] {
        self.params.as_mut()
    }

    fn forward(&self, x: &[f32], _work: &mut [f32], out: &mut [f32]) {
        dense::forward(self.params.as_ref(), self.n_features(), x, out);
    }

    fn backward(&self, x: &[f32], dout: &[f32], _work: &mut [f32], grad: &mut [f32]) {
        dense::accumulate(grad, self.n_features(), x, dout);
    }
}
