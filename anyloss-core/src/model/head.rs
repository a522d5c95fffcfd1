//! A head chosen at run time from a model's sizes: the three heads behind one type.

use crate::error::Error;
use crate::train::{Head, HeadShape, Logistic, Mlp, Softmax};

use super::kind::HeadKind;

/// The head of a model whose kind is known only at run time (read from a blob, picked on a
/// command line): a [`Logistic`], [`Softmax`] or [`Mlp`] over the same parameter storage.
/// It trains like any [`Head`].
#[derive(Debug, Clone, PartialEq)]
pub enum ModelHead<S> {
    /// Logistic regression.
    Logistic(Logistic<S>),
    /// Multinomial logistic regression.
    Softmax(Softmax<S>),
    /// A multi-layer perceptron.
    Mlp(Mlp<S>),
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> ModelHead<S> {
    /// The head [`HeadKind::of`] `shape` says, over `params` (kept as they are). The errors
    /// of the head's constructor: `InvalidParameter(Shape)`, [`Error::LengthMismatch`],
    /// [`Error::NonFinite`].
    pub fn new(shape: HeadShape, params: S) -> Result<Self, Error> {
        let len = params.as_ref().len();
        if len != shape.params() {
            return Err(Error::LengthMismatch {
                expected: shape.params(),
                found: len,
            });
        }
        Ok(match HeadKind::of(shape)? {
            HeadKind::Logistic => ModelHead::Logistic(Logistic::new(params)?),
            HeadKind::Softmax => ModelHead::Softmax(Softmax::new(params, shape.outputs)?),
            HeadKind::Mlp => ModelHead::Mlp(Mlp::new(params, shape)?),
        })
    }

    /// Which head it is.
    pub fn kind(&self) -> HeadKind {
        match self {
            ModelHead::Logistic(_) => HeadKind::Logistic,
            ModelHead::Softmax(_) => HeadKind::Softmax,
            ModelHead::Mlp(_) => HeadKind::Mlp,
        }
    }

    fn inner(&self) -> &dyn Head {
        match self {
            ModelHead::Logistic(h) => h,
            ModelHead::Softmax(h) => h,
            ModelHead::Mlp(h) => h,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn Head {
        match self {
            ModelHead::Logistic(h) => h,
            ModelHead::Softmax(h) => h,
            ModelHead::Mlp(h) => h,
        }
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Head for ModelHead<S> {
    fn shape(&self) -> HeadShape {
        self.inner().shape()
    }

    fn params(&self) -> &[f32] {
        self.inner().params()
    }

    fn params_mut(&mut self) -> &mut [f32] {
        self.inner_mut().params_mut()
    }

    fn forward(&self, x: &[f32], work: &mut [f32], out: &mut [f32]) {
        self.inner().forward(x, work, out);
    }

    fn backward(&self, x: &[f32], dout: &[f32], work: &mut [f32], grad: &mut [f32]) {
        self.inner().backward(x, dout, work, grad);
    }
}
