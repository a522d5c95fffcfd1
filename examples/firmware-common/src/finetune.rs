//! Fine-tuning on a dataset embedded in flash: the split and the recipes every fit shares,
//! and the logistic head's fit.
//!
//! The same steps, in the same order, as the host's `anyloss train` (see anyloss-core's
//! `train` module): a stratified seeded split, a standardiser fitted on the training rows,
//! a zero-initialised head, `Trainer::fit`, then hard predictions on the test rows. The data
//! stays in flash; every buffer is a fixed array, and nothing is allocated.

use anyloss_core::train::{
    test_rows, train_rows, BatchObjective, Batching, BinaryObjective, Dataset, FitConfig,
    HeadShape, Logistic, Scaling, Scores, Scratch, Sgd, Split, Standardizer, Trainer,
};
use anyloss_core::{Amplifier, BinaryLoss, Error, Metric, Parameter};

/// Samples per chunk of the two-pass batch gradient (9 bytes each). The host's chunk is
/// longer (256), but a batch that fits one chunk is summed the same way on both sides, and
/// the recipes here use batches of 64.
pub const CHUNK: usize = 64;

/// The split shared by every fit.
pub const SPLIT: Split = Split::TestFraction(TEST_FRACTION);
/// Share of each class held out for testing.
pub const TEST_FRACTION: f32 = 0.25;
/// Seed of the split and of the batch shuffles.
pub const SEED: u64 = 42;

/// The optimizer of a recipe (`anyloss train --optimizer`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    /// SGD with momentum.
    Sgd,
    /// Adam (β1 0.9, β2 0.999, ε 1e-8).
    Adam,
}

impl OptimizerKind {
    /// The value of `--optimizer`.
    pub fn flag(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
        }
    }
}

/// How one loss is trained: the settings `anyloss train` takes as flags.
#[derive(Clone, Copy)]
pub struct Recipe {
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Weight `r` of the metric term in `(1 − r)·BCE + r·(1 − M)`; unused for BCE.
    pub mix: f32,
    /// Amplifier steepness `L`; unused for BCE.
    pub l: f32,
    /// Learning rate.
    pub lr: f32,
    /// Momentum of SGD; unused by Adam.
    pub momentum: f32,
    /// Passes over the training rows.
    pub epochs: u32,
    /// Rows per mini-batch (0: full batch).
    pub batch: usize,
    /// Leading epochs of plain BCE (a warm start) within `epochs`; unused for BCE.
    pub warm_start: u32,
}

impl Recipe {
    /// The trainer's schedule for this recipe, with the shared [`SEED`].
    pub fn fit_config(&self) -> FitConfig {
        FitConfig {
            epochs: self.epochs,
            batching: Batching { size: self.batch },
            seed: SEED,
            warm_start_epochs: self.warm_start,
        }
    }
}

/// The metric losses' recipe for a logistic head, `anyloss train`'s default for a metric
/// loss: 20 epochs of BCE as a warm start, then the pure metric loss `1 − M` at `L = 10`;
/// SGD 0.3, batches of 64, 500 epochs in all.
pub const METRIC_RECIPE: Recipe = Recipe {
    optimizer: OptimizerKind::Sgd,
    mix: 1.0,
    l: 10.0,
    lr: 0.3,
    momentum: 0.0,
    epochs: 500,
    batch: 64,
    warm_start: 20,
};

/// The BCE baseline's recipe for a logistic head, `anyloss train`'s default for `--loss bce`
/// (trained to convergence): SGD 1.0, batches of 64, 500 epochs.
pub const BCE_RECIPE: Recipe = Recipe {
    optimizer: OptimizerKind::Sgd,
    mix: 0.0,
    l: 10.0,
    lr: 1.0,
    momentum: 0.0,
    epochs: 500,
    batch: 64,
    warm_start: 0,
};

/// The BCE objective (`metric` `None`) or the recipe's hybrid of BCE and the metric loss at
/// its `L`.
pub fn objective<M: Metric>(
    metric: Option<M>,
    recipe: &Recipe,
) -> Result<BinaryObjective<M>, Error> {
    match metric {
        Some(m) => BinaryObjective::hybrid(
            BinaryLoss::new(m).with_amplifier(Amplifier::new(recipe.l)?),
            recipe.mix,
        ),
        None => Ok(BinaryObjective::bce()),
    }
}

/// Row-index buffers of the split and the fits over `N` rows, `13·N` bytes: placed in `.bss`
/// by the caller (`cortex_m::singleton!`) so that they show in the RAM figures rather than
/// on the stack.
pub struct RowBuffers<const N: usize> {
    /// The split's shuffled order, then each fit's copy of the training rows (which the fit
    /// reshuffles every epoch).
    order: [u32; N],
    /// Fold of each row (0 = test, 1 = train).
    fold_of: [u8; N],
    /// Training rows in sample order.
    train: [u32; N],
    /// Test rows in sample order.
    test: [u32; N],
}

impl<const N: usize> RowBuffers<N> {
    /// All zero, so that a static of it lives in `.bss`.
    pub const ZERO: Self = Self {
        order: [0; N],
        fold_of: [0; N],
        train: [0; N],
        test: [0; N],
    };
}

/// What one fit works on: the data, the training rows in sample order in a buffer the fit
/// may reshuffle, and the test rows.
pub struct FitRows<'p> {
    /// The embedded dataset.
    pub data: &'p Dataset<'static>,
    /// A fresh copy of the training rows, in sample order.
    pub train: &'p mut [u32],
    /// The test rows, in sample order.
    pub test: &'p [u32],
    /// The standardiser fitted on the training rows.
    pub scaling: Scaling<'p>,
}

/// The split of an embedded dataset of `N` rows and `F` features, and the standardiser
/// fitted on its training rows, shared by every fit.
pub struct Prepared<'a, const N: usize, const F: usize> {
    data: Dataset<'static>,
    rows: &'a mut RowBuffers<N>,
    n_train: usize,
    n_test: usize,
    scaler: Standardizer<[f32; F]>,
}

impl<'a, const N: usize, const F: usize> Prepared<'a, N, F> {
    /// Splits the dataset (`features`, `labels`, in flash) and fits the standardiser on the
    /// training rows.
    pub fn new(
        rows: &'a mut RowBuffers<N>,
        features: &'static [[f32; F]; N],
        labels: &'static [u8; N],
    ) -> Result<Self, Error> {
        let data = Dataset::new(features.as_flattened(), labels, F)?;
        SPLIT.assign(labels, SEED, &mut rows.order, &mut rows.fold_of)?;
        let n_train = train_rows(&rows.fold_of, 0, &mut rows.train)?;
        let n_test = test_rows(&rows.fold_of, 0, &mut rows.test)?;
        let mut scaler = Standardizer::new([0.0; F], [0.0; F])?;
        scaler.fit(&data, rows.train.get(..n_train).unwrap_or(&[]))?;
        Ok(Self {
            data,
            rows,
            n_train,
            n_test,
            scaler,
        })
    }

    /// Rows in the training part.
    pub fn n_train(&self) -> usize {
        self.n_train
    }

    /// Rows in the test part.
    pub fn n_test(&self) -> usize {
        self.n_test
    }

    /// The rows of a new fit. Every fit starts from the training rows in sample order, as
    /// a fresh host run does: the fit shuffles its copy in place.
    pub fn fit_rows(&mut self) -> Result<FitRows<'_>, Error> {
        let n_train = self.n_train;
        let rows = &mut *self.rows;
        let (train, test) = match (
            rows.train.get(..n_train),
            rows.order.get_mut(..n_train),
            rows.test.get(..self.n_test),
        ) {
            (Some(rows), Some(copy), Some(test)) => {
                copy.copy_from_slice(rows);
                (copy, test)
            }
            _ => return Err(Error::Empty),
        };
        Ok(FitRows {
            data: &self.data,
            train,
            test,
            scaling: self.scaler.scaling(),
        })
    }

    /// Trains a fresh logistic head (zero weights, SGD; `P = F + 1` parameters) on the
    /// training rows with `metric` (BCE when `None`) and `recipe`, and scores it on the test
    /// rows.
    pub fn fit_and_test<M: Metric, const P: usize>(
        &mut self,
        metric: Option<M>,
        recipe: &Recipe,
    ) -> Result<Scores, Error> {
        let objective = objective(metric, recipe)?;
        self.fit_logistic::<_, P>(objective, recipe)
    }

    /// Trains a fresh logistic head (zero weights, SGD; `P = F + 1` parameters, checked at
    /// compile time) on the training rows with `objective` and `recipe`'s schedule, and
    /// scores it on the test rows.
    pub fn fit_logistic<O: BatchObjective, const P: usize>(
        &mut self,
        objective: O,
        recipe: &Recipe,
    ) -> Result<Scores, Error> {
        const {
            assert!(
                P == HeadShape::linear(F, 1).params(),
                "a logistic head over F features has F + 1 parameters"
            )
        };
        if recipe.optimizer != OptimizerKind::Sgd {
            return Err(Error::InvalidParameter(Parameter::Training));
        }
        let sgd = Sgd::new(recipe.lr, recipe.momentum, [0.0f32; P])?;
        let rows = self.fit_rows()?;
        let head = Logistic::new([0.0f32; P])?;
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
        let config = recipe.fit_config();
        let mut trainer = Trainer::new(head, sgd, objective, config, rows.scaling, scratch)?;
        trainer.fit(rows.data, rows.train, |_, _| {})?;
        Ok(trainer.counts(rows.data, rows.test, 0.5)?.scores())
    }
}
