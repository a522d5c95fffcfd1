//! What the F1 loss and gradient cost per sample on both paths, their stack, and how far the
//! fixed-point path is from the f32 one on the measured batch.
//!
//! The batch is the shared [`LossBatch`]: [`SAMPLES`] probabilities spread evenly over
//! (0, 1) (so the amplifier sees every regime, from saturated to steep) with the dataset's
//! first labels, and the logits that give them.

use core::hint::black_box;

use anyloss_core::fixed::FixedLoss;
use anyloss_core::metrics::F1;
use anyloss_core::{BinaryLoss, Error, Logits, LossOutput, Probs};
use anyloss_firmware_common::icount::InstructionCounter;
use anyloss_firmware_common::loss_batch::{self, LossBatch, LossFn, REPEATS, SAMPLES};

use crate::dataset;

/// The measured batch, and the f32 path's gradient to compare the fixed-point one with.
pub struct Batch {
    loss: LossBatch,
    reference: [f32; SAMPLES],
}

impl Batch {
    /// All zero, so that a static of it lives in `.bss`; [`Batch::fill`] sets the values.
    pub const ZERO: Self = Self {
        loss: LossBatch::ZERO,
        reference: [0.0; SAMPLES],
    };

    /// The shared batch on the dataset's labels.
    pub fn fill(&mut self) {
        self.loss.fill(&dataset::LABELS);
    }
}

/// The F1 loss and gradient on probabilities, f32 path. Not inlined, so that it has a
/// symbol for `size-report.sh` and a frame of its own for the stack figure.
#[inline(never)]
pub fn f1_float(labels: &[u8], probs: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
    BinaryLoss::new(F1).loss_and_grad(labels, Probs(probs), grad)
}

/// The same on logits.
#[inline(never)]
fn f1_float_logits(labels: &[u8], z: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
    BinaryLoss::new(F1).loss_and_grad(labels, Logits(z), grad)
}

/// The F1 loss and gradient on probabilities, fixed-point path.
#[inline(never)]
pub fn f1_fixed(labels: &[u8], probs: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
    FixedLoss::new(F1).loss_and_grad(labels, Probs(probs), grad)
}

/// The same on logits.
#[inline(never)]
fn f1_fixed_logits(labels: &[u8], z: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
    FixedLoss::new(F1).loss_and_grad(labels, Logits(z), grad)
}

/// Pass 1 alone, fixed-point path (the entries, without the metric and pass 2).
#[inline(never)]
fn f1_fixed_pass1(labels: &[u8], probs: &[f32], _: &mut [f32]) -> Result<LossOutput, Error> {
    let confusion = FixedLoss::new(F1).confusion(labels, Probs(probs))?;
    Ok(LossOutput {
        confusion,
        ..LossOutput::default()
    })
}

/// Stack bytes of one loss-and-gradient call on each path.
pub struct Stacks {
    /// f32 path.
    pub float: usize,
    /// Fixed-point path.
    pub fixed: usize,
}

/// Bytes of stack below the caller's SP that one call of each path uses (its own frame
/// included). Call it before anything else has gone deep below the caller.
pub fn stack_bytes(batch: &mut Batch) -> Result<Stacks, Error> {
    Ok(Stacks {
        float: loss_batch::stack_bytes(&mut batch.loss, f1_float as LossFn)?,
        fixed: loss_batch::stack_bytes(&mut batch.loss, f1_fixed as LossFn)?,
    })
}

/// Instruction counts, each in tenths.
pub struct InstructionCosts {
    /// Per sample, f32 path, probabilities.
    pub float_probs: u32,
    /// Per sample, f32 path, logits.
    pub float_logits: u32,
    /// Per sample, fixed-point path, probabilities.
    pub fixed_probs: u32,
    /// Per sample, fixed-point path, logits.
    pub fixed_logits: u32,
    /// Per sample, fixed-point pass 1 alone.
    pub fixed_pass1: u32,
    /// Per call of the f32 path's `exp` (`anyloss_core::math::exp`).
    pub exp: u32,
}

/// Instructions per sample of every path and per call of `exp`.
pub fn instruction_costs(
    counter: &InstructionCounter,
    batch: &mut Batch,
) -> Result<InstructionCosts, Error> {
    let LossBatch {
        labels,
        probs,
        logits,
        grad,
    } = &mut batch.loss;
    let mut tenths = |input, f: LossFn| loss_batch::loss_tenths(counter, labels, input, grad, f);
    Ok(InstructionCosts {
        float_probs: tenths(probs, f1_float)?,
        float_logits: tenths(logits, f1_float_logits)?,
        fixed_probs: tenths(probs, f1_fixed)?,
        fixed_logits: tenths(logits, f1_fixed_logits)?,
        fixed_pass1: tenths(probs, f1_fixed_pass1)?,
        exp: counter.tenths_per_unit(
            REPEATS,
            SAMPLES as u32,
            &mut (),
            |()| {
                for &p in probs.iter() {
                    black_box(anyloss_core::math::exp(black_box(-73.0 * p)));
                }
            },
            |()| {
                for &p in probs.iter() {
                    black_box(black_box(-73.0 * p));
                }
            },
        ),
    })
}

/// The two paths on the measured batch.
pub struct Agreement {
    /// Loss of the f32 path.
    pub float_loss: f32,
    /// Loss of the fixed-point path.
    pub fixed_loss: f32,
    /// Largest `|g_fixed − g_f32|` over the batch, divided by the largest `|g_f32|`.
    pub grad_difference: f32,
}

/// Runs both paths on the batch's probabilities and compares them.
pub fn agreement(batch: &mut Batch) -> Result<Agreement, Error> {
    let Batch { loss, reference } = batch;
    let float = f1_float(&loss.labels, &loss.probs, reference)?;
    let fixed = f1_fixed(&loss.labels, &loss.probs, &mut loss.grad)?;
    let (mut largest, mut difference) = (0.0f32, 0.0f32);
    for (&want, &got) in reference.iter().zip(&loss.grad) {
        largest = largest.max(anyloss_core::math::abs(want));
        difference = difference.max(anyloss_core::math::abs(got - want));
    }
    Ok(Agreement {
        float_loss: float.loss,
        fixed_loss: fixed.loss,
        grad_difference: if largest > 0.0 {
            difference / largest
        } else {
            difference
        },
    })
}
