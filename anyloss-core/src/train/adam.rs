//! Adam (Kingma & Ba, 2015).

use crate::error::{Error, Parameter};
use crate::math;

use super::optimizer::Optimizer;
use super::safe_step::guarded_step;

/// Adam with bias correction: `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
/// `θ ← θ − lr·m̂/(√v̂ + ε)` with `m̂ = m/(1−β1^t)`, `v̂ = v/(1−β2^t)`.
/// State: two moments per parameter in caller storage, and the step count `t`.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam<S> {
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    m: S,
    v: S,
    t: u32,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Adam<S> {
    /// Adam with learning rate `lr` and the usual `β1 = 0.9`, `β2 = 0.999`, `ε = 1e-8`,
    /// over `m.len() == v.len()` parameters (both zeroed here).
    pub fn new(lr: f32, m: S, v: S) -> Result<Self, Error> {
        Self::with_betas(lr, 0.9, 0.999, 1e-8, m, v)
    }

    /// Adam with explicit `β1, β2` in `[0, 1)` and `ε > 0`.
    /// `InvalidParameter(Training)` for settings out of range, [`Error::LengthMismatch`]
    /// when `m` and `v` differ in length.
    pub fn with_betas(
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
        mut m: S,
        mut v: S,
    ) -> Result<Self, Error> {
        let unit = 0.0..1.0;
        if !(lr.is_finite()
            && lr > 0.0
            && unit.contains(&beta1)
            && unit.contains(&beta2)
            && eps.is_finite()
            && eps > 0.0)
        {
            return Err(Error::InvalidParameter(Parameter::Training));
        }
        if m.as_ref().len() != v.as_ref().len() {
            return Err(Error::LengthMismatch {
                expected: m.as_ref().len(),
                found: v.as_ref().len(),
            });
        }
        m.as_mut().fill(0.0);
        v.as_mut().fill(0.0);
        Ok(Self {
            lr,
            beta1,
            beta2,
            eps,
            m,
            v,
            t: 0,
        })
    }

    /// The learning rate.
    pub fn lr(&self) -> f32 {
        self.lr
    }

    /// Steps applied so far.
    pub fn steps(&self) -> u32 {
        self.t
    }
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Optimizer for Adam<S> {
    fn len(&self) -> usize {
        self.m.as_ref().len()
    }

    fn step(&mut self, params: &mut [f32], grad: &[f32]) -> Result<(), Error> {
        let t = self.t.saturating_add(1);
        let (lr, b1, b2, eps) = (self.lr, self.beta1, self.beta2, self.eps);
        let c1 = 1.0 - math::pow(b1, t as f32);
        let c2 = 1.0 - math::pow(b2, t as f32);
        guarded_step(
            params,
            grad,
            [self.m.as_mut(), self.v.as_mut()],
            |p, g, [m, v]| {
                let m = b1 * m + (1.0 - b1) * g;
                let v = b2 * v + (1.0 - b2) * g * g;
                let step = lr * (m / c1) / (math::sqrt(v / c2) + eps);
                (p - step, [m, v])
            },
        )?;
        self.t = t;
        Ok(())
    }

    fn reset(&mut self) {
        self.m.as_mut().fill(0.0);
        self.v.as_mut().fill(0.0);
        self.t = 0;
    }
}
