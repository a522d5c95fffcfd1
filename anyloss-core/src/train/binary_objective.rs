//! What a binary head is trained to minimise: BCE, a metric loss, or the hybrid of both.

use crate::amplifier::sigmoid;
use crate::binary::{BinaryLoss, LossOutput};
use crate::confusion::Confusion;
use crate::error::{Error, Parameter};
use crate::metric::Metric;
use crate::samples::Input;

use super::batch_objective::{BatchLoss, BatchObjective};
use super::cross_entropy::bce_with_logit;

/// The binary training objective `(1 − r)·BCE + r·(1 − M)`.
///
/// - `r = 0`: binary cross-entropy alone ([`BinaryObjective::bce`]), the baseline;
/// - `r = 1`: the pure AnyLoss `1 − M` ([`BinaryObjective::metric`]);
/// - in between: the hybrid ([`BinaryObjective::hybrid`]). BCE keeps a gradient where the
///   amplified sigmoid saturates, which stops the pure metric loss from collapsing on easy
///   data (see `EVIDENCE.md`).
///
/// BCE is the batch mean; the metric term is evaluated once on the batch's summed soft
/// confusion entries. `M` is any [`Metric`]: a built-in, `&dyn Metric`, or a DSL formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryObjective<M> {
    metric: Option<BinaryLoss<M>>,
    mix: f32,
}

impl<M: Metric> BinaryObjective<M> {
    /// Binary cross-entropy alone.
    pub fn bce() -> Self {
        Self {
            metric: None,
            mix: 0.0,
        }
    }

    /// The pure metric loss `1 − M` (`r = 1`).
    pub fn metric(loss: BinaryLoss<M>) -> Self {
        Self {
            metric: Some(loss),
            mix: 1.0,
        }
    }

    /// `(1 − r)·BCE + r·(1 − M)` with `r = mix` in `[0, 1]` (`InvalidParameter(Training)`
    /// otherwise).
    pub fn hybrid(loss: BinaryLoss<M>, mix: f32) -> Result<Self, Error> {
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

    /// The metric loss, if any.
    pub fn metric_loss(&self) -> Option<&BinaryLoss<M>> {
        self.metric.as_ref()
    }

    /// The metric term and its weight, when it contributes (`r > 0`).
    fn weighted_metric(&self) -> Option<(&BinaryLoss<M>, f32)> {
        self.metric
            .as_ref()
            .filter(|_| self.mix > 0.0)
            .map(|m| (m, self.mix))
    }
}

/// Pass-1 sums of a binary objective: the BCE total and the soft confusion entries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BinarySums {
    bce: f32,
    entries: Confusion,
}

impl<M: Metric> BatchObjective for BinaryObjective<M> {
    type Sums = BinarySums;
    type Evaluated = Option<LossOutput>;

    fn outputs(&self) -> usize {
        1
    }

    fn valid_label(&self, label: u8) -> bool {
        label <= 1
    }

    fn accumulate(
        &self,
        sums: &mut BinarySums,
        logits: &[f32],
        labels: &[u8],
    ) -> Result<(), Error> {
        for (&z, &y) in logits.iter().zip(labels) {
            sums.bce += bce_with_logit(z, y).0;
        }
        if let Some((loss, _)) = self.weighted_metric() {
            sums.entries += loss.confusion(labels, Input::Logits(logits))?;
        }
        Ok(())
    }

    fn evaluate(&self, sums: &BinarySums, n: usize) -> (BatchLoss, Option<LossOutput>) {
        let bce = sums.bce / n as f32;
        let out = self
            .weighted_metric()
            .map(|(loss, _)| loss.evaluate(&sums.entries));
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
            (Some((loss, _)), Some(out)) => {
                loss.gradient(out, labels, Input::Logits(logits), dz)?;
            }
            _ => dz.fill(0.0),
        }
        let r = metric.map_or(0.0, |(_, r)| r);
        let bce_weight = (1.0 - r) / n as f32;
        for ((d, &z), &y) in dz.iter_mut().zip(logits).zip(labels) {
            *d = bce_weight * (sigmoid(z).0 - f32::from(y)) + r * *d;
        }
        Ok(())
    }

    fn warm_start(&self) -> Option<Self> {
        Some(Self::bce())
    }
}
