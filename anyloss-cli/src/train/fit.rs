//! One training run: a fresh head of the chosen architecture, the standardiser fitted on
//! the training rows, and the loss's recipe, through `anyloss_core::train`'s `Trainer` (the
//! code the firmware runs); the host owns the buffers. Also the trained [`Model`] and its
//! hard counts.

use anyloss_core::train::{
    binary_counts, Adam, BatchObjective, Batching, BinaryObjective, Counts, Dataset, FitConfig,
    Head, HeadShape, Inference, Optimizer, Scratch, Sgd, Standardizer, Trainer, INIT_STREAM,
};
use anyloss_core::{Amplifier, BinaryLoss};

use crate::error::CliError;
use crate::metric_arg::MetricArg;

use super::loss::LossSpec;
use super::model::ModelArch;
use super::recipe::{OptimizerKind, Recipe};

/// Samples per chunk of the two-pass gradient. A device that uses the same chunk length
/// reproduces the host's bits; any length gives the same gradient up to rounding.
pub const CHUNK: usize = 256;

/// The standardiser with host storage.
pub type HostScaler = Standardizer<Vec<f32>>;

/// A trained model: the head, the standardisation it expects and its decision threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The head's sizes.
    pub shape: HeadShape,
    /// The head's parameters, in `anyloss_core::train`'s layout (layer by layer, unit by
    /// unit: the unit's weights, then its bias).
    pub params: Vec<f32>,
    /// Feature means.
    pub mean: Vec<f32>,
    /// Reciprocal feature standard deviations.
    pub inv_std: Vec<f32>,
    /// Label 1 when the predicted probability is at least this.
    pub threshold: f32,
}

/// Owned buffers of one training run.
pub(crate) struct Buffers {
    input: Vec<f32>,
    work: Vec<f32>,
    logits: Vec<f32>,
    dz: Vec<f32>,
    labels: Vec<u8>,
    grad: Vec<f32>,
}

impl Buffers {
    /// Buffers for a head of `shape`, in chunks of [`CHUNK`] samples.
    pub(crate) fn new(shape: HeadShape) -> Self {
        Self {
            input: vec![0.0; shape.features],
            work: vec![0.0; shape.work_len()],
            logits: vec![0.0; CHUNK * shape.outputs],
            dz: vec![0.0; CHUNK * shape.outputs],
            labels: vec![0; CHUNK],
            grad: vec![0.0; shape.params()],
        }
    }

    /// The core's view of the buffers.
    pub(crate) fn scratch(&mut self) -> Scratch<'_> {
        Scratch {
            input: &mut self.input,
            work: &mut self.work,
            logits: &mut self.logits,
            dz: &mut self.dz,
            labels: &mut self.labels,
            grad: &mut self.grad,
        }
    }
}

/// Trains `spec` with a fresh head of `arch` on the rows `train` of `data`, calling
/// `epoch_done` after each epoch with the epoch's loss, the head and the standardiser.
/// The model's threshold is the recipe's.
pub fn fit(
    data: &Dataset<'_>,
    train: &mut [u32],
    spec: &LossSpec,
    arch: ModelArch,
    seed: u64,
    epoch_done: &mut dyn FnMut(f32, &dyn Head, &HostScaler),
) -> Result<Model, CliError> {
    let r = &spec.recipe;
    let f = data.n_features();
    let mut scaler = Standardizer::new(vec![0.0; f], vec![0.0; f]).map_err(core_error)?;
    scaler.fit(data, train).map_err(core_error)?;
    // The head's initialisation draws from its own stream, apart from the shuffles'.
    let mut head = arch.fresh(f, seed ^ INIT_STREAM)?;
    let shape = head.shape();
    let mut optimizer = optimizer(r, shape.params())?;
    let config = FitConfig {
        epochs: r.epochs,
        batching: Batching { size: r.batch },
        seed,
        warm_start_epochs: r.warm_start,
    };
    let mut buffers = Buffers::new(shape);
    let run = Run {
        head: &mut *head,
        optimizer: &mut *optimizer,
        config,
        data,
        scaler: &scaler,
        scratch: buffers.scratch(),
    };
    run.train(objective(spec)?, train, epoch_done)
        .map_err(|e| training_error(spec, e))?;
    let s = scaler.scaling();
    Ok(Model {
        shape,
        params: head.params().to_vec(),
        mean: s.mean().to_vec(),
        inv_std: s.inv_std().to_vec(),
        threshold: r.threshold,
    })
}

/// The objective of `spec`: BCE, or the hybrid of BCE and its metric loss with the
/// recipe's `L` and mix.
pub(crate) fn objective(spec: &LossSpec) -> Result<BinaryObjective<&MetricArg>, CliError> {
    let r = &spec.recipe;
    Ok(match &spec.metric {
        None => BinaryObjective::bce(),
        Some(metric) => {
            let amplifier = Amplifier::new(r.l)
                .and_then(|a| a.with_threshold(r.threshold))
                .map_err(core_error)?;
            let loss = BinaryLoss::new(metric).with_amplifier(amplifier);
            BinaryObjective::hybrid(loss, r.mix).map_err(core_error)?
        }
    })
}

/// A training error of `spec`, for the user.
pub(crate) fn training_error(spec: &LossSpec, e: anyloss_core::Error) -> CliError {
    // Training does not keep the batch's entries; the formula's sampled overflow points
    // name the sub-expression instead.
    let hint = match (&e, spec.metric.as_ref().and_then(MetricArg::formula)) {
        (anyloss_core::Error::NonFiniteMetric(_), Some(f)) => f
            .overflow_risks()
            .first()
            .map_or(String::new(), |o| format!(" (`anyloss check` finds: {o})")),
        _ => String::new(),
    };
    CliError::new(format!("training `{}`: {e}{hint}", spec.name))
}

/// One training run's pieces, before the objective is chosen.
struct Run<'a, 'd> {
    head: &'a mut dyn Head,
    optimizer: &'a mut dyn Optimizer,
    config: FitConfig,
    data: &'a Dataset<'d>,
    scaler: &'a HostScaler,
    scratch: Scratch<'a>,
}

impl Run<'_, '_> {
    fn train<O: BatchObjective>(
        self,
        objective: O,
        train: &mut [u32],
        epoch_done: &mut dyn FnMut(f32, &dyn Head, &HostScaler),
    ) -> Result<(), anyloss_core::Error> {
        let scaler = self.scaler;
        let mut trainer = Trainer::new(
            self.head,
            self.optimizer,
            objective,
            self.config,
            scaler.scaling(),
            self.scratch,
        )?;
        trainer.fit(self.data, train, |report, head| {
            epoch_done(report.loss, &**head, scaler)
        })
    }
}

/// Host storage for one forward pass of a head of a given shape.
pub struct InferenceBuffers {
    input: Vec<f32>,
    work: Vec<f32>,
    logits: Vec<f32>,
}

impl InferenceBuffers {
    /// Buffers sized for `shape`.
    pub fn new(shape: HeadShape) -> Self {
        Self {
            input: vec![0.0; shape.features],
            work: vec![0.0; shape.work_len()],
            logits: vec![0.0; shape.outputs],
        }
    }

    /// The core's view of the buffers.
    pub fn inference(&mut self) -> Inference<'_> {
        Inference {
            input: &mut self.input,
            work: &mut self.work,
            logits: &mut self.logits,
        }
    }
}

/// Hard counts of `head` on `rows` at `threshold`.
pub fn counts(
    head: &dyn Head,
    scaler: &HostScaler,
    data: &Dataset<'_>,
    rows: &[u32],
    threshold: f32,
) -> Result<Counts, CliError> {
    let mut buffers = InferenceBuffers::new(head.shape());
    let mut inference = buffers.inference();
    binary_counts(
        head,
        data,
        scaler.scaling(),
        rows,
        threshold,
        &mut inference,
    )
    .map_err(core_error)
}

impl Model {
    /// The head and standardiser again, for evaluation.
    pub fn parts(&self) -> Result<(Box<dyn Head>, HostScaler), CliError> {
        let head = ModelArch::with_params(self.shape, self.params.clone())?;
        let scaler = Standardizer::from_parts(self.mean.clone(), self.inv_std.clone())
            .map_err(core_error)?;
        Ok((head, scaler))
    }
}

/// The optimizer of `r` over `n` parameters, its state zero.
pub(crate) fn optimizer(r: &Recipe, n: usize) -> Result<Box<dyn Optimizer>, CliError> {
    Ok(match r.optimizer {
        OptimizerKind::Sgd => {
            Box::new(Sgd::new(r.lr, r.momentum, vec![0.0; n]).map_err(core_error)?)
        }
        OptimizerKind::Adam => {
            Box::new(Adam::new(r.lr, vec![0.0; n], vec![0.0; n]).map_err(core_error)?)
        }
    })
}

pub(super) fn core_error(e: anyloss_core::Error) -> CliError {
    CliError::new(e.to_string())
}
