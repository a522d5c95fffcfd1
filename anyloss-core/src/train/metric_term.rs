//! [`MetricTerm`]: the binary metric losses a [`HybridObjective`](super::HybridObjective)
//! trains, one per numeric path.

use crate::binary::BinaryLoss;
use crate::metric::Metric;

/// A binary metric loss that can be the metric term of a
/// [`HybridObjective`](super::HybridObjective): [`BinaryLoss`] (f32) or
/// [`FixedLoss`](crate::fixed::FixedLoss) (fixed point). Sealed.
pub trait MetricTerm: sealed::MetricTermPasses {}

impl<M: Metric> MetricTerm for BinaryLoss<M> {}
impl<M: Metric> MetricTerm for crate::fixed::FixedLoss<M> {}

pub(crate) mod sealed {
    use core::ops::AddAssign;

    use crate::binary::LossOutput;
    use crate::error::Error;

    /// What a hybrid objective needs from its metric term, on logits.
    pub trait MetricTermPasses {
        /// The additive pass-1 entries of a chunk.
        type Entries: Default + AddAssign;

        /// Whether the objective computes BCE (its value and its gradient) when the metric
        /// term has all the weight (`r = 1`), where BCE adds nothing to the loss.
        const BCE_WHEN_PURE: bool;

        /// Pass 1: the entries of one chunk of logits.
        fn entries(&self, labels: &[u8], logits: &[f32]) -> Result<Self::Entries, Error>;

        /// The metric loss on a batch's summed entries.
        fn evaluate(&self, entries: &Self::Entries) -> LossOutput;

        /// Pass 2: `∂(1 − M)/∂logits` of one chunk into `dz` (overwritten).
        fn gradient(
            &self,
            out: &LossOutput,
            labels: &[u8],
            logits: &[f32],
            dz: &mut [f32],
        ) -> Result<(), Error>;
    }
}
