//! [`BinaryObjective`]: the binary training objective with its metric term on the f32 path.

use crate::binary::{BinaryLoss, LossOutput};
use crate::confusion::Confusion;
use crate::error::Error;
use crate::metric::Metric;
use crate::samples::Input;

use super::hybrid_objective::{HybridObjective, HybridSums};
use super::metric_term::sealed::MetricTermPasses;

/// The binary training objective `(1 − r)·BCE + r·(1 − M)` with the metric term a
/// [`BinaryLoss`]: see [`HybridObjective`] for `r` and the constructors.
///
/// `M` is any [`Metric`]: a built-in, `&dyn Metric`, or a DSL formula. The metric term sums
/// the batch's soft confusion entries.
pub type BinaryObjective<M> = HybridObjective<BinaryLoss<M>>;

/// Pass-1 sums of a [`BinaryObjective`]: the BCE total and the soft confusion entries.
pub type BinarySums = HybridSums<Confusion>;

/// The f32 path computes BCE even for a pure metric loss (`r = 1`), so that the batch's
/// [`BatchLoss::bce`](super::BatchLoss::bce) is reported next to the metric as a diagnostic
/// of the run.
impl<M: Metric> MetricTermPasses for BinaryLoss<M> {
    type Entries = Confusion;

    const BCE_WHEN_PURE: bool = true;

    fn entries(&self, labels: &[u8], logits: &[f32]) -> Result<Confusion, Error> {
        self.confusion(labels, Input::Logits(logits))
    }

    fn evaluate(&self, entries: &Confusion) -> LossOutput {
        BinaryLoss::evaluate(self, entries)
    }

    fn gradient(
        &self,
        out: &LossOutput,
        labels: &[u8],
        logits: &[f32],
        dz: &mut [f32],
    ) -> Result<(), Error> {
        BinaryLoss::gradient(self, out, labels, Input::Logits(logits), dz)
    }
}
