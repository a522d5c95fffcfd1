//! [`HybridObjective`]: what a binary head is trained to minimise: BCE, a metric loss, or the
//! hybrid of both.

use crate::amplifier::sigmoid;
use crate::binary::LossOutput;
use crate::error::{Error, Parameter};

use super::batch_objective::{BatchLoss, BatchObjective};
use super::cross_entropy::bce_with_logit;
use super::metric_term::MetricTerm;

/// The binary training objective `(1 − r)·BCE + r·(1 − M)`, with the metric term `T` on
/// either numeric path: [`BinaryObjective`](super::BinaryObjective) (f32) or
/// [`FixedObjective`](crate::fixed::FixedObjective) (fixed point).
///
/// - `r = 0`: binary cross-entropy alone ([`HybridObjective::bce`]), the baseline;
/// - `r = 1`: the pure AnyLoss `1 − M` ([`HybridObjective::metric`]);
/// - in between: the hybrid ([`HybridObjective::hybrid`]). BCE keeps a gradient where the
///   amplified sigmoid saturates, which stops the pure metric loss from collapsing on easy
///   data (see `EVIDENCE.md`).
///
/// BCE is the batch mean, in f32 on both paths; the metric term is evaluated once on the
/// batch's summed entries. The warm start ([`BatchObjective::warm_start`]) is BCE alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HybridObjective<T> {
    metric: Option<T>,
    mix: f32,
}

/// Pass-1 sums of a [`HybridObjective`]: the BCE total and the metric term's entries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HybridSums<E> {
    bce: f32,
    entries: E,
}

impl<T: MetricTerm> HybridObjective<T> {
    /// Binary cross-entropy alone.
    pub fn bce() -> Self {
        Self {
            metric: None,
            mix: 0.0,
        }
    }

    /// The pure metric loss `1 − M` (`r = 1`).
    pub fn metric(loss: T) -> Self {
        Self {
            metric: Some(loss),
            mix: 1.0,
        }
    }

    /// `(1 − r)·BCE + r·(1 − M)` with `r = mix` in `[0, 1]` (`InvalidParameter(Training)`
    /// otherwise).
    pub fn hybrid(loss: T, mix: f32) -> Result<Self, Error> {
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
    pub fn metric_loss(&self) -> Option<&T> {
        self.metric.as_ref()
    }

    /// The metric term and its weight, when it contributes (`r > 0`).
    fn weighted_metric(&self) -> Option<(&T, f32)> {
        self.metric
            .as_ref()
            .filter(|_| self.mix > 0.0)
            .map(|m| (m, self.mix))
    }
}

impl<T: MetricTerm> BatchObjective for HybridObjective<T> {
    type Sums = HybridSums<T::Entries>;
    type Evaluated = Option<LossOutput>;

    fn outputs(&self) -> usize {
        1
    }

    fn valid_label(&self, label: u8) -> bool {
        label <= 1
    }

    fn accumulate(
        &self,
        sums: &mut Self::Sums,
        logits: &[f32],
        labels: &[u8],
    ) -> Result<(), Error> {
        if T::BCE_WHEN_PURE || self.mix() < 1.0 {
            for (&z, &y) in logits.iter().zip(labels) {
                sums.bce += bce_with_logit(z, y).0;
            }
        }
        if let Some((loss, _)) = self.weighted_metric() {
            sums.entries += loss.entries(labels, logits)?;
        }
        Ok(())
    }

    fn evaluate(&self, sums: &Self::Sums, n: usize) -> (BatchLoss, Option<LossOutput>) {
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
            (Some((loss, _)), Some(out)) => loss.gradient(out, labels, logits, dz)?,
            _ => dz.fill(0.0),
        }
        let r = metric.map_or(0.0, |(_, r)| r);
        if T::BCE_WHEN_PURE || r < 1.0 {
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
