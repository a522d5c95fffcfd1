//! The one error type of the core.

use core::fmt;

/// Which parameter was rejected by [`Error::InvalidParameter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Parameter {
    /// The amplifier steepness `L` (finite, > 0).
    L,
    /// The decision threshold `t` of the amplifier (strictly between 0 and 1).
    Threshold,
    /// F-beta's or Tversky's `beta` (finite, > 0 for F-beta, >= 0 for Tversky).
    Beta,
    /// Tversky's `alpha` (finite, >= 0, and `alpha + beta > 0`).
    Alpha,
    /// The smoothing pseudo-count of [`crate::Degenerate::Smooth`] (finite, > 0).
    Epsilon,
    /// The fallback value of [`crate::Degenerate::Fallback`] (finite).
    Fallback,
    /// Class weights: all zero, or unequal where the averaging has none (micro, per label).
    ClassWeights,
    /// A class count, shape or stride that does not fit the buffers.
    Shape,
    /// A learning rate, momentum, mixing weight or other training setting.
    Training,
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parameter::L => "amplifier L must be finite and > 0",
            Parameter::Threshold => "decision threshold must lie strictly between 0 and 1",
            Parameter::Beta => "beta must be finite and > 0 (>= 0 for Tversky)",
            Parameter::Alpha => "alpha must be finite and >= 0, with alpha + beta > 0",
            Parameter::Epsilon => "smoothing epsilon must be finite and > 0",
            Parameter::Fallback => "fallback value must be finite",
            Parameter::ClassWeights => {
                "class weights must not all be 0, and apply to macro and weighted averages only"
            }
            Parameter::Shape => "shape, class count or stride does not fit the buffer",
            Parameter::Training => "training setting out of range",
        })
    }
}

/// Which output of a metric evaluation [`Error::NonFiniteMetric`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MetricOutput {
    /// The value `M`.
    Value,
    /// `∂M/∂TP`.
    PartialTp,
    /// `∂M/∂FN`.
    PartialFn,
    /// `∂M/∂FP`.
    PartialFp,
    /// `∂M/∂TN`.
    PartialTn,
    /// A partial, or a gradient coefficient made of them, where the caller does not know
    /// which partial.
    Gradient,
}

impl fmt::Display for MetricOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricOutput::Value => "value",
            MetricOutput::PartialTp => "partial dM/dTP",
            MetricOutput::PartialFn => "partial dM/dFN",
            MetricOutput::PartialFp => "partial dM/dFP",
            MetricOutput::PartialTn => "partial dM/dTN",
            MetricOutput::Gradient => "gradient",
        })
    }
}

/// Everything that can go wrong in the core. Every index is 0-based into the input slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// An input (probability, logit, feature or weight) is NaN or infinite.
    NonFinite {
        /// Position of the first offending element.
        index: usize,
    },
    /// A probability is outside `[0, 1]`.
    ProbabilityOutOfRange {
        /// Position of the first offending element.
        index: usize,
    },
    /// A label is not valid: not 0 or 1 for binary data, not below the class count (and not
    /// the ignore index) for multi-class data.
    InvalidLabel {
        /// Position of the first offending label.
        index: usize,
    },
    /// A sample weight or class weight is NaN or infinite.
    NonFiniteWeight {
        /// Position of the first offending weight.
        index: usize,
    },
    /// A sample weight or class weight is negative.
    NegativeWeight {
        /// Position of the first offending weight.
        index: usize,
    },
    /// Two slices that must have the same length do not.
    LengthMismatch {
        /// The length required (of the labels, or of the model).
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// No samples at all.
    Empty,
    /// A parameter is out of its domain.
    InvalidParameter(Parameter),
    /// A training step produced a non-finite gradient or update; the model was left unchanged.
    NonFiniteUpdate,
    /// The metric's value or a partial is NaN or infinite where the metric is defined: a
    /// step of its computation overflowed (a zero denominator is not this: the metric
    /// returns `None` there and the [`crate::Degenerate`] policy applies).
    NonFiniteMetric(MetricOutput),
    /// A feature column varies, but by less than `1/f32::MAX` (subnormal values), so its
    /// standardisation factor does not fit in `f32`.
    UnscalableFeature {
        /// The 0-based feature (column) index.
        feature: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NonFinite { index } => write!(f, "value at index {index} is NaN or infinite"),
            Error::ProbabilityOutOfRange { index } => {
                write!(f, "probability at index {index} is outside [0, 1]")
            }
            Error::InvalidLabel { index } => {
                write!(f, "label at index {index} is not a valid class")
            }
            Error::NonFiniteWeight { index } => {
                write!(f, "weight at index {index} is NaN or infinite")
            }
            Error::NegativeWeight { index } => {
                write!(
                    f,
                    "weight at index {index} is negative (weights must be >= 0)"
                )
            }
            Error::LengthMismatch { expected, found } => {
                write!(
                    f,
                    "length mismatch: expected {expected} elements, found {found}"
                )
            }
            Error::Empty => f.write_str("empty input: at least one sample is required"),
            Error::InvalidParameter(p) => write!(f, "invalid parameter: {p}"),
            Error::NonFiniteUpdate => f.write_str(
                "training step rejected: non-finite gradient or update (model left unchanged)",
            ),
            Error::UnscalableFeature { feature } => write!(
                f,
                "feature {feature} varies by less than 1/f32::MAX (about 2.9e-39): too little \
                 to standardise in f32; rescale that column"
            ),
            Error::NonFiniteMetric(output) => write!(
                f,
                "the metric's {output} is not finite at these confusion entries: it overflowed"
            ),
        }
    }
}

impl core::error::Error for Error {}
