//! [`FixedObjective`]: a training objective whose metric term runs on the fixed-point path.

use super::entries::FixedEntries;
use super::loss::FixedLoss;
use crate::amplifier::sigmoid;
use crate::binary::LossOutput;
use crate::error::{Error, Parameter};
use crate::metric::Metric;
use crate::samples::Logits;
use crate::train::{bce_with_logit, BatchLoss, BatchObjective};

/// `(1 − r)·BCE + r·(1 − M)` like [`crate::train::BinaryObjective`], with the metric term's
/// entries and gradient on the fixed-point path ([`FixedLoss`]); BCE stays in f32.
///
/// A pure metric objective (`r = 1`) computes no BCE at all (its [`BatchLoss::bce`] is 0),
/// so on a core without an FPU a training step pays no `exp` per sample for the loss.
/// The warm start, as for `BinaryObjective`, is BCE alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedObjective<M> {
    metric: Option<FixedLoss<M>>,
    mix: f32,
}

/// Pass-1 sums of a [`FixedObjective`]: the BCE total and the integer entries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FixedSums {
    bce: f32,
    entries: FixedEntries,
}

impl<M: Metric> FixedObjective<M> {
    /// Binary cross-entropy alone.
    pub fn bce() -> Self {
        Self {
            metric: None,
            mix: 0.0,
        }
    }

    /// `(1 − r)·BCE + r·(1 − M)` with `r = mix` in `[0, 1]` (`InvalidParameter(Training)`
    /// otherwise).
    pub fn hybrid(loss: FixedLoss<M>, mix: f32) -> Result<Self, Error> {
        if !(0.0..=1.0).contains(&mix) {
            return Err(Error::InvalidParameter(Parameter::Training));
        }
        Ok(Self {
            metric: Some(loss),
            mix,
        })
    }

    /// The weight `r` of the metric term (0 for BCE).
    pub fn mix(&self) -> f32 {
        if self.metric.is_some() {
            self.mix
        } else {
            0.0
        }
    }

    /// The metric term and its weight, when it contributes (`r > 0`).
    fn weighted_metric(&self) -> Option<(&FixedLoss<M>, f32)> {
        self.metric
            .as_ref()
            .filter(|_| self.mix > 0.0)
            .map(|m| (m, self.mix))
    }
}

impl<M: Metric> BatchObjective for FixedObjective<M> {
    type Sums = FixedSums;
    type Evaluated = Option<LossOutput>;

    fn outputs(&self) -> usize {
        1
    }

    fn valid_label(&self, label: u8) -> bool {
        label <= 1
    }

    fn accumulate(&self, sums: &mut FixedSums, logits: &[f32], labels: &[u8]) -> Result<(), Error> {
        if self.mix() < 1.0 {
            for (&z, &y) in logits.iter().zip(labels) {
                sums.bce += bce_with_logit(z, y).0;
            }
        }
        if let Some((loss, _)) = self.weighted_metric() {
            sums.entries += loss.entries(labels, Logits(logits))?;
        }
        Ok(())
    }

    fn evaluate(&self, sums: &FixedSums, n: usize) -> (BatchLoss, Option<LossOutput>) {
        let bce = sums.bce / n as f32;
        let out = self
            .weighted_metric()
            .map(|(loss, _)| loss.evaluate(&sums.entries.confusion()));
        let r = self.mix();
        let metric_loss = out.as_ref().map_or(0.0, |o| o.loss);
        let loss = BatchLoss {
            loss: (1.0 - r) * bce + r * metric_loss,
            bce,
            metric: out.as_ref().map(|o| o.metric),
        };
        (loss, out)
    }

    fn gradient(
        &self,
        evaluated: &Option<LossOutput>,
        logits: &[f32],
        labels: &[u8],
        n: usize,
        dz: &mut [f32],
    ) -> Result<(), Error> {
        let metric = self.weighted_metric();
        match (metric, evaluated) {
            (Some((loss, _)), Some(out)) => loss.gradient(out, labels, Logits(logits), dz)?,
            _ => dz.fill(0.0),
        }
        let r = metric.map_or(0.0, |(_, r)| r);
        if r < 1.0 {
            let bce_weight = (1.0 - r) / n as f32;
            for ((d, &z), &y) in dz.iter_mut().zip(logits).zip(labels) {
                *d = bce_weight * (sigmoid(z).0 - f32::from(y)) + r * *d;
            }
        }
        Ok(())
    }

    fn warm_start(&self) -> Option<Self> {
        Some(Self::bce())
    }
}
