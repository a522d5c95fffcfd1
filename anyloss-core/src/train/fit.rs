//! The training loop of the logistic head: epochs of batches, each a safe step.

use crate::error::{Error, Parameter};
use crate::metric::Metric;

use super::batching::Batching;
use super::dataset::Dataset;
use super::gradient::{binary_gradient, BatchLoss, ChunkScratch};
use super::logistic::LogisticHead;
use super::objective::BinaryObjective;
use super::optimizer::Optimizer;
use super::rng::SplitMix64;
use super::standardize::Scaling;

/// The schedule of a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FitConfig {
    /// Passes over the training rows (including warm-start epochs).
    pub epochs: u32,
    /// Mini-batch size, or full-dataset batches.
    pub batching: Batching,
    /// Seeds the batch shuffles: the same seed, rows and settings give the same bits.
    pub seed: u64,
    /// Epochs of plain BCE before the objective takes over (a warm start); 0 for none.
    pub warm_start_epochs: u32,
}

/// What an epoch did, handed to the fit's observer.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: u32,
    /// The batch losses of the epoch, averaged with the batch sizes as weights.
    pub loss: f32,
    /// Their mean BCE, weighted the same way.
    pub bce: f32,
    /// True during the warm start, when only BCE was trained.
    pub warm_start: bool,
}

/// Everything a fit writes besides the head and the optimizer. Sizes: the chunk buffers of
/// [`ChunkScratch`] (any length ≥ 1; the same length on two machines gives the same bits)
/// and a gradient of `F + 1` values.
#[derive(Debug)]
pub struct Scratch<'a> {
    /// The two-pass chunk buffers.
    pub chunk: ChunkScratch<'a>,
    /// `∂loss/∂(w, b)`.
    pub grad: &'a mut [f32],
}

/// One safe training step on the batch `rows`: the gradient of `objective`, then
/// [`Optimizer::step`]. On `Err` the head and the optimizer are unchanged.
#[allow(clippy::too_many_arguments)]
pub fn train_step<M: Metric, S: AsRef<[f32]> + AsMut<[f32]>, O: Optimizer + ?Sized>(
    head: &mut LogisticHead<S>,
    optimizer: &mut O,
    objective: &BinaryObjective<M>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    scratch: &mut Scratch<'_>,
) -> Result<BatchLoss, Error> {
    let loss = binary_gradient(
        head,
        objective,
        data,
        scaling,
        rows,
        &mut scratch.chunk,
        scratch.grad,
    )?;
    optimizer.step(head.params_mut(), scratch.grad)?;
    Ok(loss)
}

/// Trains `head` on the rows `train` of `data` for `config.epochs` epochs.
///
/// Each epoch reshuffles `train` in place (mini-batches) with a [`SplitMix64`] seeded once
/// from `config.seed`, and takes one [`train_step`] per batch; `observe` sees each epoch's
/// report and the head after it. The head starts from its current parameters: call
/// [`LogisticHead::zero`] (and [`Optimizer::reset`]) first for a fresh fit.
///
/// The first error stops the fit; the head then holds the parameters of the last good step.
/// Errors: those of [`binary_gradient`] and [`Optimizer::step`] (notably
/// [`Error::NonFiniteUpdate`]), [`Error::Empty`] for no training rows,
/// `InvalidParameter(Shape)` when the optimizer's size is not `F + 1`.
#[allow(clippy::too_many_arguments)]
pub fn fit_binary<M, S, O>(
    head: &mut LogisticHead<S>,
    optimizer: &mut O,
    objective: &BinaryObjective<M>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    train: &mut [u32],
    config: &FitConfig,
    scratch: &mut Scratch<'_>,
    mut observe: impl FnMut(&EpochReport, &LogisticHead<S>),
) -> Result<(), Error>
where
    M: Metric,
    S: AsRef<[f32]> + AsMut<[f32]>,
    O: Optimizer + ?Sized,
{
    if train.is_empty() {
        return Err(Error::Empty);
    }
    if optimizer.len() != head.params().len() {
        return Err(Error::InvalidParameter(Parameter::Shape));
    }
    let warm: BinaryObjective<M> = BinaryObjective::bce();
    let mut rng = SplitMix64::new(config.seed);
    for epoch in 1..=config.epochs {
        let warm_start = epoch <= config.warm_start_epochs;
        let current = if warm_start { &warm } else { objective };
        let (mut loss, mut bce, mut seen) = (0.0f32, 0.0f32, 0.0f32);
        for batch in config.batching.epoch(train, &mut rng) {
            let out = train_step(head, optimizer, current, data, scaling, batch, scratch)?;
            let w = batch.len() as f32;
            loss += out.loss * w;
            bce += out.bce * w;
            seen += w;
        }
        let report = EpochReport {
            epoch,
            loss: loss / seen,
            bce: bce / seen,
            warm_start,
        };
        observe(&report, head);
    }
    Ok(())
}
