//! What the trainer needs from an objective: the loss of a batch of logits, streamed in
//! chunks, and its exact gradient with respect to every logit.

use crate::error::Error;

/// The loss of one batch, by part.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BatchLoss {
    /// The objective's value (for a hybrid, `(1 − r)·BCE + r·(1 − M)`).
    pub loss: f32,
    /// Mean cross-entropy (binary or softmax) where the objective computes it, else 0.
    pub bce: f32,
    /// The soft metric value `M`, when the objective has a metric term.
    pub metric: Option<f32>,
}

/// A training objective over the logits of a batch, evaluated in two passes so that a batch
/// of any size streams through a fixed chunk buffer and still gets the gradient of the
/// whole batch's loss (not an average of chunk losses):
/// 1. [`BatchObjective::accumulate`] per chunk into additive sums (a metric loss's soft
///    confusion entries, a cross-entropy's running total);
/// 2. [`BatchObjective::evaluate`] once on the sums;
/// 3. [`BatchObjective::gradient`] per chunk: `∂loss/∂logits` of its samples.
///
/// Logits are sample-major: `outputs()` values per sample.
pub trait BatchObjective {
    /// The additive pass-1 sums.
    type Sums: Default;
    /// What pass 2 needs from the evaluation.
    type Evaluated;

    /// Logits per sample the objective takes (1 for binary objectives, `C` otherwise).
    fn outputs(&self) -> usize;

    /// Whether `label` is a class this objective knows.
    fn valid_label(&self, label: u8) -> bool;

    /// Pass 1: adds one chunk's contribution to `sums`.
    fn accumulate(&self, sums: &mut Self::Sums, logits: &[f32], labels: &[u8])
        -> Result<(), Error>;

    /// The loss of the batch of `n` samples whose chunks were summed into `sums`.
    fn evaluate(&self, sums: &Self::Sums, n: usize) -> (BatchLoss, Self::Evaluated);

    /// Pass 2: `∂loss/∂logits` of one chunk of the batch of `n` samples into `dz`
    /// (overwritten, same layout as `logits`).
    fn gradient(
        &self,
        evaluated: &Self::Evaluated,
        logits: &[f32],
        labels: &[u8],
        n: usize,
        dz: &mut [f32],
    ) -> Result<(), Error>;

    /// The objective trained during a warm start (binary cross-entropy for a binary
    /// objective), or `None` when the objective has none.
    fn warm_start(&self) -> Option<Self>
    where
        Self: Sized;
}
