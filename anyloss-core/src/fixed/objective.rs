//! [`FixedObjective`]: a training objective whose metric term runs on the fixed-point path.

use super::entries::FixedEntries;
use super::loss::FixedLoss;
use crate::binary::LossOutput;
use crate::error::Error;
use crate::metric::Metric;
use crate::samples::Logits;
use crate::train::{HybridObjective, HybridSums, MetricTermPasses};

/// `(1 − r)·BCE + r·(1 − M)` like [`crate::train::BinaryObjective`], with the metric term's
/// entries and gradient on the fixed-point path ([`FixedLoss`]); BCE stays in f32. See
/// [`HybridObjective`] for `r` and the constructors.
///
/// A pure metric objective (`r = 1`) computes no BCE at all (its
/// [`BatchLoss::bce`](crate::train::BatchLoss::bce) is 0), so on a core without an FPU a
/// training step pays no `exp` per sample for the loss. The warm start, as for
/// `BinaryObjective`, is BCE alone.
pub type FixedObjective<M> = HybridObjective<FixedLoss<M>>;

/// Pass-1 sums of a [`FixedObjective`]: the BCE total and the integer entries.
pub type FixedSums = HybridSums<FixedEntries>;

/// The fixed path skips BCE for a pure metric loss (`r = 1`): BCE costs an `exp` per sample,
/// a library call of hundreds of instructions on a core without an FPU, for a term that
/// adds nothing to the loss or its gradient there.
impl<M: Metric> MetricTermPasses for FixedLoss<M> {
    type Entries = FixedEntries;

    const BCE_WHEN_PURE: bool = false;

    fn entries(&self, labels: &[u8], logits: &[f32]) -> Result<FixedEntries, Error> {
        FixedLoss::entries(self, labels, Logits(logits))
    }

    fn evaluate(&self, entries: &FixedEntries) -> LossOutput {
        FixedLoss::evaluate(self, &entries.confusion())
    }

    fn gradient(
        &self,
        out: &LossOutput,
        labels: &[u8],
        logits: &[f32],
        dz: &mut [f32],
    ) -> Result<(), Error> {
        FixedLoss::gradient(self, out, labels, Logits(logits), dz)
    }
}
