//! The baselines' losses: binary cross-entropy on a logit, and softmax cross-entropy on a
//! vector of logits (per sample, and as the multi-class training objective). Both are
//! computed from logits, never from rounded probabilities, so they stay finite for any
//! finite logit.

use crate::error::{Error, Parameter};
use crate::math;

use super::batch_objective::{BatchLoss, BatchObjective};
use super::softmax_head::MAX_CLASSES;

/// Binary cross-entropy of logit `z` against label `y` (0 or 1; any nonzero counts as 1):
/// `(loss, ∂loss/∂z)` with `loss = softplus(z) − y·z = max(z, 0) − y·z + ln(1 + e^(−|z|))`
/// and `∂loss/∂z = sigmoid(z) − y`.
#[inline]
pub fn bce_with_logit(z: f32, y: u8) -> (f32, f32) {
    let e = math::exp_neg_abs(z);
    let big = 1.0 / (1.0 + e);
    let p = if z >= 0.0 { big } else { e * big };
    let yf = f32::from(u8::from(y != 0));
    (z.max(0.0) - yf * z + math::ln(1.0 + e), p - yf)
}

/// Softmax cross-entropy of `logits` against class `y`: replaces `logits` by the softmax
/// probabilities and returns `−ln p_y = logsumexp(z) − z_y`. `None` for no logits or `y` out
/// of range (then `logits` is untouched).
pub fn softmax_cross_entropy(logits: &mut [f32], y: usize) -> Option<f32> {
    let zy = *logits.get(y)?;
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for z in logits.iter_mut() {
        *z = math::exp(*z - max);
        sum += *z;
    }
    for p in logits.iter_mut() {
        *p /= sum;
    }
    Some(max + math::ln(sum) - zy)
}

/// Softmax cross-entropy over `C` classes as a training objective: the multi-class baseline.
/// The batch loss is the mean `−ln p_y`; `∂loss/∂z_c = (p_c − [c = y])/n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossEntropy {
    classes: usize,
}

impl CrossEntropy {
    /// Cross-entropy over `classes` classes (2 to 256; `InvalidParameter(Shape)` otherwise).
    pub fn new(classes: usize) -> Result<Self, Error> {
        if !(2..=MAX_CLASSES).contains(&classes) {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Ok(Self { classes })
    }
}

impl BatchObjective for CrossEntropy {
    type Sums = f32;
    type Evaluated = ();

    fn outputs(&self) -> usize {
        self.classes
    }

    fn valid_label(&self, label: u8) -> bool {
        usize::from(label) < self.classes
    }

    fn accumulate(&self, sums: &mut f32, logits: &[f32], labels: &[u8]) -> Result<(), Error> {
        let mut probs = [0.0f32; MAX_CLASSES];
        let probs = probs.get_mut(..self.classes).unwrap_or(&mut []);
        for (z, &y) in logits.chunks_exact(self.classes).zip(labels) {
            probs.copy_from_slice(z);
            *sums += softmax_cross_entropy(probs, usize::from(y))
                .ok_or(Error::InvalidParameter(Parameter::Shape))?;
        }
        Ok(())
    }

    fn evaluate(&self, sums: &f32, n: usize) -> (BatchLoss, ()) {
        let loss = sums / n as f32;
        let out = BatchLoss {
            loss,
            bce: loss,
            metric: None,
        };
        (out, ())
    }

    fn gradient(
        &self,
        _: &(),
        logits: &[f32],
        labels: &[u8],
        n: usize,
        dz: &mut [f32],
    ) -> Result<(), Error> {
        let n = n as f32;
        for ((z, d), &y) in logits
            .chunks_exact(self.classes)
            .zip(dz.chunks_exact_mut(self.classes))
            .zip(labels)
        {
            d.copy_from_slice(z);
            let y = usize::from(y);
            softmax_cross_entropy(d, y).ok_or(Error::InvalidParameter(Parameter::Shape))?;
            for (c, p) in d.iter_mut().enumerate() {
                *p = (*p - f32::from(u8::from(c == y))) / n;
            }
        }
        Ok(())
    }

    fn warm_start(&self) -> Option<Self> {
        None
    }
}
