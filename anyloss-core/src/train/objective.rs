//! What a binary head is trained to minimise: BCE, a metric loss, or the hybrid of both.

use crate::binary::BinaryLoss;
use crate::error::{Error, Parameter};
use crate::metric::Metric;

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
    pub(crate) fn weighted_metric(&self) -> Option<(&BinaryLoss<M>, f32)> {
        self.metric
            .as_ref()
            .filter(|_| self.mix > 0.0)
            .map(|m| (m, self.mix))
    }
}
