//! The online trainer: a stream of labelled samples into a replay buffer, and fine-tuning
//! of a head on the whole buffer, on demand or every `M` samples.

use crate::error::Error;
use crate::train::{BatchObjective, EpochReport, Head, Optimizer, Trainer};

use super::replay::{ReplayBuffer, Stored};

/// What a fine-tune did.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FineTune {
    /// Samples in the buffer it trained on.
    pub samples: usize,
    /// Epochs run.
    pub epochs: u32,
    /// The last epoch's loss (NaN for a fit of no epochs).
    pub loss: f32,
}

/// What became of one ingested sample.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ingest {
    /// What the buffer did with it.
    pub stored: Stored,
    /// The fine-tune it triggered (the `M`-th sample since the last one), if any, and its
    /// outcome: on `Err` the head holds the last good step's parameters and the sample
    /// stays in the buffer.
    pub fine_tune: Option<Result<FineTune, Error>>,
}

/// Learning from a stream: each [`OnlineTrainer::ingest`]ed sample goes to a replay buffer
/// `B`, and [`OnlineTrainer::fine_tune`] (on demand, or every `period` samples) runs the
/// [`Trainer`]'s fit on every sample the buffer holds.
///
/// Whatever the head (logistic, softmax, MLP, or a [`crate::model::ModelHead`] read from a
/// blob), the objective (BCE, a built-in or formula metric through [`crate::Metric`], the
/// hybrid, cross-entropy, a multi-class metric) and the optimizer, the fine-tune is the
/// trainer's own: the exact gradient of the loss over the batch by the chunked two-pass
/// accumulation (a full-buffer batch with [`crate::train::Batching`] `size: 0`), and every
/// update a safe step (a non-finite gradient or update changes no weight).
///
/// ## Cost
/// For a buffer of capacity `N` over `C` classes, `F` features, a head of `P` parameters,
/// `E` epochs of batches of `b` samples (`b = n` for full-buffer batches), chunks of `K`:
///
/// | call | work, bounded by |
/// |---|---|
/// | [`OnlineTrainer::ingest`], no fine-tune due | the buffer's push: O(F) for a [`super::Ring`], O(F + C + N) for a [`super::BalancedReservoir`] |
/// | [`OnlineTrainer::fine_tune`] on `n <= N` samples | `E·n` backward passes and `E·n` forward passes (`2E·n` when a batch exceeds `K`): about `4·E·n·P` multiply-adds for these heads; `E·⌈n/b⌉` optimizer steps of O(P); `2E·n` `exp`s for a metric objective |
///
/// So the worst case of one `ingest` is a push plus a fine-tune on `N` samples, and the
/// mean cost per sample is a push plus `1/M` of a fine-tune. Nothing allocates; the
/// RAM is the trainer's [`crate::train::MemoryPlan`] plus the buffer and the row indices
/// ([`super::FieldPlan`]).
///
/// ## Example
/// A logistic head fine-tuned every 16 samples with the F1 loss, on a stream with 10%
/// positives whose positive region has moved since the head was trained:
/// ```
/// use anyloss_core::field::{BalancedReservoir, OnlineTrainer, ReplayBuffer};
/// use anyloss_core::metrics::F1;
/// use anyloss_core::train::*;
/// use anyloss_core::BinaryLoss;
///
/// // The head as it shipped: positive when x0 > 1 (on standardised features).
/// let scaler = Standardizer::from_parts([0.0f32; 2], [1.0f32; 2])?;
/// let head = Logistic::new([4.0f32, 0.0, -4.0])?;
/// const K: usize = 64;
/// let (mut x, mut z, mut dz, mut y, mut g) = ([0.0f32; 2], [0.0f32; K], [0.0f32; K], [0u8; K], [0.0f32; 3]);
/// let scratch = Scratch { input: &mut x, work: &mut [], logits: &mut z, dz: &mut dz, labels: &mut y, grad: &mut g };
/// let adam = Adam::new(0.05, [0.0f32; 3], [0.0f32; 3])?;
/// let objective = BinaryObjective::hybrid(BinaryLoss::new(F1), 0.5)?;
/// let config = FitConfig { epochs: 30, batching: Batching { size: 0 }, seed: 1, warm_start_epochs: 0 };
/// let trainer = Trainer::new(head, adam, objective, config, scaler.scaling(), scratch)?;
///
/// let mut rows = [0u32; 64];
/// let buffer = BalancedReservoir::<2, 64, 2>::new(7);
/// let mut online = OnlineTrainer::new(buffer, trainer, &mut rows, 16)?;
/// // Now the positives are the samples with x0 > 0.
/// let mut rng = SplitMix64::new(3);
/// for i in 0..200 {
///     let positive = i % 10 == 0;
///     let x0 = if positive { 0.2 } else { -0.2 } + (rng.below(1000) as f32 / 1000.0 - 0.5) * 0.3;
///     let ingest = online.ingest(&[x0, 0.0], u8::from(positive))?;
///     if let Some(result) = ingest.fine_tune {
///         result?;
///     }
/// }
/// let data = Dataset::new(&[0.2f32, 0.0, -0.2, 0.0], &[1, 0], 2)?;
/// let counts = online.trainer().counts(&data, &[0, 1], 0.5)?;
/// assert_eq!((counts.tp, counts.tn), (1, 1));
/// # Ok::<(), anyloss_core::Error>(())
/// ```
#[derive(Debug)]
pub struct OnlineTrainer<'a, B, H, Opt, Obj> {
    buffer: B,
    trainer: Trainer<'a, H, Opt, Obj>,
    rows: &'a mut [u32],
    period: u32,
    pending: u32,
}

impl<'a, B, H, Opt, Obj> OnlineTrainer<'a, B, H, Opt, Obj>
where
    B: ReplayBuffer,
    H: Head,
    Opt: Optimizer,
    Obj: BatchObjective,
{
    /// An online trainer over `buffer` (which may already hold samples) fine-tuning the
    /// trainer's head every `period` ingested samples (0: only on demand). `rows` is the
    /// row-index scratch of a fine-tune: at least `B::CAPACITY` values.
    ///
    /// Errors: [`Error::LengthMismatch`] when `rows` is too short or the buffer's feature
    /// count is not the head's.
    pub fn new(
        buffer: B,
        trainer: Trainer<'a, H, Opt, Obj>,
        rows: &'a mut [u32],
        period: u32,
    ) -> Result<Self, Error> {
        let features = trainer.head().shape().features;
        if B::FEATURES != features {
            return Err(Error::LengthMismatch {
                expected: features,
                found: B::FEATURES,
            });
        }
        if rows.len() < B::CAPACITY {
            return Err(Error::LengthMismatch {
                expected: B::CAPACITY,
                found: rows.len(),
            });
        }
        Ok(Self {
            buffer,
            trainer,
            rows,
            period,
            pending: 0,
        })
    }

    /// Offers one raw labelled sample to the buffer and, if it is the `period`-th since the
    /// last fine-tune, fine-tunes (its outcome is in [`Ingest::fine_tune`]).
    ///
    /// Errors, with nothing stored and no fine-tune: [`Error::InvalidLabel`] (the sample's
    /// position in the stream) for a label the objective does not take, and the buffer's
    /// errors ([`ReplayBuffer::push`]).
    pub fn ingest(&mut self, features: &[f32], label: u8) -> Result<Ingest, Error> {
        if !self.trainer.objective().valid_label(label) {
            return Err(Error::InvalidLabel {
                index: usize::try_from(self.buffer.seen()).unwrap_or(usize::MAX),
            });
        }
        let stored = self.buffer.push(features, label)?;
        self.pending = self.pending.saturating_add(1);
        let due = self.period > 0 && self.pending >= self.period;
        let fine_tune = if due { Some(self.fine_tune()) } else { None };
        Ok(Ingest { stored, fine_tune })
    }

    /// Fine-tunes the head on every sample in the buffer: [`Trainer::fit`] with the
    /// trainer's [`crate::train::FitConfig`], starting from the head's current parameters
    /// (and the optimizer's state). Mini-batch shuffles restart from the config's seed at
    /// each fine-tune, so a host replaying a device's stream with the same settings takes
    /// the same steps. Resets the count towards the next periodic fine-tune.
    ///
    /// Errors: [`Error::Empty`] for an empty buffer, and those of [`Trainer::fit`], after
    /// which the head holds the last good step's parameters.
    pub fn fine_tune(&mut self) -> Result<FineTune, Error> {
        self.pending = 0;
        let data = self.buffer.dataset()?;
        let n = data.len();
        let rows = self.rows.get_mut(..n).ok_or(Error::LengthMismatch {
            expected: n,
            found: 0,
        })?;
        for (i, r) in rows.iter_mut().enumerate() {
            *r = i as u32;
        }
        let mut last: Option<EpochReport> = None;
        self.trainer
            .fit(&data, rows, |report, _| last = Some(*report))?;
        Ok(FineTune {
            samples: n,
            epochs: last.map_or(0, |r| r.epoch),
            loss: last.map_or(f32::NAN, |r| r.loss),
        })
    }

    /// The buffer.
    pub fn buffer(&self) -> &B {
        &self.buffer
    }

    /// The buffer, to clear it or to add samples without counting them towards the period.
    pub fn buffer_mut(&mut self) -> &mut B {
        &mut self.buffer
    }

    /// The trainer: its head, and hard predictions ([`Trainer::counts`],
    /// [`Trainer::evaluate`]).
    pub fn trainer(&mut self) -> &mut Trainer<'a, H, Opt, Obj> {
        &mut self.trainer
    }

    /// Samples ingested since the last fine-tune.
    pub fn pending(&self) -> u32 {
        self.pending
    }

    /// The buffer and the trainer back.
    pub fn into_parts(self) -> (B, Trainer<'a, H, Opt, Obj>) {
        (self.buffer, self.trainer)
    }
}
