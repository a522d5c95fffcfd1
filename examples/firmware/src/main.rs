//! anyloss on a Cortex-M4F (QEMU `mps2-an386`): what the loss costs on the device, and
//! fine-tuning on a dataset embedded in flash.
//!
//! Run with `cargo run --release` (libm) or `cargo run --release --features micromath`.
//! Output is `defmt` over semihosting, decoded by `defmt-print` in `qemu-run.sh`; the exit
//! code is 0 on success, 1 on a detected error, 101 on a panic.
//!
//! There is no `#[global_allocator]`: anything in the dependency tree that needed `alloc`
//! would fail to link, so heap use is 0 by construction.
#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn)]

mod dataset;
mod exit;
mod icount;
mod loss_cost;
mod stack;

use cortex_m as _; // the critical-section implementation defmt-semihosting needs
use cortex_m_rt::entry;
use defmt_semihosting as _; // the global defmt logger

use anyloss_core::Error;
use icount::InstructionCounter;
use loss_cost::Batch;

/// Name of the math backend anyloss-core was built with (micromath wins when both are on).
const BACKEND: &str = if cfg!(feature = "micromath") {
    "micromath"
} else {
    "libm"
};

#[entry]
fn main() -> ! {
    match run() {
        Ok(()) => exit::exit(0),
        Err(e) => {
            defmt::error!("failed: {}", e);
            exit::exit(exit::FAILURE)
        }
    }
}

fn run() -> Result<(), Error> {
    let mut batch = Batch::new();
    // First, before anything else goes deep below this frame.
    let loss_stack = loss_cost::stack_bytes(&mut batch)?;

    defmt::info!(
        "anyloss firmware: Cortex-M4F, math backend {=str}, dataset {=str} ({=usize} x {=usize})",
        BACKEND,
        dataset::NAME,
        dataset::N,
        dataset::F
    );

    let Some(peripherals) = cortex_m::Peripherals::take() else {
        defmt::error!("core peripherals already taken");
        exit::exit(exit::FAILURE)
    };
    let counter = InstructionCounter::calibrate(peripherals.SYST);
    let ipt = counter.instructions_per_tick_x100();
    defmt::info!(
        "SysTick calibration: {=u32}.{=u32:02} instructions/tick (QEMU -icount shift=0; instructions, not cycles)",
        ipt / 100,
        ipt % 100
    );

    let costs = loss_cost::instruction_costs(&counter, &mut batch)?;
    report_tenths(
        "F1 loss+grad, probabilities, N=256:",
        costs.f1_probs,
        "instructions/sample",
    );
    report_tenths(
        "F1 loss+grad, logits, N=256:",
        costs.f1_logits,
        "instructions/sample",
    );
    report_tenths(
        "exp of the backend alone:",
        costs.backend_exp,
        "instructions/call",
    );
    report_tenths("libm::expf alone:", costs.libm_expf, "instructions/call");
    defmt::info!(
        "stack: F1 loss+grad path {=usize} bytes (goal <= 256)",
        loss_stack
    );

    defmt::info!(
        "stack: peak of the whole firmware {=usize} bytes",
        stack::peak_since_reset()
    );
    defmt::info!(
        "heap: 0 bytes (no #[global_allocator]; a dependency needing alloc fails to link)"
    );
    defmt::info!("done");
    Ok(())
}

/// Logs `value` tenths as `<label> <int>.<frac> <unit>`.
fn report_tenths(label: &str, value: u32, unit: &str) {
    defmt::info!(
        "{=str} {=u32}.{=u32} {=str}",
        label,
        value / 10,
        value % 10,
        unit
    );
}
