//! Cross-validation of one loss: split once, then per round fit the standardiser on the
//! training rows, train a zero-initialised logistic head, and count hard predictions.
//!
//! Everything numeric is `anyloss_core::train`, the code the firmware runs: the host only
//! owns the buffers (`Vec`s) and the bookkeeping.

use anyloss_core::train::{
    evaluate_binary, fit_binary, test_rows, train_rows, Adam, Batching, BinaryObjective,
    ChunkScratch, Counts, Dataset, FitConfig, LogisticHead, Optimizer, Scratch, Sgd, Split,
    Standardizer,
};
use anyloss_core::{Amplifier, BinaryLoss};

use crate::error::CliError;
use crate::metric_arg::MetricArg;

use super::loss::LossSpec;
use super::recipe::{OptimizerKind, Recipe};

/// Samples per chunk of the two-pass gradient. A device that uses the same chunk length
/// reproduces the host's bits; any length gives the same gradient up to rounding.
pub const CHUNK: usize = 256;

/// The logistic head with host storage.
pub type HostHead = LogisticHead<Vec<f32>>;
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
}

/// A trained model: head parameters and the standardisation it expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Weights of the standardised features, then the bias.
    pub params: Vec<f32>,
    /// Feature means.
    pub mean: Vec<f32>,
    /// Reciprocal feature standard deviations.
    pub inv_std: Vec<f32>,
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

/// Trains `spec` on the rows `train` of `data` from zero, calling `epoch_done` after each
/// epoch with the epoch's loss and the head's parameters.
pub fn fit(
    data: &Dataset<'_>,
    train: &mut [u32],
    spec: &LossSpec,
    seed: u64,
    epoch_done: &mut dyn FnMut(f32, &[f32], &HostScaler),
) -> Result<Model, CliError> {
    let r = &spec.recipe;
    let f = data.n_features();
    let mut scaler = Standardizer::new(vec![0.0; f], vec![0.0; f]).map_err(core_error)?;
    scaler.fit(data, train).map_err(core_error)?;
    let mut head = LogisticHead::new(vec![0.0; f + 1]).map_err(core_error)?;
    let mut optimizer = optimizer(r, f + 1)?;
    let config = FitConfig {
        epochs: r.epochs,
        batching: Batching { size: r.batch },
        seed,
        warm_start_epochs: r.warm_start,
    };
    let (mut z, mut dz, mut y, mut grad) = (
        vec![0.0; CHUNK],
        vec![0.0; CHUNK],
        vec![0u8; CHUNK],
        vec![0.0; f + 1],
    );
    let mut scratch = Scratch {
        chunk: ChunkScratch {
            logits: &mut z,
            dz: &mut dz,
            labels: &mut y,
        },
        grad: &mut grad,
    };
    let mut observe = |report: &anyloss_core::train::EpochReport, h: &HostHead| {
        epoch_done(report.loss, h.params(), &scaler)
    };
    let result = match &spec.metric {
        None => fit_binary(
            &mut head,
            optimizer.as_mut(),
            &BinaryObjective::<&MetricArg>::bce(),
            data,
            scaler.scaling(),
            train,
            &config,
            &mut scratch,
            &mut observe,
        ),
        Some(metric) => {
            let amplifier = Amplifier::new(r.l).map_err(core_error)?;
            let loss = BinaryLoss::new(metric).with_amplifier(amplifier);
            let objective = BinaryObjective::hybrid(loss, r.mix).map_err(core_error)?;
            fit_binary(
                &mut head,
                optimizer.as_mut(),
                &objective,
                data,
                scaler.scaling(),
                train,
                &config,
                &mut scratch,
                &mut observe,
            )
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
        params: head.params().to_vec(),
        mean: s.mean().to_vec(),
        inv_std: s.inv_std().to_vec(),
    })
}

/// Round `round` of the split `fold_of`: train on the other folds, test on this one.
/// With `curves`, the objective and the test F1 are recorded after every epoch, or every
/// few epochs past [`CURVE_POINTS`] epochs.
pub fn run_round(
    data: &Dataset<'_>,
    fold_of: &[u8],
    round: u8,
    spec: &LossSpec,
    seed: u64,
    curves: bool,
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
    let model = fit(data, &mut train, spec, seed, &mut |loss, params, scaler| {
        epoch += 1;
        if curves && (epoch.is_multiple_of(stride) || epoch == epochs) {
            let f1 = LogisticHead::new(params.to_vec())
                .and_then(|h| evaluate_binary(&h, data, scaler.scaling(), &test))
                .map_or(0.0, |c| c.scores().f1);
            curve.push(EpochPoint {
                epoch,
                loss,
                test_f1: f1,
            });
        }
        tick();
    })?;
    let (head, scaler) = model.parts()?;
    Ok(RoundOutcome {
        train: evaluate_binary(&head, data, scaler.scaling(), &train_sorted).map_err(core_error)?,
        test: evaluate_binary(&head, data, scaler.scaling(), &test).map_err(core_error)?,
        curve,
    })
}

impl Model {
    /// The head and standardiser again, for evaluation.
    pub fn parts(&self) -> Result<(HostHead, HostScaler), CliError> {
        let head = LogisticHead::new(self.params.clone()).map_err(core_error)?;
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
