//! Fine-tuning an `mlp:16` head (one hidden layer of 16 ReLU units, a sigmoid output) on the
//! embedded dataset, as `anyloss train --model mlp:16` does on the host: the same split, a
//! standardiser fitted on the training rows, He initialisation from the seed's
//! initialisation stream, Adam, `Trainer::fit`, hard predictions on the test rows.
//!
//! Every buffer of the run is one `static` ([`MlpBuffers`], placed by the caller), sized at
//! compile time from [`SHAPE`], so the linker's figure for it can be compared with anyloss-core's
//! [`MemoryPlan`] ([`PLAN`]); the training row indices come from the shared
//! [`RowBuffers`](crate::finetune::RowBuffers). While it fits, the run measures the
//! instructions of every epoch (SysTick laps from the fit's per-epoch observer) and the
//! stack below its caller's frame (`anyloss_firmware_common::stack`'s painting).

use anyloss_core::train::{
    Adam, HeadShape, MemoryPlan, Mlp, Scores, Scratch, SplitMix64, INIT_STREAM,
};
use anyloss_core::train::{BatchObjective, Dataset, Head, Optimizer, Standardizer, Trainer};
use anyloss_core::{Error, Metric};

use anyloss_firmware_common::finetune::{objective, Recipe, CHUNK, SEED};
use anyloss_firmware_common::icount::{InstructionCounter, LapTimer};
use anyloss_firmware_common::stack;

use crate::dataset::F;
use crate::finetune::Prepared;

/// Hidden units: the host's `--model mlp:16`.
pub const HIDDEN: usize = 16;
/// The head's sizes: `F` inputs, 16 hidden ReLU units, one logit.
pub const SHAPE: HeadShape = HeadShape {
    features: F,
    hidden: [HIDDEN, 0],
    outputs: 1,
};
/// Parameters: `16·(F+1) + 17`.
const P: usize = SHAPE.params();
/// Adam keeps two values (the moments) per parameter.
const ADAM_SLOTS: usize = 2;
/// The bytes anyloss-core's memory plan gives for this head, Adam and chunks of [`CHUNK`].
pub const PLAN: MemoryPlan = MemoryPlan::of(SHAPE, ADAM_SLOTS, CHUNK);

/// The hidden activations and their gradients of an `mlp:16` head.
const WORK: usize = 2 * HIDDEN;

/// Every buffer a training run of an `mlp:16` head over `F` features (`P` parameters)
/// with Adam writes, in the order of [`MemoryPlan`]'s parts; the data stays in flash.
/// Also the trainer's part of the field scenario's buffers.
pub struct TrainingBuffers<const F: usize, const P: usize> {
    /// The head's parameters (plan: `parameters`).
    pub params: [f32; P],
    /// `∂loss/∂params` (plan: `gradient`).
    pub grad: [f32; P],
    /// Adam's first moments (plan: `optimizer`, with `second`).
    pub first: [f32; P],
    /// Adam's second moments.
    pub second: [f32; P],
    /// The hidden activations and their gradients (plan: `activations`).
    pub work: [f32; WORK],
    /// One standardised sample (plan: `scratch`, with the chunk buffers).
    pub input: [f32; F],
    /// The chunk's logits.
    pub logits: [f32; CHUNK],
    /// The chunk's `∂loss/∂logits`.
    pub dz: [f32; CHUNK],
    /// The chunk's labels.
    pub labels: [u8; CHUNK],
    /// The standardiser's means (plan: `standardizer`, with `inv_std`).
    pub mean: [f32; F],
    /// The standardiser's reciprocal standard deviations.
    pub inv_std: [f32; F],
}

impl<const F: usize, const P: usize> TrainingBuffers<F, P> {
    /// All zero, so that a static of it lives in `.bss`.
    pub const ZERO: Self = Self {
        params: [0.0; P],
        grad: [0.0; P],
        first: [0.0; P],
        second: [0.0; P],
        work: [0.0; WORK],
        input: [0.0; F],
        logits: [0.0; CHUNK],
        dz: [0.0; CHUNK],
        labels: [0; CHUNK],
        mean: [0.0; F],
        inv_std: [0.0; F],
    };
}

impl<const F: usize, const P: usize> TrainingBuffers<F, P> {
    /// Every buffer borrowed on its own: the trainer's [`Scratch`] and the rest, which the
    /// head, the optimizer and the standardiser (or a loaded model) take.
    pub fn parts(&mut self) -> TrainingParts<'_> {
        let Self {
            params,
            grad,
            first,
            second,
            work,
            input,
            logits,
            dz,
            labels,
            mean,
            inv_std,
        } = self;
        TrainingParts {
            params,
            first,
            second,
            mean,
            inv_std,
            scratch: Scratch {
                input,
                work,
                logits,
                dz,
                labels,
                grad,
            },
        }
    }
}

/// The buffers of a [`TrainingBuffers`], each borrowed on its own.
pub struct TrainingParts<'a> {
    /// The head's parameters.
    pub params: &'a mut [f32],
    /// Adam's first moments.
    pub first: &'a mut [f32],
    /// Adam's second moments.
    pub second: &'a mut [f32],
    /// The standardiser's means.
    pub mean: &'a mut [f32],
    /// The standardiser's reciprocal standard deviations.
    pub inv_std: &'a mut [f32],
    /// The trainer's working buffers: sample, activations, chunk, gradient.
    pub scratch: Scratch<'a>,
}

/// The buffers of this module's fits, on the embedded dataset.
pub type MlpBuffers = TrainingBuffers<F, P>;

/// What one MLP fit measured.
pub struct MlpRun {
    /// Test scores at threshold 0.5.
    pub scores: Scores,
    /// Instructions per training sample per epoch, in tenths: the epochs of the objective
    /// itself, and the BCE warm-start epochs (0 when there are none).
    pub tenths_per_sample: [u32; 2],
    /// Bytes of stack the fit used below its caller's frame.
    pub stack: usize,
}

/// `trainer.fit` on `train`, timed epoch by epoch: `[ticks, epochs]`, each split into
/// `[objective epochs, warm-start epochs]`. Not inlined, so that the caller's stack figure
/// includes this frame and everything the fit uses below it.
#[inline(never)]
fn timed_fit<H: Head, Opt: Optimizer, Obj: BatchObjective>(
    trainer: &mut Trainer<'_, H, Opt, Obj>,
    data: &Dataset<'_>,
    train: &mut [u32],
    counter: &InstructionCounter,
) -> Result<[[u64; 2]; 2], Error> {
    let (mut ticks, mut epochs) = ([0u64; 2], [0u64; 2]);
    let mut timer = LapTimer::start(counter);
    trainer.fit(data, train, |report, _| {
        let part = usize::from(report.warm_start);
        if let (Some(t), Some(e)) = (ticks.get_mut(part), epochs.get_mut(part)) {
            *t += u64::from(timer.lap());
            *e += 1;
        }
    })?;
    Ok([ticks, epochs])
}

/// Trains a fresh `mlp:16` head in `buffers` with `metric` (BCE when `None`) and `recipe`
/// (Adam), and scores it on the test rows.
pub fn fit_and_test<M: Metric>(
    prepared: &mut Prepared<'_>,
    buffers: &mut MlpBuffers,
    counter: &InstructionCounter,
    metric: Option<M>,
    recipe: &Recipe,
) -> Result<MlpRun, Error> {
    let objective = objective(metric, recipe)?;
    let rows = prepared.fit_rows()?;
    let TrainingParts {
        params,
        first,
        second,
        mean,
        inv_std,
        scratch,
    } = buffers.parts();
    // The host fits its standardiser on the same rows, in the same order.
    let mut scaler = Standardizer::new(mean, inv_std)?;
    scaler.fit(rows.data, rows.train)?;
    let mut head = Mlp::new(params, SHAPE)?;
    head.init(&mut SplitMix64::new(SEED ^ INIT_STREAM));
    let adam = Adam::new(recipe.lr, first, second)?;
    let config = recipe.fit_config();
    let mut trainer = Trainer::new(head, adam, objective, config, scaler.scaling(), scratch)?;

    stack::repaint_below_sp();
    let sp = cortex_m::register::msp::read() as usize;
    let [ticks, epochs] = timed_fit(&mut trainer, rows.data, rows.train, counter)?;
    let stack = sp.saturating_sub(stack::deepest_touched());

    let n_train = rows.train.len() as u64;
    let [objective_tenths, warm_tenths] = [0, 1].map(|part| match (ticks[part], epochs[part]) {
        (_, 0) => 0,
        (t, e) => counter.tenths_per(t, e * n_train),
    });
    Ok(MlpRun {
        scores: trainer.counts(rows.data, rows.test, 0.5)?.scores(),
        tenths_per_sample: [objective_tenths, warm_tenths],
        stack,
    })
}
