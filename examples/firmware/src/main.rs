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
mod field;
mod finetune;
mod formula;
mod loss_cost;
mod mlp;
mod report;

use cortex_m as _; // the critical-section implementation defmt-semihosting needs
use cortex_m_rt::entry;
use defmt_semihosting as _; // the global defmt logger

use anyloss_core::metrics::F1;
use anyloss_core::Error;
use anyloss_firmware_common::exit;
use anyloss_firmware_common::finetune::{
    OptimizerKind, Recipe, BCE_RECIPE, METRIC_RECIPE, SEED, TEST_FRACTION,
};
use anyloss_firmware_common::icount::InstructionCounter;
use anyloss_firmware_common::report::{report_end, report_scores, report_tenths};
use finetune::{Prepared, RowBuffers, LOGISTIC_PARAMS};
use loss_cost::Batch;
use report::{report_field, report_field_setup, report_mlp, report_mlp_plan, report_recipe};

/// Name of the math backend anyloss-core was built with (micromath wins when both are on).
const BACKEND: &str = if cfg!(feature = "micromath") {
    "micromath"
} else {
    "libm"
};

#[entry]
fn main() -> ! {
    exit::finish(run())
}

/// The metric losses' recipe for an MLP head, `anyloss train --model mlp:16`'s default: 20
/// epochs of BCE as a warm start, then the pure metric loss at `L = 10`; Adam 0.01, batches
/// of 64, 300 epochs in all.
const MLP_METRIC_RECIPE: Recipe = Recipe {
    optimizer: OptimizerKind::Adam,
    mix: 1.0,
    l: 10.0,
    lr: 0.01,
    momentum: 0.0,
    epochs: 300,
    batch: 64,
    warm_start: 20,
};

/// BCE's recipe for an MLP head, `anyloss train --model mlp:16 --loss bce`'s default: Adam
/// 0.01, batches of 64, 300 epochs.
const MLP_BCE_RECIPE: Recipe = Recipe {
    optimizer: OptimizerKind::Adam,
    mix: 0.0,
    l: 10.0,
    lr: 0.01,
    momentum: 0.0,
    epochs: 300,
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

    let counter = InstructionCounter::take_calibrated();

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
    let mut prepared = Prepared::new(rows, &dataset::FEATURES, &dataset::LABELS)?;
    let n_train = prepared.n_train();
    defmt::info!(
        "fine-tuning: split seed {=u64}, test fraction {=f32}, {=usize} train / {=usize} test rows",
        SEED,
        TEST_FRACTION,
        prepared.n_train(),
        prepared.n_test()
    );
    report_recipe("the metric losses", "linear", &METRIC_RECIPE, true);
    report_recipe("BCE", "linear", &BCE_RECIPE, false);
    let f1 = prepared.fit_and_test::<_, LOGISTIC_PARAMS>(Some(F1), &METRIC_RECIPE)?;
    report_scores("AnyLoss-F1", &f1);
    let formula =
        prepared.fit_and_test::<_, LOGISTIC_PARAMS>(Some(formula::GMeanFormula), &METRIC_RECIPE)?;
    report_scores("formula G-mean", &formula);
    let bce = prepared.fit_and_test::<_, LOGISTIC_PARAMS>(None::<F1>, &BCE_RECIPE)?;
    report_scores("BCE", &bce);

    let Some(mlp_buffers) =
        cortex_m::singleton!(MLP_BUFFERS: mlp::MlpBuffers = mlp::MlpBuffers::ZERO)
    else {
        defmt::error!("MLP buffers already taken");
        exit::exit(exit::FAILURE)
    };
    report_mlp_plan(n_train);
    report_recipe(
        "the mlp:16 metric losses",
        "mlp:16",
        &MLP_METRIC_RECIPE,
        true,
    );
    report_recipe("mlp:16 BCE", "mlp:16", &MLP_BCE_RECIPE, false);
    let run = mlp::fit_and_test(
        &mut prepared,
        mlp_buffers,
        &counter,
        Some(F1),
        &MLP_METRIC_RECIPE,
    )?;
    report_mlp("mlp:16 AnyLoss-F1", &run);
    let run = mlp::fit_and_test(
        &mut prepared,
        mlp_buffers,
        &counter,
        None::<F1>,
        &MLP_BCE_RECIPE,
    )?;
    report_mlp("mlp:16 BCE", &run);

    let Some(field_buffers) =
        cortex_m::singleton!(FIELD_BUFFERS: field::FieldBuffers = field::FieldBuffers::EMPTY)
    else {
        defmt::error!("field buffers already taken");
        exit::exit(exit::FAILURE)
    };
    let Some(flash) =
        cortex_m::singleton!(FLASH_PAGE: [u8; field::BLOB_LEN] = [0; field::BLOB_LEN])
    else {
        defmt::error!("flash page already taken");
        exit::exit(exit::FAILURE)
    };
    report_field_setup();
    match field::run(field_buffers, flash, &counter) {
        Ok(report) => report_field(&report),
        Err(e) => {
            defmt::error!("field scenario failed: {}", e);
            exit::exit(exit::FAILURE)
        }
    }

    report_end();
    Ok(())
}
