//! Fine-tuning a logistic head on the embedded dataset with AnyLoss-F1, once on each path,
//! with the recipe and split of the Cortex-M4F firmware (`anyloss train`'s defaults for a
//! metric loss): the f32 path's objective (`BinaryObjective`) against the fixed-point path's
//! (`FixedObjective`), same split, same seed, same steps; both test F1 scores are printed.
//!
//! The data stays in flash; every buffer is a fixed array, and nothing is allocated.

use anyloss_core::fixed::{FixedLoss, FixedObjective};
use anyloss_core::metrics::F1;
use anyloss_core::train::{
    test_rows, train_rows, BatchObjective, Batching, BinaryObjective, Dataset, FitConfig,
    HeadShape, Logistic, Scores, Scratch, Sgd, Split, Standardizer, Trainer,
};
use anyloss_core::{Amplifier, BinaryLoss, Error};

use crate::dataset::{F, FEATURES, LABELS, N};

/// The logistic head's sizes.
const SHAPE: HeadShape = HeadShape::linear(F, 1);
/// Parameters of the head: `F` weights and a bias.
const P: usize = SHAPE.params();
/// Samples per chunk of the two-pass batch gradient: one mini-batch.
const CHUNK: usize = 64;
/// Share of each class held out for testing.
const TEST_FRACTION: f32 = 0.25;
/// Seed of the split and of the batch shuffles.
const SEED: u64 = 42;
/// Amplifier steepness of the recipe.
const L: f32 = 10.0;
/// SGD learning rate of the recipe (no momentum).
const LR: f32 = 0.3;
/// Passes over the training rows, the first [`WARM_START`] of them BCE alone.
const EPOCHS: u32 = 500;
/// Leading epochs of BCE (a warm start).
const WARM_START: u32 = 20;

/// Row-index buffers of the split and the fits, `13·N` bytes, in `.bss`.
struct RowBuffers {
    order: [u32; N],
    fold_of: [u8; N],
    train: [u32; N],
    test: [u32; N],
}

/// Splits the data, fits with AnyLoss-F1 on each path, and logs both test scores and their
/// difference.
pub fn run() -> Result<(), Error> {
    let Some(rows) = cortex_m::singleton!(: RowBuffers = RowBuffers {
        order: [0; N],
        fold_of: [0; N],
        train: [0; N],
        test: [0; N],
    }) else {
        return Err(Error::Empty);
    };
    let data = Dataset::new(FEATURES.as_flattened(), &LABELS, F)?;
    Split::TestFraction(TEST_FRACTION).assign(&LABELS, SEED, &mut rows.order, &mut rows.fold_of)?;
    let n_train = train_rows(&rows.fold_of, 0, &mut rows.train)?;
    let n_test = test_rows(&rows.fold_of, 0, &mut rows.test)?;
    let mut scaler = Standardizer::new([0.0; F], [0.0; F])?;
    let train = rows.train.get(..n_train).ok_or(Error::Empty)?;
    let test = rows.test.get(..n_test).ok_or(Error::Empty)?;
    scaler.fit(&data, train)?;
    defmt::info!(
        "fine-tuning: split seed {=u64}, test fraction {=f32}, {=usize} train / {=usize} test rows; AnyLoss-F1, L {=f32}, SGD lr {=f32}, batch {=usize}, {=u32} epochs ({=u32} of BCE first)",
        SEED, TEST_FRACTION, n_train, n_test, L, LR, CHUNK, EPOCHS, WARM_START
    );

    let amplifier = Amplifier::new(L)?;
    let float = BinaryObjective::hybrid(BinaryLoss::new(F1).with_amplifier(amplifier), 1.0)?;
    let float = fit_and_test(&data, &scaler, train, &mut rows.order, test, float)?;
    report("f32 path", &float);
    let fixed = FixedObjective::hybrid(FixedLoss::new(F1).with_amplifier(amplifier), 1.0)?;
    let fixed = fit_and_test(&data, &scaler, train, &mut rows.order, test, fixed)?;
    report("fixed-point path", &fixed);
    let gap = ten_thousandths(anyloss_core::math::abs(fixed.f1 - float.f1));
    defmt::info!(
        "test F1 difference, fixed-point vs f32 path: {=u32}.{=u32:04} (goal <= 0.02)",
        gap / 10_000,
        gap % 10_000
    );
    Ok(())
}

/// Trains a fresh head on `train` (copied to `order`, which the fit reshuffles) with
/// `objective`, and scores it on `test`.
fn fit_and_test<O: BatchObjective>(
    data: &Dataset<'static>,
    scaler: &Standardizer<[f32; F]>,
    train: &[u32],
    order: &mut [u32],
    test: &[u32],
    objective: O,
) -> Result<Scores, Error> {
    let order = order.get_mut(..train.len()).ok_or(Error::Empty)?;
    order.copy_from_slice(train);
    let config = FitConfig {
        epochs: EPOCHS,
        batching: Batching { size: CHUNK },
        seed: SEED,
        warm_start_epochs: WARM_START,
    };
    let (mut logits, mut dz, mut labels) = ([0.0f32; CHUNK], [0.0f32; CHUNK], [0u8; CHUNK]);
    let (mut input, mut grad) = ([0.0f32; F], [0.0f32; P]);
    let scratch = Scratch {
        input: &mut input,
        work: &mut [],
        logits: &mut logits,
        dz: &mut dz,
        labels: &mut labels,
        grad: &mut grad,
    };
    let head = Logistic::new([0.0f32; P])?;
    let sgd = Sgd::new(LR, 0.0, [0.0f32; P])?;
    let mut trainer = Trainer::new(head, sgd, objective, config, scaler.scaling(), scratch)?;
    trainer.fit(data, order, |_, _| {})?;
    Ok(trainer.counts(data, test, 0.5)?.scores())
}

/// Logs the test scores of one fit, to 4 decimals.
fn report(path: &str, scores: &Scores) {
    let (f1, gmean) = (ten_thousandths(scores.f1), ten_thousandths(scores.gmean));
    defmt::info!(
        "test AnyLoss-F1, {=str}: F1 {=u32}.{=u32:04} G-mean {=u32}.{=u32:04}",
        path,
        f1 / 10_000,
        f1 % 10_000,
        gmean / 10_000,
        gmean % 10_000
    );
}

/// `x` in `[0, 1]` as a whole number of ten-thousandths, rounded.
fn ten_thousandths(x: f32) -> u32 {
    (x * 10_000.0 + 0.5) as u32
}
