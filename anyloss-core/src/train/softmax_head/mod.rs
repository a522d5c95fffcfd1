//! The softmax linear head (multi-class): `p = softmax(W·x̃ + b)` over `C` classes.

use crate::error::{Error, Parameter};

use super::dense;
use super::head::{checked_params, Head, HeadShape};

/// Most classes a softmax head (or any multi-class head) takes: labels are `u8`.
pub const MAX_CLASSES: usize = 256;

/// A linear head over `F` standardised features and `2 <= C <= 256` classes. Its
/// `C·(F+1)` parameters are in caller storage, class by class: the `F` weights of class 0,
/// its bias, then class 1, and so on.
///
/// ```
/// use anyloss_core::train::{Head, Softmax};
///
/// // 3 classes over 1 feature: logits z_c = w_c·x + b_c.
/// let head = Softmax::new([1.0f32, 0.0, -1.0, 0.0, 0.0, 0.5], 3)?;
/// let mut z = [0.0f32; 3];
/// head.forward(&[2.0], &mut [], &mut z);
/// assert_eq!(z, [2.0, -2.0, 0.5]);
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Softmax<S> {
    params: S,
    classes: usize,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Softmax<S> {
    /// A head over `classes` classes (2 to [`MAX_CLASSES`]) whose parameter count
    /// `params.len()` must be `classes·(F+1)` with `F >= 1` (`InvalidParameter(Shape)`
    /// otherwise). Keeps the values in `params`; [`Error::NonFinite`] for a non-finite one.
    pub fn new(params: S, classes: usize) -> Result<Self, Error> {
        let len = params.as_ref().len();
        if !(2..=MAX_CLASSES).contains(&classes) || len % classes != 0 || len / classes < 2 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        checked_params(
            params.as_ref(),
            HeadShape::linear(len / classes - 1, classes),
        )?;
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
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Head for Softmax<S> {
    fn shape(&self) -> HeadShape {
        HeadShape::linear(self.n_features(), self.classes)
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
