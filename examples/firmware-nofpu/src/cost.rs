//! What the F1 loss and gradient cost per sample on both paths, their stack, and how far the
//! fixed-point path is from the f32 one on the measured batch.
//!
//! The batch is [`SAMPLES`] probabilities spread evenly over (0, 1) (so the amplifier sees
//! every regime, from saturated to steep) with the dataset's first labels, and the logits
//! that give them.

use core::hint::black_box;

use anyloss_core::fixed::FixedLoss;
use anyloss_core::metrics::F1;
use anyloss_core::{BinaryLoss, Error, Logits, LossOutput, Probs};

use crate::dataset;
use crate::icount::InstructionCounter;
use crate::stack;

/// Samples per loss call.
pub const SAMPLES: usize = 256;
/// Calls per measurement: one SysTick tick is then below 0.05 instructions/sample.
const REPEATS: u32 = 16;

/// The measured batch: labels, probabilities, the logits that give them, and gradients.
pub struct Batch {
    labels: [u8; SAMPLES],
    probs: [f32; SAMPLES],
    logits: [f32; SAMPLES],
    grad: [f32; SAMPLES],
    reference: [f32; SAMPLES],
}

impl Batch {
    /// All zero, so that a static of it lives in `.bss`; [`Batch::fill`] sets the values.
    pub const ZERO: Self = Self {
        labels: [0; SAMPLES],
        probs: [0.0; SAMPLES],
        logits: [0.0; SAMPLES],
        grad: [0.0; SAMPLES],
        reference: [0.0; SAMPLES],
    };

    /// Probabilities `(i + 1/2) / SAMPLES`, their logits, and the first labels.
    pub fn fill(&mut self) {
        for (i, ((y, p), z)) in self
            .labels
            .iter_mut()
            .zip(&mut self.probs)
            .zip(&mut self.logits)
            .enumerate()
        {
            *y = dataset::LABELS.get(i).copied().unwrap_or(0);
            *p = (i as f32 + 0.5) / SAMPLES as f32;
            *z = anyloss_core::math::ln(*p / (1.0 - *p));
        }
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

/// The call and return of the functions above without their work: the baseline.
#[inline(never)]
fn no_loss(_: &[u8], _: &[f32], _: &mut [f32]) -> Result<LossOutput, Error> {
    Ok(LossOutput::default())
}

type LossFn = fn(&[u8], &[f32], &mut [f32]) -> Result<LossOutput, Error>;

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
        float: stack_of(batch, f1_float)?,
        fixed: stack_of(batch, f1_fixed)?,
    })
}

#[inline(always)]
fn stack_of(batch: &mut Batch, f: LossFn) -> Result<usize, Error> {
    stack::repaint_below_sp();
    let sp = cortex_m::register::msp::read() as usize;
    black_box(black_box(f)(
        black_box(&batch.labels),
        black_box(&batch.probs),
        black_box(&mut batch.grad),
    ))?;
    Ok(sp.saturating_sub(stack::deepest_touched()))
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
    let Batch {
        labels,
        probs,
        logits,
        grad,
        ..
    } = batch;
    Ok(InstructionCosts {
        float_probs: loss_tenths(counter, labels, probs, grad, f1_float)?,
        float_logits: loss_tenths(counter, labels, logits, grad, f1_float_logits)?,
        fixed_probs: loss_tenths(counter, labels, probs, grad, f1_fixed)?,
        fixed_logits: loss_tenths(counter, labels, logits, grad, f1_fixed_logits)?,
        fixed_pass1: loss_tenths(counter, labels, probs, grad, f1_fixed_pass1)?,
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

/// Instructions per sample of `f` beyond [`no_loss`], in tenths.
fn loss_tenths(
    counter: &InstructionCounter,
    labels: &[u8; SAMPLES],
    input: &[f32; SAMPLES],
    grad: &mut [f32; SAMPLES],
    f: LossFn,
) -> Result<u32, Error> {
    let mut result = Ok(());
    let tenths = counter.tenths_per_unit(
        REPEATS,
        SAMPLES as u32,
        grad,
        |g| {
            if let Err(e) = black_box(f)(black_box(labels), black_box(input), black_box(g)) {
                result = Err(e);
            }
        },
        |g| {
            let _ = black_box(no_loss)(black_box(labels), black_box(input), black_box(g));
        },
    );
    result.map(|()| tenths)
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
    let float = f1_float(&batch.labels, &batch.probs, &mut batch.reference)?;
    let fixed = f1_fixed(&batch.labels, &batch.probs, &mut batch.grad)?;
    let (mut largest, mut difference) = (0.0f32, 0.0f32);
    for (&want, &got) in batch.reference.iter().zip(&batch.grad) {
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
