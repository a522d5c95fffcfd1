//! The batch the loss cost is measured on, and the measurement: instructions per sample of a
//! loss-and-gradient function beyond an empty call, and the stack one call uses.
//!
//! The batch is [`SAMPLES`] probabilities spread evenly over (0, 1), so the amplifier sees
//! every regime (saturated to steep) as it does in training, with the dataset's first labels,
//! and the logits that give those probabilities.

use core::hint::black_box;

use anyloss_core::{Error, LossOutput};

use crate::icount::InstructionCounter;
use crate::stack;

/// Samples per loss call.
pub const SAMPLES: usize = 256;
/// Calls per measurement: enough that one SysTick tick (40 to 63 instructions on the boards
/// used) is below 0.05 instructions/sample.
pub const REPEATS: u32 = 16;

/// The measured batch: labels, probabilities, the logits that give them, and the gradient.
pub struct LossBatch {
    /// Labels of the dataset's first [`SAMPLES`] rows (0 past its end).
    pub labels: [u8; SAMPLES],
    /// Probabilities `(i + 1/2) / SAMPLES`.
    pub probs: [f32; SAMPLES],
    /// `ln(p / (1 − p))` of each probability.
    pub logits: [f32; SAMPLES],
    /// The gradient the measured calls write.
    pub grad: [f32; SAMPLES],
}

impl LossBatch {
    /// All zero, so that a static of it lives in `.bss`; [`LossBatch::fill`] sets the values.
    pub const ZERO: Self = Self {
        labels: [0; SAMPLES],
        probs: [0.0; SAMPLES],
        logits: [0.0; SAMPLES],
        grad: [0.0; SAMPLES],
    };

    /// Probabilities `(i + 1/2) / SAMPLES`, the logits that give them, and the first
    /// [`SAMPLES`] of `labels` (the dataset's).
    pub fn fill(&mut self, labels: &[u8]) {
        for (i, ((y, p), z)) in self
            .labels
            .iter_mut()
            .zip(&mut self.probs)
            .zip(&mut self.logits)
            .enumerate()
        {
            *y = labels.get(i).copied().unwrap_or(0);
            *p = (i as f32 + 0.5) / SAMPLES as f32;
            // libm's logf with every math backend (micromath's ln is far less accurate).
            *z = anyloss_core::math::ln(*p / (1.0 - *p));
        }
    }
}

/// A measured function: loss and gradient of `labels` and an input (probabilities or logits)
/// into a gradient.
pub type LossFn = fn(&[u8], &[f32], &mut [f32]) -> Result<LossOutput, Error>;

/// A measured function that reads a context `C` (the loss) it is given by reference.
pub type LossFnOf<C> = fn(&C, &[u8], &[f32], &mut [f32]) -> Result<LossOutput, Error>;

/// How a measured function is called: a [`LossFn`], or a [`LossFnOf`] with its context.
/// The call goes through an opaque function pointer (`black_box`), so that the measured
/// function is not inlined into the measuring loop and keeps a frame of its own.
pub trait LossCall: Copy {
    /// One call on `labels`, `input` and `grad`.
    fn call(self, labels: &[u8], input: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error>;
    /// The same call of a function that does no work: the baseline.
    fn empty(self) -> Self;
}

impl LossCall for LossFn {
    #[inline(always)]
    fn call(self, labels: &[u8], input: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
        black_box(self)(labels, input, grad)
    }

    fn empty(self) -> Self {
        no_loss
    }
}

impl<C> LossCall for (&C, LossFnOf<C>) {
    #[inline(always)]
    fn call(self, labels: &[u8], input: &[f32], grad: &mut [f32]) -> Result<LossOutput, Error> {
        let (context, f) = self;
        black_box(f)(black_box(context), labels, input, grad)
    }

    fn empty(self) -> Self {
        (self.0, no_loss_of::<C>)
    }
}

/// The call and return of a [`LossFn`] without its work.
#[inline(never)]
fn no_loss(_: &[u8], _: &[f32], _: &mut [f32]) -> Result<LossOutput, Error> {
    Ok(LossOutput::default())
}

/// The call and return of a [`LossFnOf`] without its work.
#[inline(never)]
fn no_loss_of<C>(_: &C, _: &[u8], _: &[f32], _: &mut [f32]) -> Result<LossOutput, Error> {
    Ok(LossOutput::default())
}

/// Instructions per sample of `f` on `input` beyond an empty call, in tenths: [`REPEATS`]
/// calls of each.
pub fn loss_tenths(
    counter: &InstructionCounter,
    labels: &[u8; SAMPLES],
    input: &[f32; SAMPLES],
    grad: &mut [f32; SAMPLES],
    f: impl LossCall,
) -> Result<u32, Error> {
    let mut result = Ok(());
    let empty = f.empty();
    let tenths = counter.tenths_per_unit(
        REPEATS,
        SAMPLES as u32,
        grad,
        |g| {
            if let Err(e) = f.call(black_box(labels), black_box(input), black_box(g)) {
                result = Err(e);
            }
        },
        |g| {
            let _ = empty.call(black_box(labels), black_box(input), black_box(g));
        },
    );
    result.map(|()| tenths)
}

/// Bytes of stack below the caller's SP that one call of `f` on the batch's probabilities
/// uses (its own frame included). Call it before anything else has gone deep below the
/// caller: it is inlined, so the measurement starts at the caller's frame.
#[inline(always)]
pub fn stack_bytes(batch: &mut LossBatch, f: impl LossCall) -> Result<usize, Error> {
    stack::repaint_below_sp();
    let sp = cortex_m::register::msp::read() as usize;
    black_box(f.call(
        black_box(&batch.labels),
        black_box(&batch.probs),
        black_box(&mut batch.grad),
    ))?;
    Ok(sp.saturating_sub(stack::deepest_touched()))
}
