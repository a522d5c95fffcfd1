//! What the F1 loss costs on the device: instructions per sample, stack, and the `exp` it
//! is built on.
//!
//! The buffer is [`SAMPLES`] probabilities spread evenly over (0, 1), so the amplifier's
//! `exp` sees arguments from `-L/2` to 0 as it does in training, with the dataset's first
//! labels.

use core::hint::black_box;

use anyloss_core::metrics::F1;
use anyloss_core::{BinaryLoss, Error, Logits, LossOutput, Probs};

use crate::dataset;
use crate::icount::InstructionCounter;
use crate::stack;

/// Samples per loss call.
pub const SAMPLES: usize = 256;
/// Calls per measurement: enough that one SysTick tick (about 40 instructions) is below
/// 0.05 instructions/sample.
const REPEATS: u32 = 16;

/// The measured batch: labels, inputs, the arguments `exp` gets from them, and the gradient.
pub struct Batch {
    labels: [u8; SAMPLES],
    probs: [f32; SAMPLES],
    logits: [f32; SAMPLES],
    exp_args: [f32; SAMPLES],
    grad: [f32; SAMPLES],
}

impl Batch {
    /// All zero, so that a static of it lives in `.bss`; [`Batch::fill`] sets the values.
    pub const ZERO: Self = Self {
        labels: [0; SAMPLES],
        probs: [0.0; SAMPLES],
        logits: [0.0; SAMPLES],
        exp_args: [0.0; SAMPLES],
        grad: [0.0; SAMPLES],
    };

    /// Probabilities `(i + 1/2) / SAMPLES`, the logits that give them, the amplifier's `exp`
    /// arguments `-L·|p - 1/2|` at the default `L = 73`, and the labels of the first
    /// [`SAMPLES`] rows of the dataset.
    pub fn fill(&mut self) {
        let l = anyloss_core::Amplifier::default().l();
        for (i, (((y, p), z), e)) in self
            .labels
            .iter_mut()
            .zip(&mut self.probs)
            .zip(&mut self.logits)
            .zip(&mut self.exp_args)
            .enumerate()
        {
            *y = dataset::LABELS.get(i).copied().unwrap_or(0);
            *p = (i as f32 + 0.5) / SAMPLES as f32;
            *z = libm::logf(*p / (1.0 - *p));
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

/// The call and return of the functions above without their work: the baseline.
#[inline(never)]
fn no_loss(
    _loss: &BinaryLoss<F1>,
    _labels: &[u8],
    _input: &[f32],
    _grad: &mut [f32],
) -> Result<LossOutput, Error> {
    Ok(LossOutput::default())
}

/// Bytes of stack below the caller's SP that one F1 loss-and-gradient call uses (its own
/// frame included). Call it before anything else has gone deep below the caller.
pub fn stack_bytes(batch: &mut Batch) -> Result<usize, Error> {
    let loss = BinaryLoss::new(F1);
    stack::repaint_below_sp();
    let sp = cortex_m::register::msp::read() as usize;
    black_box(f1_loss_and_grad(
        black_box(&loss),
        black_box(&batch.labels),
        black_box(&batch.probs),
        black_box(&mut batch.grad),
    ))?;
    Ok(sp.saturating_sub(stack::deepest_touched()))
}

/// Instructions per sample of the F1 loss and per call of `exp`.
pub fn instruction_costs(
    counter: &InstructionCounter,
    batch: &mut Batch,
) -> Result<InstructionCosts, Error> {
    let loss = BinaryLoss::new(F1);
    let Batch {
        labels,
        probs,
        logits,
        exp_args,
        grad,
    } = batch;
    Ok(InstructionCosts {
        f1_probs: loss_tenths(counter, &loss, labels, probs, grad, f1_loss_and_grad)?,
        f1_logits: loss_tenths(
            counter,
            &loss,
            labels,
            logits,
            grad,
            f1_loss_and_grad_logits,
        )?,
        f1_pass1: loss_tenths(counter, &loss, labels, probs, grad, f1_pass1)?,
        backend_exp: per_call_tenths(counter, exp_args, anyloss_core::math::exp),
        libm_expf: per_call_tenths(counter, exp_args, libm::expf),
    })
}

type LossFn = fn(&BinaryLoss<F1>, &[u8], &[f32], &mut [f32]) -> Result<LossOutput, Error>;

/// Instructions per sample of `f` beyond [`no_loss`], in tenths.
fn loss_tenths(
    counter: &InstructionCounter,
    loss: &BinaryLoss<F1>,
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
            if let Err(e) = black_box(f)(
                black_box(loss),
                black_box(labels),
                black_box(input),
                black_box(g),
            ) {
                result = Err(e);
            }
        },
        |g| {
            let _ = black_box(no_loss)(
                black_box(loss),
                black_box(labels),
                black_box(input),
                black_box(g),
            );
        },
    );
    result.map(|()| tenths)
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
