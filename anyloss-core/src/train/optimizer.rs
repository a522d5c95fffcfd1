//! What every optimizer offers the trainer.

use crate::error::Error;

/// A first-order optimizer with its per-parameter state in caller storage.
///
/// [`Optimizer::step`] is the safe step: on any `Err` the parameters and the optimizer state
/// are exactly as they were (same bits), and [`Error::NonFiniteUpdate`] says that the
/// gradient or the update was not finite.
pub trait Optimizer {
    /// Number of parameters it keeps state for.
    fn len(&self) -> usize;

    /// True when it keeps state for no parameter.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One update of `params` from `grad` (`∂loss/∂params`), or nothing at all.
    fn step(&mut self, params: &mut [f32], grad: &[f32]) -> Result<(), Error>;

    /// Forgets all state (momentum, moment estimates, step count): a fresh start.
    fn reset(&mut self);
}

impl<O: Optimizer + ?Sized> Optimizer for &mut O {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn step(&mut self, params: &mut [f32], grad: &[f32]) -> Result<(), Error> {
        (**self).step(params, grad)
    }

    fn reset(&mut self) {
        (**self).reset()
    }
}
