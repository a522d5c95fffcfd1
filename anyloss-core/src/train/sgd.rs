//! Stochastic gradient descent with (heavy-ball) momentum.

use crate::error::{Error, Parameter};

use super::optimizer::Optimizer;
use super::safe_step::guarded_step;

/// SGD with momentum, as PyTorch's `torch.optim.SGD`: `v ← μ·v + g`, `θ ← θ − lr·v`.
/// With `μ = 0` it is plain SGD. State: one velocity per parameter, in caller storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd<S> {
    lr: f32,
    momentum: f32,
    velocity: S,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Sgd<S> {
    /// SGD with learning rate `lr` (finite, > 0) and `momentum` in `[0, 1)`, over
    /// `velocity.len()` parameters (zeroed here). `InvalidParameter(Training)` otherwise.
    pub fn new(lr: f32, momentum: f32, mut velocity: S) -> Result<Self, Error> {
        if !(lr.is_finite() && lr > 0.0 && (0.0..1.0).contains(&momentum)) {
            return Err(Error::InvalidParameter(Parameter::Training));
        }
        velocity.as_mut().fill(0.0);
        Ok(Self {
            lr,
            momentum,
            velocity,
        })
    }

    /// The learning rate.
    pub fn lr(&self) -> f32 {
        self.lr
    }

    /// The momentum `μ`.
    pub fn momentum(&self) -> f32 {
        self.momentum
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Optimizer for Sgd<S> {
    fn len(&self) -> usize {
        self.velocity.as_ref().len()
    }

    fn step(&mut self, params: &mut [f32], grad: &[f32]) -> Result<(), Error> {
        let (lr, mu) = (self.lr, self.momentum);
        guarded_step(params, grad, [self.velocity.as_mut()], |p, g, [v]| {
            let v = mu * v + g;
            (p - lr * v, [v])
        })
    }

    fn reset(&mut self) {
        self.velocity.as_mut().fill(0.0);
    }
}
