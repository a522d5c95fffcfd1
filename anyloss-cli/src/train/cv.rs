//! Cross-validation of one loss: split once, then per round fit the standardiser on the
//! training rows, train a fresh head (`--model`), and count hard predictions.
//!
//! Everything numeric is `anyloss_core::train`, the code the firmware runs: the host only
//! owns the buffers (`Vec`s) and the bookkeeping.

use anyloss_core::train::{
    binary_counts, test_rows, train_rows, Adam, BatchObjective, Batching, BinaryObjective, Counts,
    Dataset, FitConfig, Head, HeadShape, Inference, Optimizer, Scratch, Sgd, Split, Standardizer,
    Trainer,
};
use anyloss_core::{Amplifier, BinaryLoss};

use crate::error::CliError;
use crate::metric_arg::MetricArg;

use super::loss::LossSpec;
use super::model::ModelArch;
use super::recipe::{OptimizerKind, Recipe};
use super::threshold;

/// Samples per chunk of the two-pass gradient. A device that uses the same chunk length
/// reproduces the host's bits; any length gives the same gradient up to rounding.
pub const CHUNK: usize = 256;

/// The standardiser with host storage.
pub type HostScaler = Standardizer<Vec<f32>>;

/// The most points a training curve keeps: a longer run is sampled every
/// `ceil(epochs / CURVE_POINTS)` epochs (and at its last epoch).
pub const CURVE_POINTS: u32 = 500;

/// One point of a training curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochPoint {
    /// The epoch (1-based) after which the point was taken.
    pub epoch: u32,
    /// The training objective, averaged over the epoch's batches.
    pub loss: f32,
    /// Test F1 after the epoch (threshold 0.5).
    pub test_f1: f32,
}

/// What one train/test round produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundOutcome {
    /// Hard counts on the training rows.
    pub train: Counts,
    /// Hard counts on the test rows.
    pub test: Counts,
    /// At most [`CURVE_POINTS`] points when curves were requested, else empty.
    pub curve: Vec<EpochPoint>,
    /// The decision threshold used.
    pub threshold: f32,
}

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

/// Assigns every row its fold under `split` (stratified, seeded), after checking that each
/// class has enough rows for it.
pub fn assign_folds(labels: &[u8], split: Split, seed: u64) -> Result<Vec<u8>, CliError> {
    let need = match split {
        Split::Folds(k) => usize::from(k),
        Split::TestFraction(_) => 2,
    };
    for class in 0..=1u8 {
        let count = labels.iter().filter(|&&y| y == class).count();
        if count < need {
            return Err(CliError::new(match split {
                Split::Folds(k) if count >= 2 => format!(
                    "only {count} rows have label {class}, fewer than the {k} folds: every \
                     fold's test part needs both classes (use --folds {count} or \
                     --test-fraction)"
                ),
                Split::Folds(k) => format!(
                    "only {count} rows have label {class}, fewer than the {k} folds: \
                     cross-validation and a hold-out both need at least 2 rows of each class"
                ),
                Split::TestFraction(_) => format!(
                    "only {count} rows have label {class}: a stratified hold-out needs at \
                     least 2 of each class"
                ),
            }));
        }
    }
    let mut order = vec![0u32; labels.len()];
    let mut fold_of = vec![0u8; labels.len()];
    split
        .assign(labels, seed, &mut order, &mut fold_of)
        .map_err(|e| CliError::new(format!("split: {e}")))?;
    Ok(fold_of)
}

/// Owned buffers of one training run.
struct Buffers {
    input: Vec<f32>,
    work: Vec<f32>,
    logits: Vec<f32>,
    dz: Vec<f32>,
    labels: Vec<u8>,
    grad: Vec<f32>,
}

impl Buffers {
    fn new(shape: HeadShape) -> Self {
        Self {
            input: vec![0.0; shape.features],
            work: vec![0.0; shape.work_len()],
            logits: vec![0.0; CHUNK * shape.outputs],
            dz: vec![0.0; CHUNK * shape.outputs],
            labels: vec![0; CHUNK],
            grad: vec![0.0; shape.params()],
        }
    }

    fn scratch(&mut self) -> Scratch<'_> {
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
/// The model's threshold is 0.5.
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
    let result = match &spec.metric {
        None => run.train(BinaryObjective::<&MetricArg>::bce(), train, epoch_done),
        Some(metric) => {
            let amplifier = Amplifier::new(r.l).map_err(core_error)?;
            let loss = BinaryLoss::new(metric).with_amplifier(amplifier);
            let objective = BinaryObjective::hybrid(loss, r.mix).map_err(core_error)?;
            run.train(objective, train, epoch_done)
        }
    };
    result.map_err(|e| {
        // Training does not keep the batch's entries; the formula's sampled overflow
        // points name the sub-expression instead.
        let hint = match (&e, &spec.metric) {
            (anyloss_core::Error::NonFiniteMetric(_), Some(MetricArg::Formula(f))) => f
                .overflow_risks()
                .first()
                .map_or(String::new(), |o| format!(" (`anyloss check` finds: {o})")),
            _ => String::new(),
        };
        CliError::new(format!("training `{}`: {e}{hint}", spec.name))
    })?;
    let s = scaler.scaling();
    Ok(Model {
        shape,
        params: head.params().to_vec(),
        mean: s.mean().to_vec(),
        inv_std: s.inv_std().to_vec(),
        threshold: 0.5,
    })
}

/// XORed into the seed for the head's initialisation ("init" in ASCII).
const INIT_STREAM: u64 = 0x696E_6974;

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

/// Hard counts of `head` on `rows` at `threshold`.
pub fn counts(
    head: &dyn Head,
    scaler: &HostScaler,
    data: &Dataset<'_>,
    rows: &[u32],
    threshold: f32,
) -> Result<Counts, CliError> {
    let shape = head.shape();
    let (mut x, mut work, mut z) = (
        vec![0.0; shape.features],
        vec![0.0; shape.work_len()],
        vec![0.0; shape.outputs],
    );
    let mut inference = Inference {
        input: &mut x,
        work: &mut work,
        logits: &mut z,
    };
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

/// How every round of a run is trained, besides the loss's recipe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The head.
    pub arch: ModelArch,
    /// Seed of the shuffles and the head's initialisation.
    pub seed: u64,
    /// Measure the test F1 after every epoch.
    pub curves: bool,
    /// Tune the decision threshold on the training rows ([`threshold::tune`]).
    pub tune_threshold: bool,
}

/// Trains `spec` on the rows `train` as `settings` say, the threshold tuned on them when
/// asked.
pub fn fit_model(
    data: &Dataset<'_>,
    train: &mut [u32],
    spec: &LossSpec,
    settings: Settings,
    epoch_done: &mut dyn FnMut(f32, &dyn Head, &HostScaler),
) -> Result<Model, CliError> {
    let threshold = if settings.tune_threshold {
        threshold::tune(data, train, spec, settings.arch, settings.seed)?
    } else {
        0.5
    };
    let model = fit(data, train, spec, settings.arch, settings.seed, epoch_done)?;
    Ok(Model { threshold, ..model })
}

/// Round `round` of the split `fold_of`: train on the other folds, test on this one.
/// With `curves`, the objective and the test F1 are recorded after every epoch, or every
/// few epochs past [`CURVE_POINTS`] epochs.
pub fn run_round(
    data: &Dataset<'_>,
    fold_of: &[u8],
    round: u8,
    spec: &LossSpec,
    settings: Settings,
    tick: &mut dyn FnMut(),
) -> Result<RoundOutcome, CliError> {
    let mut train = vec![0u32; fold_of.len()];
    let n_train = train_rows(fold_of, round, &mut train).map_err(core_error)?;
    train.truncate(n_train);
    let mut test = vec![0u32; fold_of.len()];
    let n_test = test_rows(fold_of, round, &mut test).map_err(core_error)?;
    test.truncate(n_test);
    let train_sorted = train.clone();
    let mut curve = Vec::new();
    let epochs = spec.recipe.epochs;
    let stride = epochs.div_ceil(CURVE_POINTS).max(1);
    let mut epoch = 0u32;
    let model = fit_model(
        data,
        &mut train,
        spec,
        settings,
        &mut |loss, head, scaler| {
            epoch += 1;
            if settings.curves && (epoch.is_multiple_of(stride) || epoch == epochs) {
                let f1 = counts(head, scaler, data, &test, 0.5).map_or(0.0, |c| c.scores().f1);
                curve.push(EpochPoint {
                    epoch,
                    loss,
                    test_f1: f1,
                });
            }
            tick();
        },
    )?;
    let (head, scaler) = model.parts()?;
    Ok(RoundOutcome {
        train: counts(&*head, &scaler, data, &train_sorted, model.threshold)?,
        test: counts(&*head, &scaler, data, &test, model.threshold)?,
        curve,
        threshold: model.threshold,
    })
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

fn optimizer(r: &Recipe, n: usize) -> Result<Box<dyn Optimizer>, CliError> {
    Ok(match r.optimizer {
        OptimizerKind::Sgd => {
            Box::new(Sgd::new(r.lr, r.momentum, vec![0.0; n]).map_err(core_error)?)
        }
        OptimizerKind::Adam => {
            Box::new(Adam::new(r.lr, vec![0.0; n], vec![0.0; n]).map_err(core_error)?)
        }
    })
}

fn core_error(e: anyloss_core::Error) -> CliError {
    CliError::new(e.to_string())
}
