//! What the F1 loss costs on the device: instructions per sample, stack, and the `exp` it
//! is built on.
//!
//! The batch is the shared [`LossBatch`]: [`SAMPLES`] probabilities spread evenly over
//! (0, 1), so the amplifier's `exp` sees arguments from `-L/2` to 0 as it does in training,
//! with the dataset's first labels.

use core::hint::black_box;

use anyloss_core::metrics::F1;
use anyloss_core::{BinaryLoss, Error, Logits, LossOutput, Probs};
use anyloss_firmware_common::icount::InstructionCounter;
use anyloss_firmware_common::loss_batch::{self, LossBatch, LossFnOf, REPEATS, SAMPLES};

use crate::dataset;

/// The measured batch, and the arguments the amplifier's `exp` gets from its probabilities.
pub struct Batch {
    loss: LossBatch,
    exp_args: [f32; SAMPLES],
}

impl Batch {
    /// All zero, so that a static of it lives in `.bss`; [`Batch::fill`] sets the values.
    pub const ZERO: Self = Self {
        loss: LossBatch::ZERO,
        exp_args: [0.0; SAMPLES],
    };

    /// The shared batch on the dataset's labels, and the amplifier's `exp` arguments
    /// `-L·|p - 1/2|` at the default `L = 73`.
    pub fn fill(&mut self) {
        self.loss.fill(&dataset::LABELS);
        let l = anyloss_core::Amplifier::default().l();
        for (e, p) in self.exp_args.iter_mut().zip(&self.loss.probs) {
            *e = -l * anyloss_core::math::abs(*p - 0.5);
        }
    }
}

/// Instruction counts of the loss and of `exp`, each in tenths of an instruction.
pub struct InstructionCosts {
    /// Per sample: F1 loss and gradient on probabilities.
    pub f1_probs: u32,
    /// Per sample: the same on logits (one more `exp` per sample, for the sigmoid).
    pub f1_logits: u32,
    /// Per sample: pass 1 alone on probabilities (the soft confusion entries and the
    /// amplifier's slope, one `exp`), without the metric and pass 2.
    pub f1_pass1: u32,
    /// Per call of the backend's `exp` (`anyloss_core::math::exp`).
    pub backend_exp: u32,
    /// Per call of `libm::expf`.
    pub libm_expf: u32,
}

/// The F1 loss and gradient on probabilities: the measured path. Not inlined, so that it
/// has a symbol for `llvm-nm` and a frame of its own for the stack figure.
#[inline(never)]
pub fn f1_loss_and_grad(
    loss: &BinaryLoss<F1>,
    labels: &[u8],
    probs: &[f32],
    grad: &mut [f32],
) -> Result<LossOutput, Error> {
    loss.loss_and_grad(labels, Probs(probs), grad)
}

/// The same on logits.
#[inline(never)]
fn f1_loss_and_grad_logits(
    loss: &BinaryLoss<F1>,
    labels: &[u8],
    logits: &[f32],
    grad: &mut [f32],
) -> Result<LossOutput, Error> {
    loss.loss_and_grad(labels, Logits(logits), grad)
}

/// Pass 1 alone on probabilities.
#[inline(never)]
fn f1_pass1(
    loss: &BinaryLoss<F1>,
    labels: &[u8],
    probs: &[f32],
    _grad: &mut [f32],
) -> Result<LossOutput, Error> {
    let confusion = loss.confusion(labels, Probs(probs))?;
    Ok(LossOutput {
        confusion,
        ..LossOutput::default()
    })
}

/// Bytes of stack below the caller's SP that one F1 loss-and-gradient call uses (its own
/// frame included). Call it before anything else has gone deep below the caller.
pub fn stack_bytes(batch: &mut Batch) -> Result<usize, Error> {
    let loss = BinaryLoss::new(F1);
    loss_batch::stack_bytes(&mut batch.loss, (&loss, f1_loss_and_grad as F1Fn))
}

/// The measured functions' type.
type F1Fn = LossFnOf<BinaryLoss<F1>>;

/// Instructions per sample of the F1 loss and per call of `exp`.
pub fn instruction_costs(
    counter: &InstructionCounter,
    batch: &mut Batch,
) -> Result<InstructionCosts, Error> {
    let loss = BinaryLoss::new(F1);
    let Batch {
        loss:
            LossBatch {
                labels,
                probs,
                logits,
                grad,
            },
        exp_args,
    } = batch;
    let mut tenths =
        |input, f: F1Fn| loss_batch::loss_tenths(counter, labels, input, grad, (&loss, f));
    Ok(InstructionCosts {
        f1_probs: tenths(probs, f1_loss_and_grad)?,
        f1_logits: tenths(logits, f1_loss_and_grad_logits)?,
        f1_pass1: tenths(probs, f1_pass1)?,
        backend_exp: per_call_tenths(counter, exp_args, anyloss_core::math::exp),
        libm_expf: per_call_tenths(counter, exp_args, libm::expf),
    })
}

/// Instructions per call of `exp` over `args`, beyond the same loop without the call.
fn per_call_tenths(
    counter: &InstructionCounter,
    args: &[f32; SAMPLES],
    exp: fn(f32) -> f32,
) -> u32 {
    counter.tenths_per_unit(
        REPEATS,
        SAMPLES as u32,
        &mut (),
        |()| {
            for &x in args {
                black_box(exp(black_box(x)));
            }
        },
        |()| {
            for &x in args {
                black_box(black_box(x));
            }
        },
    )
}
