//! The field scenario: a model trained on the host ships in flash, the device's sensors
//! have drifted, and the device keeps learning from the labelled samples it receives.
//!
//! 1. Boot: the host's `mlp:16` model (`field/model.bin`, `include_bytes!`) is loaded with
//!    `Model::from_bytes_in` into the static [`FieldBuffers`].
//! 2. Test F1 **before**, on the held-out part of the drifted data.
//! 3. The stream: every sample of `field/stream.csv` goes to
//!    [`OnlineTrainer::ingest`], one by one, into a class-balanced reservoir of
//!    [`CAPACITY`] samples; every [`PERIOD`] samples the head is fine-tuned on the whole
//!    buffer ([`FINE_TUNE`]).
//! 4. Test F1 **after**.
//! 5. A simulated reset: the model is written with `to_bytes` to a RAM page standing in
//!    for flash, read back with `from_bytes`, and compared bit for bit; then the page with
//!    one bit flipped must be refused by `load`, leaving the model as it was.
//!
//! Measured on the way: instructions per ingest (without a fine-tune) and per fine-tune,
//! the stack of the stream loop, and the RAM of the buffer and the trainer against
//! anyloss-core's [`FieldPlan`].

pub mod data;

use anyloss_core::field::{BalancedReservoir, FieldPlan, OnlineTrainer, ReplayBuffer};
use anyloss_core::metrics::F1;
use anyloss_core::model::{blob_len, Model, PersistError};
use anyloss_core::train::{
    binary_counts, Adam, BatchObjective, Dataset, Head, HeadShape, Inference, Optimizer, Scores,
    Scratch, Trainer,
};
use anyloss_core::Error;

use anyloss_firmware_common::finetune::{objective, OptimizerKind, Recipe, CHUNK, SEED};
use anyloss_firmware_common::icount::{InstructionCounter, LapTimer};
use anyloss_firmware_common::stack;

use crate::mlp::{self, TrainingBuffers, TrainingParts};

use data::{stream, test};

/// The shipped model's sizes: `mlp:16` over the stream's features.
pub const SHAPE: HeadShape = HeadShape {
    features: stream::F,
    hidden: [mlp::HIDDEN, 0],
    outputs: 1,
};
const P: usize = SHAPE.params();
const F: usize = SHAPE.features;

/// Samples the replay buffer keeps.
pub const CAPACITY: usize = 128;
/// Ingested samples between two fine-tunes.
pub const PERIOD: u32 = 64;
/// The replay buffer: class-balanced reservoir (the stream is imbalanced: about 1 sample in
/// 8 is positive, and a ring of 128 would hold about 16 of them).
type Buffer = BalancedReservoir<F, CAPACITY, 2>;
/// Seed of the reservoir's random choices.
pub const BUFFER_SEED: u64 = SEED;

/// One fine-tune: AnyLoss-F1 (the pure metric loss at `L = 10`) from the current weights,
/// Adam 0.01, 20 epochs of mini-batches of 32, no warm start (the model is trained). These
/// are `anyloss finetune`'s defaults but for the batch: with full-buffer batches a
/// fine-tune is 20 Adam steps, and this scenario's test F1 after the stream was 0.5357
/// instead of 0.6857 (both measured with this firmware; see the README).
pub const FINE_TUNE: Recipe = Recipe {
    optimizer: OptimizerKind::Adam,
    mix: 1.0,
    l: 10.0,
    lr: 0.01,
    momentum: 0.0,
    epochs: 20,
    batch: 32,
    warm_start: 0,
};

/// The RAM of learning from the stream, as anyloss-core plans it.
pub const PLAN: FieldPlan = FieldPlan::of::<Buffer>(SHAPE, 2, CHUNK);

/// The model as the host saved it (`field/model.bin`; see the README).
static SHIPPED: &[u8] = include_bytes!("../../field/model.bin");

/// Bytes of the model's blob.
pub const BLOB_LEN: usize = blob_len(SHAPE);

/// Everything the device writes to learn from the stream, in the order of
/// [`FieldPlan`]'s parts: the trainer's ([`anyloss_core::train::MemoryPlan`]), the replay
/// buffer, the row indices of a fine-tune.
pub struct FieldBuffers {
    training: TrainingBuffers<F, P>,
    buffer: Buffer,
    rows: [u32; CAPACITY],
}

impl FieldBuffers {
    /// Empty, so that a static of it lives in `.bss`.
    pub const EMPTY: Self = Self {
        training: TrainingBuffers::ZERO,
        buffer: Buffer::new(BUFFER_SEED),
        rows: [0; CAPACITY],
    };
}

/// What can stop the scenario.
#[derive(defmt::Format)]
pub enum FieldError {
    /// Training or evaluation.
    Core(Error),
    /// Loading or saving the model.
    Persist(PersistError),
    /// The model read back from the flash page is not the one written.
    ReloadDiffers,
    /// A flash page with a flipped bit was not refused as corrupted, or changed the model.
    CorruptionAccepted,
}

impl From<Error> for FieldError {
    fn from(e: Error) -> Self {
        FieldError::Core(e)
    }
}

impl From<PersistError> for FieldError {
    fn from(e: PersistError) -> Self {
        FieldError::Persist(e)
    }
}

/// What the scenario measured.
pub struct FieldReport {
    /// Test scores of the shipped model on the drifted held-out part.
    pub before: Scores,
    /// The same after fine-tuning on the stream.
    pub after: Scores,
    /// The same for the model read back from the flash page.
    pub reloaded: Scores,
    /// Samples ingested.
    pub ingested: usize,
    /// Samples of class 0 and class 1 in the buffer at the end.
    pub held: [u32; 2],
    /// Fine-tunes run.
    pub fine_tunes: u32,
    /// Fine-tunes stopped by an error (the head kept the last good step's weights).
    pub failed: u32,
    /// Instructions per ingest that did not fine-tune, in tenths.
    pub ingest_tenths: u32,
    /// Instructions per fine-tune (the ingest that triggered it), in tenths.
    pub fine_tune_tenths: u32,
    /// Bytes of stack the stream loop used below this module's frame.
    pub stack: usize,
    /// Bytes of the blob written to the flash page.
    pub blob_len: usize,
    /// Its CRC-32, the blob's last four bytes (little-endian).
    pub blob_crc: u32,
}

/// Runs the scenario in `buffers`, with `flash` standing in for a flash page.
#[inline(never)]
pub fn run(
    buffers: &mut FieldBuffers,
    flash: &mut [u8; BLOB_LEN],
    counter: &InstructionCounter,
) -> Result<FieldReport, FieldError> {
    let FieldBuffers {
        training,
        buffer,
        rows,
    } = buffers;
    let TrainingParts {
        params,
        first,
        second,
        mean,
        inv_std,
        scratch,
    } = training.parts();
    let Scratch {
        input,
        work,
        logits,
        dz,
        labels,
        grad,
    } = scratch;
    let mut model = Model::from_bytes_in(SHIPPED, params, mean, inv_std)?;
    let threshold = model.threshold();

    let test_data = Dataset::new(test::FEATURES.as_flattened(), &test::LABELS, F)?;
    let mut test_rows = [0u32; test::N];
    for (i, r) in test_rows.iter_mut().enumerate() {
        *r = i as u32;
    }
    let before = test_scores(&mut model, &test_data, &test_rows, input, work, logits)?;

    // The stream, one sample at a time, into the online trainer.
    let (costs, stack_bytes, held, after) = {
        let (head, scaling) = model.head_and_scaling()?;
        let adam = Adam::new(FINE_TUNE.lr, &mut *first, &mut *second)?;
        let config = FINE_TUNE.fit_config();
        let scratch = Scratch {
            input: &mut input[..],
            work: &mut work[..],
            logits: &mut logits[..],
            dz: &mut dz[..],
            labels: &mut labels[..],
            grad: &mut grad[..],
        };
        let trainer = Trainer::new(
            head,
            adam,
            objective(Some(F1), &FINE_TUNE)?,
            config,
            scaling,
            scratch,
        )?;
        let mut online = OnlineTrainer::new(&mut *buffer, trainer, &mut rows[..], PERIOD)?;

        stack::repaint_below_sp();
        let sp = cortex_m::register::msp::read() as usize;
        let costs = stream_all(&mut online, counter)?;
        let stack_bytes = sp.saturating_sub(stack::deepest_touched());
        let held = online.buffer().held();
        let after = online
            .trainer()
            .counts(&test_data, &test_rows, threshold)?
            .scores();
        (costs, stack_bytes, held, after)
    };

    // A simulated reset: the model to the flash page, and back.
    let written = model.to_bytes(&mut flash[..])?;
    let reloaded = Model::<[f32; P], [f32; F]>::from_bytes(&flash[..written])?;
    if !same_bits(reloaded.params(), model.params())
        || !same_bits(reloaded.scaling().mean(), model.scaling().mean())
        || !same_bits(reloaded.scaling().inv_std(), model.scaling().inv_std())
        || reloaded.threshold().to_bits() != model.threshold().to_bits()
        || reloaded.shape() != model.shape()
    {
        return Err(FieldError::ReloadDiffers);
    }
    let mut reloaded = reloaded;
    let reloaded_scores = test_scores(&mut reloaded, &test_data, &test_rows, input, work, logits)?;

    // A flash page damaged by one bit is refused, and the running model stays as it was.
    let damaged = written / 2;
    if let Some(byte) = flash.get_mut(damaged) {
        *byte ^= 0x08;
    }
    let refused = matches!(
        reloaded.load(&flash[..written]),
        Err(PersistError::Corrupted { .. })
    );
    if let Some(byte) = flash.get_mut(damaged) {
        *byte ^= 0x08;
    }
    if !refused || !same_bits(reloaded.params(), model.params()) {
        return Err(FieldError::CorruptionAccepted);
    }

    Ok(FieldReport {
        before,
        after,
        reloaded: reloaded_scores,
        ingested: stream::N,
        held,
        fine_tunes: costs.fine_tunes,
        failed: costs.failed,
        ingest_tenths: counter.tenths_per(costs.ingest_ticks, costs.ingests),
        fine_tune_tenths: counter.tenths_per(costs.fine_tune_ticks, u64::from(costs.fine_tunes)),
        stack: stack_bytes,
        blob_len: written,
        blob_crc: match flash.get(written.saturating_sub(4)..written) {
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
            _ => 0,
        },
    })
}

/// Test scores of `model` at its threshold on `rows` of `data`, with the trainer's
/// buffers as the forward pass's scratch.
fn test_scores<P, S>(
    model: &mut Model<P, S>,
    data: &Dataset<'_>,
    rows: &[u32],
    input: &mut [f32],
    work: &mut [f32],
    logits: &mut [f32],
) -> Result<Scores, Error>
where
    P: AsRef<[f32]> + AsMut<[f32]>,
    S: AsRef<[f32]> + AsMut<[f32]>,
{
    let threshold = model.threshold();
    let (head, scaling) = model.head_and_scaling()?;
    let mut inference = Inference {
        input,
        work,
        logits: logits.get_mut(..1).unwrap_or(&mut []),
    };
    Ok(binary_counts(&head, data, scaling, rows, threshold, &mut inference)?.scores())
}

/// What the stream cost.
struct StreamCosts {
    /// Ticks and count of the ingests that did not fine-tune.
    ingest_ticks: u64,
    ingests: u64,
    /// Ticks and count of the ingests that fine-tuned.
    fine_tune_ticks: u64,
    fine_tunes: u32,
    /// Fine-tunes stopped by an error.
    failed: u32,
}

/// Every stream sample into `online`, one by one, each ingest timed. Not inlined, so that
/// the caller's stack figure includes this frame and everything below it.
#[inline(never)]
fn stream_all<B: ReplayBuffer, H: Head, Opt: Optimizer, Obj: BatchObjective>(
    online: &mut OnlineTrainer<'_, B, H, Opt, Obj>,
    counter: &InstructionCounter,
) -> Result<StreamCosts, Error> {
    let mut costs = StreamCosts {
        ingest_ticks: 0,
        ingests: 0,
        fine_tune_ticks: 0,
        fine_tunes: 0,
        failed: 0,
    };
    let mut timer = LapTimer::start(counter);
    for (features, &label) in stream::FEATURES.iter().zip(&stream::LABELS) {
        timer.lap();
        let ingest = online.ingest(features, label)?;
        let ticks = u64::from(timer.lap());
        match ingest.fine_tune {
            Some(result) => {
                // A failed fine-tune keeps the last good step's weights, and the device
                // goes on learning (as `anyloss finetune` does).
                costs.failed += u32::from(result.is_err());
                costs.fine_tune_ticks += ticks;
                costs.fine_tunes += 1;
            }
            None => {
                costs.ingest_ticks += ticks;
                costs.ingests += 1;
            }
        }
    }
    Ok(costs)
}

/// True when both slices hold the same bits.
fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}
