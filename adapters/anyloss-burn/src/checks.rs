//! The input checks ([`Check`]) with burn ops on the device: each yields a count of bad
//! elements, read back with the entries in one transfer. Only when a count is non-zero is
//! the offending tensor read, to name the first bad position and its value.

use anyloss_adapter::Check;
use burn::tensor::{backend::Backend, Bool, Tensor};

use crate::error::AnyLossError;

/// True where `x` (flat, targets already converted to floats) passes `check`.
fn passes<B: Backend>(check: Check, x: Tensor<B, 1>) -> Tensor<B, 1, Bool> {
    // |x| < inf is false for NaN and ±inf.
    let finite = |x: Tensor<B, 1>| x.abs().lower_elem(f64::INFINITY);
    match check {
        Check::Probability => x
            .clone()
            .greater_equal_elem(0.0)
            .bool_and(x.lower_equal_elem(1.0)),
        Check::Finite => finite(x),
        Check::Label => x.clone().equal_elem(0.0).bool_or(x.equal_elem(1.0)),
        Check::Weight => finite(x.clone()).bool_and(x.greater_equal_elem(0.0)),
    }
}

/// The number of elements of `x` failing `check`, as a one-element tensor on the device.
pub(crate) fn failures<B: Backend>(check: Check, x: Tensor<B, 1>) -> Tensor<B, 1> {
    passes(check, x.detach()).bool_not().float().sum()
}

/// The error for `x`, whose failure count was non-zero: names the first bad position.
pub(crate) fn error<B: Backend>(check: Check, x: Tensor<B, 1>) -> AnyLossError {
    let pass = passes(check, x.clone().detach()).try_into_data();
    let values = x.detach().try_into_data();
    let (pass, values) = match (pass, values) {
        (Ok(p), Ok(v)) => (p, v),
        (Err(e), _) | (_, Err(e)) => return AnyLossError(format!("reading the input: {e:?}")),
    };
    let index = pass.iter::<bool>().position(|p| !p).unwrap_or(0);
    let value = values.iter::<f64>().nth(index).unwrap_or(f64::NAN);
    AnyLossError(check.message(index, value))
}
