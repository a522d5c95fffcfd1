//! The softmax linear head (multi-class): `p = softmax(W·x̃ + b)` over `C` classes.

use crate::error::{Error, Parameter};

use super::logistic::{accumulate_gradient, logit};
use super::standardize::Scaling;

/// A linear head over `F` standardised features and `C >= 2` classes. Its `C·(F+1)`
/// parameters are in caller storage, class by class: the `F` weights of class 0, its bias,
/// then class 1, and so on.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxHead<S> {
    params: S,
    classes: usize,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> SoftmaxHead<S> {
    /// A head over `classes` classes whose parameter count `params.len()` must be a multiple
    /// `classes·(F+1)` with `F >= 1` (`InvalidParameter(Shape)` otherwise). Keeps the values
    /// in `params`; [`Error::NonFinite`] for a non-finite one.
    pub fn new(params: S, classes: usize) -> Result<Self, Error> {
        let len = params.as_ref().len();
        if classes < 2 || len % classes != 0 || len / classes < 2 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        if let Some(index) = params.as_ref().iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { index });
        }
        Ok(Self { params, classes })
    }

    /// Sets every parameter to 0.
    pub fn zero(&mut self) {
        self.params.as_mut().fill(0.0);
    }

    /// Number of classes `C`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Number of features `F`.
    pub fn n_features(&self) -> usize {
        self.params.as_ref().len() / self.classes - 1
    }

    /// All `C·(F+1)` parameters.
    pub fn params(&self) -> &[f32] {
        self.params.as_ref()
    }

    pub(crate) fn params_mut(&mut self) -> &mut [f32] {
        self.params.as_mut()
    }

    /// The logits of one raw row into `out` (`C` values). [`Error::LengthMismatch`] for a
    /// row, scaling or output of the wrong length.
    pub fn logits(&self, scaling: Scaling<'_>, row: &[f32], out: &mut [f32]) -> Result<(), Error> {
        self.check(scaling, row.len())?;
        if out.len() != self.classes {
            return Err(Error::LengthMismatch {
                expected: self.classes,
                found: out.len(),
            });
        }
        logits(self.params(), self.n_features(), scaling, row, out);
        Ok(())
    }

    /// The most probable class (the first on ties); `out` receives the logits.
    pub fn predict(&self, scaling: Scaling<'_>, row: &[f32], out: &mut [f32]) -> Result<u8, Error> {
        self.logits(scaling, row, out)?;
        let mut best = 0usize;
        for (c, &z) in out.iter().enumerate() {
            if out.get(best).is_some_and(|&b| z > b) {
                best = c;
            }
        }
        Ok(u8::try_from(best).unwrap_or(u8::MAX))
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

/// `out[c] = w_c·x̃ + b_c`, each summed in feature order.
pub(crate) fn logits(params: &[f32], f: usize, scaling: Scaling<'_>, row: &[f32], out: &mut [f32]) {
    for (z, class_params) in out.iter_mut().zip(params.chunks_exact(f + 1)) {
        *z = logit(class_params, scaling, row);
    }
}

/// `grad_c += dz_c · (x̃, 1)` for every class.
pub(crate) fn accumulate_class_gradients(
    grad: &mut [f32],
    f: usize,
    dz: &[f32],
    scaling: Scaling<'_>,
    row: &[f32],
) {
    for (g, &d) in grad.chunks_exact_mut(f + 1).zip(dz) {
        accumulate_gradient(g, d, scaling, row);
    }
}
