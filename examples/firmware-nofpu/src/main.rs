//! anyloss on cores without an FPU under QEMU: a Cortex-M3 (`thumbv7m-none-eabi`,
//! `mps2-an385`) and a Cortex-M0 (`thumbv6m-none-eabi`, `microbit`).
//!
//! Measures what the F1 loss and gradient cost per sample on the f32 path (software
//! floats: every f32 operation is a library call) and on the fixed-point path
//! (`anyloss_core::fixed`, which `DeviceLoss` selects on these targets), then, with the
//! `finetune` feature (the M3 run), fine-tunes a logistic head on the embedded dataset with
//! AnyLoss-F1 on both paths and prints both test F1 scores.
//!
//! Output is `defmt` over semihosting, decoded by `defmt-print` in `qemu-run.sh`; the exit
//! code is 0 on success, 1 on a detected error, 101 on a panic, 102 on a fault. There is no
//! `#[global_allocator]`: anything in the dependency tree that needed `alloc` would fail to
//! link, so heap use is 0 by construction.
#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn)]

mod cost;
mod dataset;
#[cfg(feature = "finetune")]
mod finetune;

use cortex_m as _; // the critical-section implementation defmt-semihosting needs
use cortex_m_rt::entry;
use defmt_semihosting as _; // the global defmt logger

use anyloss_core::fixed::NUMERIC_PATH;
use anyloss_core::Error;
use anyloss_firmware_common::exit;
use anyloss_firmware_common::icount::InstructionCounter;
use anyloss_firmware_common::report::{report_end, report_tenths};
use cost::Batch;

/// The board, from `build.rs`.
const BOARD: &str = env!("ANYLOSS_FIRMWARE_BOARD");

#[entry]
fn main() -> ! {
    exit::finish(run())
}

fn run() -> Result<(), Error> {
    let Some(batch) = cortex_m::singleton!(: Batch = Batch::ZERO) else {
        defmt::error!("loss buffers already taken");
        exit::exit(exit::FAILURE)
    };
    batch.fill();
    // First, before anything else goes deep below this frame.
    let stacks = cost::stack_bytes(batch)?;

    defmt::info!(
        "anyloss firmware without FPU: {=str}, DeviceLoss path {=str}, dataset {=str} ({=usize} x {=usize})",
        BOARD,
        NUMERIC_PATH.name(),
        dataset::NAME,
        dataset::N,
        dataset::F
    );

    let counter = InstructionCounter::take_calibrated();

    let costs = cost::instruction_costs(&counter, batch)?;
    for (label, tenths) in [
        (
            "F1 loss+grad, f32 soft-float path, probabilities, N=256:",
            costs.float_probs,
        ),
        (
            "F1 loss+grad, f32 soft-float path, logits, N=256:",
            costs.float_logits,
        ),
        (
            "F1 loss+grad, fixed-point path, probabilities, N=256:",
            costs.fixed_probs,
        ),
        (
            "F1 loss+grad, fixed-point path, logits, N=256:",
            costs.fixed_logits,
        ),
        (
            "F1 pass 1 alone, fixed-point path, probabilities, N=256:",
            costs.fixed_pass1,
        ),
    ] {
        report_tenths(label, tenths, "instructions/sample");
    }
    report_tenths("exp of the f32 path alone:", costs.exp, "instructions/call");
    defmt::info!(
        "stack: F1 loss+grad path, f32 {=usize} bytes, fixed-point {=usize} bytes",
        stacks.float,
        stacks.fixed
    );
    let agreement = cost::agreement(batch)?;
    defmt::info!(
        "F1 loss on the batch: f32 path {=f32}, fixed-point path {=f32}; largest gradient difference {=f32} of the largest gradient",
        agreement.float_loss,
        agreement.fixed_loss,
        agreement.grad_difference
    );

    #[cfg(feature = "finetune")]
    finetune::run()?;

    report_end();
    Ok(())
}
