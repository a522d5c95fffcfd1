//! Input checks that run on the device: each yields a count of bad elements, read back
//! with the entries in one transfer. Only when a count is non-zero is the offending tensor
//! copied to the host, to name the first bad position and its value.

use candle_core::{DType, Result, Tensor};

/// What a check looks for, for the error message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// Probabilities outside `[0, 1]` or NaN.
    Probability,
    /// Logits that are NaN or infinite.
    Finite,
    /// Targets other than 0 and 1.
    Label,
    /// Weights that are negative, NaN or infinite.
    Weight,
}

impl Check {
    /// 1 where `x` (already flat, in a float dtype) passes, 0 where it fails, as `u8`.
    fn passes(self, x: &Tensor) -> Result<Tensor> {
        // |x| < inf is false for NaN and ±inf.
        let finite = || x.abs()?.lt(f64::INFINITY);
        match self {
            Check::Probability => x.ge(0.0)? * x.le(1.0)?,
            Check::Finite => finite(),
            Check::Label => x.eq(0.0)? + x.eq(1.0)?,
            Check::Weight => finite()? * x.ge(0.0)?,
        }
    }

    /// The number of failing elements of `x`, as a 0-dim tensor of `dtype` on the device.
    pub(crate) fn failures(self, x: &Tensor) -> Result<Tensor> {
        let pass = self.passes(&x.detach())?.to_dtype(DType::F32)?;
        pass.affine(-1.0, 1.0)?.sum_all()
    }

    /// The error for `x`, whose failure count was non-zero: names the first bad position.
    pub(crate) fn error(self, x: &Tensor) -> candle_core::Error {
        let located = (|| -> Result<(usize, f64)> {
            let pass = self.passes(&x.detach())?.to_vec1::<u8>()?;
            let index = pass.iter().position(|&p| p == 0).unwrap_or(0);
            let value = x.get(index)?.to_dtype(DType::F64)?.to_scalar::<f64>()?;
            Ok((index, value))
        })();
        match located {
            Ok((index, value)) => crate::error(match self {
                Check::Probability => format!(
                    "output at index {index} is {value}: probabilities must be in [0, 1] \
                     (pass logits with `with_logits(true)`)"
                ),
                Check::Finite => format!("logit at index {index} is {value}"),
                Check::Label => format!("target at index {index} is {value}, not 0 or 1"),
                Check::Weight => {
                    format!("weight at index {index} is {value}: weights must be finite and >= 0")
                }
            }),
            Err(e) => e,
        }
    }
}
