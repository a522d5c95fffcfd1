//! The multi-layer perceptron head: one or two hidden dense ReLU layers, then a dense output
//! layer whose logits go through a sigmoid (1 output, binary) or a softmax (`C` outputs).
//!
//! Sizes are runtime values over caller-sized slices rather than const generics: the host
//! picks the architecture from the command line (`--model mlp:16`), which const generics
//! would turn into one monomorphised trainer per width, while a device still sizes its
//! arrays at compile time from the `const fn`s [`HeadShape::params`] and
//! [`super::MemoryPlan::of`]. The loops are the same either way; a known width buys no
//! measurable speed for layers this small.

mod init;

use crate::error::{Error, Parameter};

use super::dense;
use super::head::{checked_params, Head, HeadShape};

/// An MLP head `x̃ → ReLU(W1·x̃ + b1) → [ReLU(W2·a1 + b2)] → W3·a + b3` over `F` standardised
/// features.
///
/// Parameters, in caller storage, layer by layer, each layer unit by unit (the unit's
/// weights over the layer's inputs, then its bias): `H1·(F+1)`, then `H2·(H1+1)` with a
/// second hidden layer, then `O·(H+1)` for the output layer over the last hidden width `H`.
///
/// ```
/// use anyloss_core::train::{Head, HeadShape, Mlp, SplitMix64};
///
/// // 2 features → 4 hidden ReLU units → 1 logit (binary).
/// const SHAPE: HeadShape = HeadShape { features: 2, hidden: [4, 0], outputs: 1 };
/// let mut head = Mlp::new([0.0f32; SHAPE.params()], SHAPE)?;
/// head.init(&mut SplitMix64::new(7)); // He initialisation, biases 0
/// let (mut work, mut z) = ([0.0f32; SHAPE.work_len()], [0.0f32]);
/// head.forward(&[0.5, -1.0], &mut work, &mut z);
/// assert!(z[0].is_finite());
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp<S> {
    params: S,
    shape: HeadShape,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Mlp<S> {
    /// An MLP of `shape` keeping the values in `params` (`shape.params()` of them; call
    /// [`Mlp::init`] for a fresh start). `InvalidParameter(Shape)` without a hidden layer or
    /// for an invalid shape ([`HeadShape::validate`]), [`Error::LengthMismatch`] for the
    /// wrong parameter count, [`Error::NonFinite`] for a non-finite value.
    pub fn new(params: S, shape: HeadShape) -> Result<Self, Error> {
        if shape.hidden[0] == 0 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        checked_params(params.as_ref(), shape)?;
        Ok(Self { params, shape })
    }

    /// The parameters of the layers: first hidden, second hidden (empty without one),
    /// output.
    fn layers(&self) -> [&[f32]; 3] {
        split(self.params.as_ref(), self.shape)
    }
}

/// Splits a parameter vector into its three layers (the second may be empty).
fn split(params: &[f32], shape: HeadShape) -> [&[f32]; 3] {
    let [h1, h2] = shape.hidden;
    let (first, rest) = params.split_at(dense::param_count(shape.features, h1).min(params.len()));
    let second_len = if h2 > 0 {
        dense::param_count(h1, h2)
    } else {
        0
    };
    let (second, output) = rest.split_at(second_len.min(rest.len()));
    [first, second, output]
}

fn split_mut(params: &mut [f32], shape: HeadShape) -> [&mut [f32]; 3] {
    let [h1, h2] = shape.hidden;
    let first_len = dense::param_count(shape.features, h1).min(params.len());
    let (first, rest) = params.split_at_mut(first_len);
    let second_len = if h2 > 0 {
        dense::param_count(h1, h2)
    } else {
        0
    };
    let (second, output) = rest.split_at_mut(second_len.min(rest.len()));
    [first, second, output]
}

/// The work space's four parts: activations `a1` (`H1`), `a2` (`H2`), and their gradients.
fn work_parts(work: &mut [f32], shape: HeadShape) -> [&mut [f32]; 4] {
    let [h1, h2] = shape.hidden;
    let (a1, rest) = work.split_at_mut(h1.min(work.len()));
    let (a2, rest) = rest.split_at_mut(h2.min(rest.len()));
    let (d1, d2) = rest.split_at_mut(h1.min(rest.len()));
    [a1, a2, d1, d2]
}

/// `a = max(0, W·x + b)`.
fn relu_layer(params: &[f32], inputs: usize, x: &[f32], a: &mut [f32]) {
    dense::forward(params, inputs, x, a);
    for v in a.iter_mut() {
        *v = v.max(0.0);
    }
}

/// `d ← d ⊙ [a > 0]`: the ReLU's derivative (0 at 0, as PyTorch).
fn relu_mask(d: &mut [f32], a: &[f32]) {
    for (g, &v) in d.iter_mut().zip(a) {
        if v <= 0.0 {
            *g = 0.0;
        }
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Head for Mlp<S> {
    fn shape(&self) -> HeadShape {
        self.shape
    }

    fn params(&self) -> &[f32] {
        self.params.as_ref()
    }

    fn params_mut(&mut self) -> &mut [f32] {
        self.params.as_mut()
    }

    fn forward(&self, x: &[f32], work: &mut [f32], out: &mut [f32]) {
        let shape = self.shape;
        let [first, second, output] = self.layers();
        let [a1, a2, _, _] = work_parts(work, shape);
        relu_layer(first, shape.features, x, a1);
        if shape.hidden[1] > 0 {
            relu_layer(second, shape.hidden[0], a1, a2);
            dense::forward(output, shape.hidden[1], a2, out);
        } else {
            dense::forward(output, shape.hidden[0], a1, out);
        }
    }

    fn backward(&self, x: &[f32], dout: &[f32], work: &mut [f32], grad: &mut [f32]) {
        let shape = self.shape;
        let [h1, h2] = shape.hidden;
        let [first, second, output] = self.layers();
        let [g1, g2, g3] = split_mut(grad, shape);
        let [a1, a2, d1, d2] = work_parts(work, shape);
        relu_layer(first, shape.features, x, a1);
        if h2 > 0 {
            relu_layer(second, h1, a1, a2);
            dense::accumulate(g3, h2, a2, dout);
            dense::input_gradient(output, h2, dout, d2);
            relu_mask(d2, a2);
            dense::accumulate(g2, h1, a1, d2);
            dense::input_gradient(second, h1, d2, d1);
        } else {
            dense::accumulate(g3, h1, a1, dout);
            dense::input_gradient(output, h1, dout, d1);
        }
        relu_mask(d1, a1);
        dense::accumulate(g1, shape.features, x, d1);
    }
}
