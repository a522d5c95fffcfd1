//! The input checks ([`Check`]) with candle ops on the device: each yields a count of bad
//! elements, read back with the entries in one transfer. Only when a count is non-zero is
//! the offending tensor copied to the host, to name the first bad position and its value.

use anyloss_adapter::Check;
use candle_core::{DType, Result, Tensor};

/// 1 where `x` (already flat, in a float dtype) passes `check`, 0 where it fails, as `u8`.
fn passes(check: Check, x: &Tensor) -> Result<Tensor> {
    // |x| < inf is false for NaN and ±inf.
    let finite = || x.abs()?.lt(f64::INFINITY);
    match check {
        Check::Probability => x.ge(0.0)? * x.le(1.0)?,
        Check::Finite => finite(),
        Check::Label => x.eq(0.0)? + x.eq(1.0)?,
        Check::Weight => finite()? * x.ge(0.0)?,
    }
}

/// The number of elements of `x` failing `check`, as a 0-dim f32 tensor on the device.
pub(crate) fn failures(check: Check, x: &Tensor) -> Result<Tensor> {
    let pass = passes(check, &x.detach())?.to_dtype(DType::F32)?;
    pass.affine(-1.0, 1.0)?.sum_all()
}

/// The error for `x`, whose failure count was non-zero: names the first bad position.
pub(crate) fn error(check: Check, x: &Tensor) -> candle_core::Error {
    let located = (|| -> Result<(usize, f64)> {
        let pass = passes(check, &x.detach())?.to_vec1::<u8>()?;
        let index = pass.iter().position(|&p| p == 0).unwrap_or(0);
        let value = x.get(index)?.to_dtype(DType::F64)?.to_scalar::<f64>()?;
        Ok((index, value))
    })();
    match located {
        Ok((index, value)) => crate::error(check.message(index, value)),
        Err(e) => e,
    }
}
