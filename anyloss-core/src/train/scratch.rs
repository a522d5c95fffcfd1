//! The buffers a training step writes besides the head and the optimizer.

use crate::error::{Error, Parameter};

use super::head::HeadShape;

/// Everything a [`super::Trainer`] writes besides the head and the optimizer, all in caller
/// storage. For a head of shape `s` ([`HeadShape`]) and a chunk of `K >= 1` samples:
///
/// | buffer | values |
/// |---|---|
/// | `input`: one standardised sample | `F` |
/// | `work`: the head's activations and their gradients | [`HeadShape::work_len`] |
/// | `logits`, `dz`: the chunk's logits and `∂loss/∂logits` | `K·O` each |
/// | `labels`: the chunk's labels | `K` |
/// | `grad`: `∂loss/∂params` | [`HeadShape::params`] |
///
/// A batch of any size streams through the chunk; the same `K` on two machines gives the
/// same bits. [`super::MemoryPlan`] adds these up.
#[derive(Debug)]
pub struct Scratch<'a> {
    /// One standardised sample, `F` values.
    pub input: &'a mut [f32],
    /// The head's work space.
    pub work: &'a mut [f32],
    /// Logits of the chunk, `[K][O]`.
    pub logits: &'a mut [f32],
    /// `∂loss/∂logits` of the chunk, `[K][O]`.
    pub dz: &'a mut [f32],
    /// Labels of the chunk, `[K]`.
    pub labels: &'a mut [u8],
    /// `∂loss/∂params`.
    pub grad: &'a mut [f32],
}

impl Scratch<'_> {
    /// The chunk length `K` after checking every buffer against `shape`:
    /// [`Error::LengthMismatch`] for a buffer of the wrong length, `InvalidParameter(Shape)`
    /// for `K = 0`.
    pub fn check(&self, shape: HeadShape) -> Result<usize, Error> {
        let k = self.labels.len();
        if k == 0 {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        let chunk = k.saturating_mul(shape.outputs);
        for (expected, found) in [
            (shape.features, self.input.len()),
            (shape.work_len(), self.work.len()),
            (chunk, self.logits.len()),
            (chunk, self.dz.len()),
            (shape.params(), self.grad.len()),
        ] {
            if expected != found {
                return Err(Error::LengthMismatch { expected, found });
            }
        }
        Ok(k)
    }
}
