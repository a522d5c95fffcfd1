//! The device's stream, replayed on the host: each sample offered to the core's replay
//! buffer (the same [`Ring`] or [`BalancedReservoir`] code, same seed, same decisions), and
//! every `M` samples the trainer's fit on the samples the buffer holds, in its slot order,
//! as [`anyloss_core::field::OnlineTrainer`] runs it.
//!
//! The core's buffers are sized by const generics (`F` features, `N` slots), which a
//! command that reads any CSV cannot fix at compile time for `F`. A policy's choices
//! depend only on the labels (and its seed), never on the features, so the host's buffer
//! holds each sample's position in the stream as its single feature, and the fine-tune
//! gathers those rows from the data: the stored samples, their order and every weight
//! update are those of a device running `OnlineTrainer` over a `Ring<F, N>` or a
//! `BalancedReservoir<F, N, 2>` (a test checks the parameters bit for bit). `N` is one of
//! [`CAPACITIES`], each a const instance.

use anyloss_core::field::{BalancedReservoir, ReplayBuffer, Ring};
use anyloss_core::train::{BatchObjective, Dataset, Head, Optimizer, Trainer};
use clap::ValueEnum;
use serde::Serialize;

use crate::error::CliError;

/// The replay buffer's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// The newest N samples (the stream's own class mix).
    Ring,
    /// An equal share per class, uniform within each class (keeps the minority).
    Balanced,
}

/// The buffer capacities `--buffer` takes.
pub const CAPACITIES: [usize; 10] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/// What one replay did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// Samples offered to the buffer.
    pub samples: u64,
    /// Samples the buffer holds at the end, per class.
    pub held: [u32; 2],
    /// Fine-tunes run.
    pub fine_tunes: u32,
    /// Fine-tunes stopped by an error (the head keeps the last good step, the stream goes
    /// on, as on the device), and the first one's message.
    pub failed: u32,
    /// The first failure.
    pub first_failure: Option<String>,
}

/// Replays `data` (in row order) through a buffer of `policy` and `capacity`, seeded by
/// `seed`, fine-tuning `trainer` every `period` samples (0: once, after the last sample).
pub fn replay<H: Head, Opt: Optimizer, Obj: BatchObjective>(
    data: &Dataset<'_>,
    trainer: &mut Trainer<'_, H, Opt, Obj>,
    policy: Policy,
    capacity: usize,
    period: u32,
    seed: u64,
) -> Result<Outcome, CliError> {
    macro_rules! with_capacity {
        ($($n:literal)*) => {
            match (policy, capacity) {
                $(
                    (Policy::Ring, $n) => run(Ring::<1, $n>::new(), data, trainer, period),
                    (Policy::Balanced, $n) => {
                        run(BalancedReservoir::<1, $n, 2>::new(seed), data, trainer, period)
                    }
                )*
                _ => Err(CliError::new(format!(
                    "--buffer {capacity}: one of {CAPACITIES:?} samples"
                ))),
            }
        };
    }
    with_capacity!(8 16 32 64 128 256 512 1024 2048 4096)
}

/// The stream through `buffer` (boxed: a large buffer is too big for the stack).
fn run<B: ReplayBuffer, H: Head, Opt: Optimizer, Obj: BatchObjective>(
    buffer: B,
    data: &Dataset<'_>,
    trainer: &mut Trainer<'_, H, Opt, Obj>,
    period: u32,
) -> Result<Outcome, CliError> {
    let mut buffer = Box::new(buffer);
    let mut gather = Gather::new(data.n_features(), B::CAPACITY);
    let mut outcome = Outcome::default();
    let mut pending = 0u32;
    for i in 0..data.len() {
        let (_, label) = data.sample(i as u32).map_err(core)?;
        if !trainer.objective().valid_label(label) {
            return Err(CliError::new(format!(
                "row {i}: label {label} is not 0 or 1"
            )));
        }
        // The sample's position, as the bits of an f32 (finite below 0x7F80_0000).
        let position = u32::try_from(i)
            .ok()
            .filter(|&p| p < 0x7F80_0000)
            .ok_or_else(|| CliError::new("finetune streams at most 2^31 - 2^23 samples"))?;
        buffer
            .push(&[f32::from_bits(position)], label)
            .map_err(core)?;
        outcome.samples += 1;
        pending += 1;
        if period > 0 && pending >= period {
            pending = 0;
            fine_tune(&*buffer, data, trainer, &mut gather, &mut outcome)?;
        }
    }
    if period == 0 && !buffer.is_empty() {
        fine_tune(&*buffer, data, trainer, &mut gather, &mut outcome)?;
    }
    let stored = buffer.dataset().map_err(core)?;
    for &y in stored.labels() {
        if let Some(h) = outcome.held.get_mut(usize::from(y)) {
            *h += 1;
        }
    }
    Ok(outcome)
}

/// The rows a fine-tune trains on, gathered from the data in the buffer's slot order.
struct Gather {
    features: Vec<f32>,
    labels: Vec<u8>,
    rows: Vec<u32>,
}

impl Gather {
    fn new(features: usize, capacity: usize) -> Self {
        Self {
            features: Vec::with_capacity(features * capacity),
            labels: Vec::with_capacity(capacity),
            rows: Vec::with_capacity(capacity),
        }
    }
}

/// One fine-tune on the buffer's samples: the trainer's fit over rows `0..n` of them, as
/// `OnlineTrainer::fine_tune` runs it. A failed fit is counted, not fatal.
fn fine_tune<B: ReplayBuffer + ?Sized, H: Head, Opt: Optimizer, Obj: BatchObjective>(
    buffer: &B,
    data: &Dataset<'_>,
    trainer: &mut Trainer<'_, H, Opt, Obj>,
    gather: &mut Gather,
    outcome: &mut Outcome,
) -> Result<(), CliError> {
    let stored = buffer.dataset().map_err(core)?;
    gather.features.clear();
    gather.labels.clear();
    for slot in 0..stored.len() {
        let (position, label) = stored.sample(slot as u32).map_err(core)?;
        let row = position.first().map_or(u32::MAX, |p| p.to_bits());
        let (features, _) = data.sample(row).map_err(core)?;
        gather.features.extend_from_slice(features);
        gather.labels.push(label);
    }
    gather.rows.clear();
    gather.rows.extend(0..stored.len() as u32);
    let held = Dataset::new(&gather.features, &gather.labels, data.n_features()).map_err(core)?;
    outcome.fine_tunes += 1;
    if let Err(e) = trainer.fit(&held, &mut gather.rows, |_, _| {}) {
        outcome.failed += 1;
        if outcome.first_failure.is_none() {
            outcome.first_failure = Some(format!(
                "fine-tune {} (after sample {}): {e}",
                outcome.fine_tunes, outcome.samples
            ));
        }
    }
    Ok(())
}

fn core(e: anyloss_core::Error) -> CliError {
    CliError::new(e.to_string())
}
