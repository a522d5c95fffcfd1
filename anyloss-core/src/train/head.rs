//! What the trainer needs from a model: its parameters, a forward pass into caller
//! buffers, and the backward pass from `∂loss/∂output`.

use crate::error::{Error, Parameter};

use super::dense::param_count;

/// The sizes of a head: `features` inputs, up to two hidden ReLU layers (`hidden[k] = 0`
/// means absent; a second layer needs a first), and `outputs` logits (1 for a binary head,
/// `C` for a `C`-class head).
///
/// Every size a training run needs follows from it by `const fn`s, so a device can size its
/// `static` buffers at compile time (see [`super::MemoryPlan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeadShape {
    /// Input features `F`.
    pub features: usize,
    /// Units of the hidden layers; 0 for none.
    pub hidden: [usize; 2],
    /// Output logits: 1 (binary, sigmoid) or the class count `C` (softmax).
    pub outputs: usize,
}

impl HeadShape {
    /// A linear head (no hidden layer).
    pub const fn linear(features: usize, outputs: usize) -> Self {
        Self {
            features,
            hidden: [0, 0],
            outputs,
        }
    }

    /// The width of the last hidden layer, or `F` without one: the output layer's inputs.
    pub const fn last_width(&self) -> usize {
        if self.hidden[1] > 0 {
            self.hidden[1]
        } else if self.hidden[0] > 0 {
            self.hidden[0]
        } else {
            self.features
        }
    }

    /// Number of parameters: `Σ units·(inputs + 1)` over the layers.
    pub const fn params(&self) -> usize {
        let [h1, h2] = self.hidden;
        let mut n = param_count(self.last_width(), self.outputs);
        if h1 > 0 {
            n += param_count(self.features, h1);
        }
        if h2 > 0 {
            n += param_count(h1, h2);
        }
        n
    }

    /// `f32` values of per-sample work space the forward and backward passes need: the
    /// hidden activations and their gradients, `2·(H1 + H2)`.
    pub const fn work_len(&self) -> usize {
        2 * (self.hidden[0] + self.hidden[1])
    }

    /// `InvalidParameter(Shape)` unless `F >= 1`, `1 <= outputs <= 256` and the hidden
    /// layers are `[0, 0]`, `[H1, 0]` or `[H1, H2]` with `H1, H2 >= 1`.
    pub const fn validate(&self) -> Result<(), Error> {
        let [h1, h2] = self.hidden;
        if self.features == 0 || self.outputs == 0 || self.outputs > 256 || (h1 == 0 && h2 > 0) {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Ok(())
    }
}

/// A trainable model over standardised features.
///
/// A head owns its parameters (in caller storage) and computes, for one sample `x̃`
/// (`F` standardised features), its output logits, and the gradient of a loss with
/// respect to its parameters from `∂loss/∂logits`. The objective (BCE, a metric loss, ...)
/// lives outside the head and sees only logits, so every head trains with every objective
/// through one loop ([`super::Trainer`]).
///
/// Contract for implementors: the passes take slices of the lengths given by
/// [`Head::shape`] (`x`: `F`, `work`: [`HeadShape::work_len`], `out`/`dout`: outputs,
/// `grad`: [`HeadShape::params`]); the trainer checks them once, before the first pass.
pub trait Head {
    /// The head's sizes.
    fn shape(&self) -> HeadShape;

    /// All parameters, in the head's documented layout.
    fn params(&self) -> &[f32];

    /// All parameters, for the optimizer.
    fn params_mut(&mut self) -> &mut [f32];

    /// The output logits of the standardised sample `x` into `out`; `work` is scratch.
    fn forward(&self, x: &[f32], work: &mut [f32], out: &mut [f32]);

    /// Adds `∂loss/∂params` at `x` into `grad`, given `dout = ∂loss/∂logits` at `x`. `work`
    /// is scratch (the pass recomputes the activations it needs, so no activation outlives a
    /// sample).
    fn backward(&self, x: &[f32], dout: &[f32], work: &mut [f32], grad: &mut [f32]);

    /// Checks the head: a valid shape, `shape().params()` parameters, all finite.
    /// `InvalidParameter(Shape)`, [`Error::LengthMismatch`] or [`Error::NonFinite`] (index
    /// into the parameters).
    fn check(&self) -> Result<(), Error> {
        checked_params(self.params(), self.shape())
    }
}

impl<H: Head + ?Sized> Head for &mut H {
    fn shape(&self) -> HeadShape {
        (**self).shape()
    }
    fn params(&self) -> &[f32] {
        (**self).params()
    }
    fn params_mut(&mut self) -> &mut [f32] {
        (**self).params_mut()
    }
    fn forward(&self, x: &[f32], work: &mut [f32], out: &mut [f32]) {
        (**self).forward(x, work, out)
    }
    fn backward(&self, x: &[f32], dout: &[f32], work: &mut [f32], grad: &mut [f32]) {
        (**self).backward(x, dout, work, grad)
    }
    fn check(&self) -> Result<(), Error> {
        (**self).check()
    }
}

/// Checks `params` against `shape` for a head's constructor.
pub(crate) fn checked_params(params: &[f32], shape: HeadShape) -> Result<(), Error> {
    shape.validate()?;
    if params.len() != shape.params() {
        return Err(Error::LengthMismatch {
            expected: shape.params(),
            found: params.len(),
        });
    }
    match params.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite { index }),
        None => Ok(()),
    }
}
