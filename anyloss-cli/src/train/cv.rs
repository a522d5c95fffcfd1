//! Cross-validation of one loss: split once, then per round fit the standardiser on the
//! training rows, train a fresh head (`--model`, see [`super::fit`]), and count hard predictions.
//!
//! Everything numeric is `anyloss_core::train`, the code the firmware runs: the host only
//! owns the buffers (`Vec`s) and the bookkeeping.

use anyloss_core::train::{test_rows, train_rows, Counts, Dataset, Head, Split};

use crate::error::CliError;

use super::fit::{core_error, counts, fit, HostScaler, Model};
use super::loss::LossSpec;
use super::model::ModelArch;
use super::threshold;

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
    /// Test F1 after the epoch (at the recipe's threshold).
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
        spec.recipe.threshold
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
                let f1 = counts(head, scaler, data, &test, spec.recipe.threshold)
                    .map_or(0.0, |c| c.scores().f1);
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
