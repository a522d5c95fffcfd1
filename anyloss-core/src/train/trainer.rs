//! The trainer: one head, one optimizer, one objective, one epoch loop for all of them.

use crate::error::{Error, Parameter};

use super::batch_gradient::batch_gradient;
use super::batch_objective::{BatchLoss, BatchObjective};
use super::batching::Batching;
use super::dataset::Dataset;
use super::evaluate::{binary_counts, class_matrix, Inference};
use super::head::Head;
use super::optimizer::Optimizer;
use super::rng::SplitMix64;
use super::scores::Counts;
use super::scratch::Scratch;
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
    /// Epochs of the objective's warm start ([`BatchObjective::warm_start`]: BCE for a
    /// binary objective) before the objective takes over; 0 for none.
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
    /// Their mean cross-entropy, weighted the same way (0 for an objective without one).
    pub bce: f32,
    /// True during the warm start, when only the warm-start objective was trained.
    pub warm_start: bool,
}

/// Trains a [`Head`] with an [`Optimizer`] on a [`BatchObjective`], every buffer in caller
/// storage: the same code on a host (`Vec`s) and on a microcontroller (arrays).
///
/// [`Trainer::step`] is one safe step on one batch; [`Trainer::fit`] the epoch loop;
/// [`Trainer::evaluate`] and [`Trainer::counts`] hard predictions. Every step is safe
/// ([`Optimizer::step`]): on any `Err` the head's parameters and the optimizer's state are
/// bit-identical to before the step.
///
/// See the module docs for a runnable example with each head.
#[derive(Debug)]
pub struct Trainer<'a, H, Opt, Obj> {
    head: H,
    optimizer: Opt,
    objective: Obj,
    config: FitConfig,
    scaling: Scaling<'a>,
    scratch: Scratch<'a>,
}

impl<'a, H: Head, Opt: Optimizer, Obj: BatchObjective> Trainer<'a, H, Opt, Obj> {
    /// A trainer after checking that everything fits together: the head ([`Head::check`]),
    /// `scaling` with `F` features, an objective over the head's outputs, an optimizer and
    /// scratch for its parameter count ([`Scratch::check`]), and a warm start only for an
    /// objective that has one.
    ///
    /// Errors: [`Error::LengthMismatch`] for a buffer of the wrong size,
    /// `InvalidParameter(Shape)` for an objective that does not fit the head's outputs,
    /// `InvalidParameter(Training)` for `warm_start_epochs > 0` without a warm start, and
    /// the head's errors.
    pub fn new(
        head: H,
        optimizer: Opt,
        objective: Obj,
        config: FitConfig,
        scaling: Scaling<'a>,
        scratch: Scratch<'a>,
    ) -> Result<Self, Error> {
        head.check()?;
        let shape = head.shape();
        if objective.outputs() != shape.outputs {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        for (expected, found) in [
            (shape.features, scaling.len()),
            (shape.params(), optimizer.len()),
        ] {
            if expected != found {
                return Err(Error::LengthMismatch { expected, found });
            }
        }
        scratch.check(shape)?;
        if config.warm_start_epochs > 0 && objective.warm_start().is_none() {
            return Err(Error::InvalidParameter(Parameter::Training));
        }
        Ok(Self {
            head,
            optimizer,
            objective,
            config,
            scaling,
            scratch,
        })
    }

    /// The head.
    pub fn head(&self) -> &H {
        &self.head
    }

    /// The objective.
    pub fn objective(&self) -> &Obj {
        &self.objective
    }

    /// The fit's schedule.
    pub fn config(&self) -> FitConfig {
        self.config
    }

    /// The optimizer.
    pub fn optimizer(&self) -> &Opt {
        &self.optimizer
    }

    /// The head and the optimizer back, for saving or further training.
    pub fn into_parts(self) -> (H, Opt) {
        (self.head, self.optimizer)
    }

    /// One safe step on the batch `rows` of `data`: the objective's gradient, then
    /// [`Optimizer::step`]. On `Err` the head and the optimizer are unchanged.
    ///
    /// Errors: [`Error::LengthMismatch`] when `data` has not `F` features, those of the
    /// batch gradient ([`Error::Empty`], [`Error::InvalidLabel`], [`Error::NonFiniteUpdate`]
    /// for an overflowing logit, `InvalidParameter(Shape)` for a row out of range), and
    /// [`Error::NonFiniteUpdate`] for a non-finite gradient, weight or optimizer state.
    pub fn step(&mut self, data: &Dataset<'_>, rows: &[u32]) -> Result<BatchLoss, Error> {
        self.step_with(None, data, rows)
    }

    /// The loss of the batch `rows` and its gradient `∂loss/∂params` (in the head's
    /// parameter layout), without a step: what [`Trainer::step`] would apply. Errors as
    /// [`Trainer::step`], but for the optimizer's.
    pub fn gradient(
        &mut self,
        data: &Dataset<'_>,
        rows: &[u32],
    ) -> Result<(BatchLoss, &[f32]), Error> {
        let loss = self.gradient_with(None, data, rows)?;
        Ok((loss, self.scratch.grad))
    }

    fn gradient_with(
        &mut self,
        objective: Option<&Obj>,
        data: &Dataset<'_>,
        rows: &[u32],
    ) -> Result<BatchLoss, Error> {
        let f = self.head.shape().features;
        if data.n_features() != f {
            return Err(Error::LengthMismatch {
                expected: f,
                found: data.n_features(),
            });
        }
        let objective = objective.unwrap_or(&self.objective);
        batch_gradient(
            &self.head,
            objective,
            data,
            self.scaling,
            rows,
            &mut self.scratch,
        )
    }

    fn step_with(
        &mut self,
        objective: Option<&Obj>,
        data: &Dataset<'_>,
        rows: &[u32],
    ) -> Result<BatchLoss, Error> {
        let loss = self.gradient_with(objective, data, rows)?;
        self.optimizer
            .step(self.head.params_mut(), self.scratch.grad)?;
        Ok(loss)
    }

    /// Trains on the rows `train` of `data` for `config.epochs` epochs, the first
    /// `config.warm_start_epochs` on the objective's warm start.
    ///
    /// Each epoch reshuffles `train` in place (mini-batches) with a [`SplitMix64`] seeded
    /// once from `config.seed`, and takes one [`Trainer::step`] per batch; `observe` sees each
    /// epoch's report and the head after it. The head starts from its current parameters.
    ///
    /// The first error stops the fit; the head then holds the parameters of the last good
    /// step. Errors: [`Error::Empty`] for no training rows, and those of
    /// [`Trainer::step`].
    pub fn fit(
        &mut self,
        data: &Dataset<'_>,
        train: &mut [u32],
        mut observe: impl FnMut(&EpochReport, &H),
    ) -> Result<(), Error> {
        if train.is_empty() {
            return Err(Error::Empty);
        }
        let warm = self.objective.warm_start();
        let config = self.config;
        let mut rng = SplitMix64::new(config.seed);
        for epoch in 1..=config.epochs {
            let warm_start = epoch <= config.warm_start_epochs;
            let objective = if warm_start { warm.as_ref() } else { None };
            let (mut loss, mut bce, mut seen) = (0.0f32, 0.0f32, 0.0f32);
            for batch in config.batching.epoch(train, &mut rng) {
                let out = self.step_with(objective, data, batch)?;
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
            observe(&report, &self.head);
        }
        Ok(())
    }

    /// The confusion matrix of the head's hard predictions on `rows` into `matrix`
    /// (`C×C`, row = true class, column = predicted; `C = 2` for a one-output head at
    /// threshold 0.5, else the argmax). Returns the number of correct predictions.
    /// See [`class_matrix`].
    pub fn evaluate(
        &mut self,
        data: &Dataset<'_>,
        rows: &[u32],
        matrix: &mut [u32],
    ) -> Result<u32, Error> {
        let mut inference = inference(&mut self.scratch, self.head.shape().outputs);
        class_matrix(&self.head, data, self.scaling, rows, &mut inference, matrix)
    }

    /// Hard confusion counts of a one-output head on `rows`, a row predicted positive when
    /// its probability is at least `threshold`. See [`binary_counts`].
    pub fn counts(
        &mut self,
        data: &Dataset<'_>,
        rows: &[u32],
        threshold: f32,
    ) -> Result<Counts, Error> {
        let mut inference = inference(&mut self.scratch, self.head.shape().outputs);
        binary_counts(
            &self.head,
            data,
            self.scaling,
            rows,
            threshold,
            &mut inference,
        )
    }
}

/// The prediction buffers inside the training scratch.
fn inference<'s>(scratch: &'s mut Scratch<'_>, outputs: usize) -> Inference<'s> {
    Inference {
        input: scratch.input,
        work: scratch.work,
        logits: scratch.logits.get_mut(..outputs).unwrap_or(&mut []),
    }
}
