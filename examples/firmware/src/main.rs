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
mod finetune;
mod formula;
mod icount;
mod loss_cost;
mod stack;

use cortex_m as _; // the critical-section implementation defmt-semihosting needs
use cortex_m_rt::entry;
use defmt_semihosting as _; // the global defmt logger

use anyloss_core::metrics::F1;
use anyloss_core::Error;
use finetune::{Prepared, Recipe, RowBuffers};
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

/// The metric losses' recipe, `anyloss train`'s default for a metric loss: 20 epochs of BCE
/// as a warm start, then the pure metric loss `1 − M` at `L = 10`; SGD 0.3, batches of 64,
/// 500 epochs in all.
const METRIC_RECIPE: Recipe = Recipe {
    mix: 1.0,
    l: 10.0,
    lr: 0.3,
    momentum: 0.0,
    epochs: 500,
    batch: 64,
    warm_start: 20,
};

/// The BCE baseline's recipe, `anyloss train`'s default for `--loss bce` (trained to
/// convergence): SGD 1.0, batches of 64, 500 epochs.
const BCE_RECIPE: Recipe = Recipe {
    mix: 0.0,
    l: 10.0,
    lr: 1.0,
    momentum: 0.0,
    epochs: 500,
    batch: 64,
    warm_start: 0,
};

fn run() -> Result<(), Error> {
    #[cfg(feature = "panic-selftest")]
    core::panic!("panic self-test");

    let Some(batch) = cortex_m::singleton!(: Batch = Batch::ZERO) else {
        defmt::error!("loss buffers already taken");
        exit::exit(exit::FAILURE)
    };
    batch.fill();
    // First, before anything else goes deep below this frame.
    let loss_stack = loss_cost::stack_bytes(batch)?;

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

    let costs = loss_cost::instruction_costs(&counter, batch)?;
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
        "F1 pass 1 alone (soft confusion, one exp), probabilities, N=256:",
        costs.f1_pass1,
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

    let Some(rows) = cortex_m::singleton!(: RowBuffers = RowBuffers::ZERO) else {
        defmt::error!("row buffers already taken");
        exit::exit(exit::FAILURE)
    };
    let mut prepared = Prepared::new(rows)?;
    defmt::info!(
        "fine-tuning: split seed {=u64}, test fraction {=f32}, {=usize} train / {=usize} test rows",
        finetune::SEED,
        finetune::TEST_FRACTION,
        prepared.n_train(),
        prepared.n_test()
    );
    report_recipe("the metric losses", &METRIC_RECIPE, true);
    report_recipe("BCE", &BCE_RECIPE, false);
    let f1 = prepared.fit_and_test(Some(F1), &METRIC_RECIPE)?;
    report_scores("AnyLoss-F1", &f1);
    let formula = prepared.fit_and_test(Some(formula::GMeanFormula), &METRIC_RECIPE)?;
    report_scores("formula G-mean", &formula);
    let bce = prepared.fit_and_test(None::<F1>, &BCE_RECIPE)?;
    report_scores("BCE", &bce);

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

/// Logs a recipe as the flags of `anyloss train` that select it (`ci.sh` passes them to the
/// host for the comparison); `--mix`, `--l` and `--warm-start` only for the metric losses.
fn report_recipe(losses: &str, r: &Recipe, metric: bool) {
    if metric {
        defmt::info!(
            "host flags of {=str}: --mix {=f32} --l {=f32} --warm-start {=u32} --optimizer sgd --lr {=f32} --momentum {=f32} --batch {=usize} --epochs {=u32}",
            losses, r.mix, r.l, r.warm_start, r.lr, r.momentum, r.batch, r.epochs
        );
    } else {
        defmt::info!(
            "host flags of {=str}: --optimizer sgd --lr {=f32} --momentum {=f32} --batch {=usize} --epochs {=u32}",
            losses, r.lr, r.momentum, r.batch, r.epochs
        );
    }
}

/// Logs the test scores of one fit, to 4 decimals.
fn report_scores(loss: &str, scores: &anyloss_core::train::Scores) {
    let (f1, gmean) = (ten_thousandths(scores.f1), ten_thousandths(scores.gmean));
    defmt::info!(
        "test {=str}: F1 {=u32}.{=u32:04} G-mean {=u32}.{=u32:04}",
        loss,
        f1 / 10_000,
        f1 % 10_000,
        gmean / 10_000,
        gmean % 10_000
    );
}

/// `x` in `[0, 1]` as a whole number of ten-thousandths, rounded.
fn ten_thousandths(x: f32) -> u32 {
    (x * 10_000.0 + 0.5) as u32
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
