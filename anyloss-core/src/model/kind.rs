//! Which head a saved model holds, as its sizes say.

use core::fmt;

use crate::error::{Error, Parameter};
use crate::train::HeadShape;

/// The head a model's parameters belong to. It follows from the [`HeadShape`]
/// ([`HeadKind::of`]): a hidden layer makes an [`crate::train::Mlp`], otherwise one output a
/// [`crate::train::Logistic`] and `C >= 2` outputs a [`crate::train::Softmax`]. The blob
/// stores it anyway, as a check on the sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HeadKind {
    /// Logistic regression: one logit, no hidden layer.
    Logistic,
    /// Multinomial logistic regression: `C >= 2` logits, no hidden layer.
    Softmax,
    /// One or two hidden ReLU layers, then a sigmoid (1 output) or a softmax (`C`).
    Mlp,
}

impl HeadKind {
    /// The kind of head of `shape`, after [`HeadShape::validate`]
    /// (`InvalidParameter(Shape)` for an invalid shape).
    pub const fn of(shape: HeadShape) -> Result<Self, Error> {
        if shape.validate().is_err() {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Ok(if shape.hidden[0] > 0 {
            HeadKind::Mlp
        } else if shape.outputs == 1 {
            HeadKind::Logistic
        } else {
            HeadKind::Softmax
        })
    }

    /// The byte that stands for the kind in a blob.
    pub const fn code(self) -> u8 {
        match self {
            HeadKind::Logistic => 0,
            HeadKind::Softmax => 1,
            HeadKind::Mlp => 2,
        }
    }

    /// The lower-case name: `logistic`, `softmax` or `mlp`.
    pub const fn name(self) -> &'static str {
        match self {
            HeadKind::Logistic => "logistic",
            HeadKind::Softmax => "softmax",
            HeadKind::Mlp => "mlp",
        }
    }
}

impl fmt::Display for HeadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `F-H1-H2-O`, the hidden widths only where present: `7-16-1`, `4-3`.
pub(crate) struct ShapeText(pub(crate) HeadShape);

impl fmt::Display for ShapeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(f, "{}", s.features)?;
        for h in s.hidden {
            if h > 0 {
                write!(f, "-{h}")?;
            }
        }
        write!(f, "-{}", s.outputs)
    }
}

/// [`HeadShape::params`] without overflow: `None` when the count does not fit a `usize`.
pub(crate) fn checked_params(shape: HeadShape) -> Option<usize> {
    let layer = |inputs: usize, units: usize| units.checked_mul(inputs.checked_add(1)?);
    let [h1, h2] = shape.hidden;
    let mut n = layer(shape.last_width(), shape.outputs)?;
    if h1 > 0 {
        n = n.checked_add(layer(shape.features, h1)?)?;
    }
    if h2 > 0 {
        n = n.checked_add(layer(h1, h2)?)?;
    }
    Some(n)
}
