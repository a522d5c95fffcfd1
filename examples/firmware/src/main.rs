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
mod field;
mod finetune;
mod formula;
mod icount;
mod loss_cost;
mod mlp;
mod stack;

use cortex_m as _; // the critical-section implementation defmt-semihosting needs
use cortex_m_rt::entry;
use defmt_semihosting as _; // the global defmt logger

use anyloss_core::metrics::F1;
use anyloss_core::Error;
use finetune::{OptimizerKind, Prepared, Recipe, RowBuffers};
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
    optimizer: OptimizerKind::Sgd,
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
    optimizer: OptimizerKind::Sgd,
    mix: 0.0,
    l: 10.0,
    lr: 1.0,
    momentum: 0.0,
    epochs: 500,
    batch: 64,
    warm_start: 0,
};

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
    let n_train = prepared.n_train();
    defmt::info!(
        "fine-tuning: split seed {=u64}, test fraction {=f32}, {=usize} train / {=usize} test rows",
        finetune::SEED,
        finetune::TEST_FRACTION,
        prepared.n_train(),
        prepared.n_test()
    );
    report_recipe("the metric losses", "linear", &METRIC_RECIPE, true);
    report_recipe("BCE", "linear", &BCE_RECIPE, false);
    let f1 = prepared.fit_and_test(Some(F1), &METRIC_RECIPE)?;
    report_scores("AnyLoss-F1", &f1);
    let formula = prepared.fit_and_test(Some(formula::GMeanFormula), &METRIC_RECIPE)?;
    report_scores("formula G-mean", &formula);
    let bce = prepared.fit_and_test(None::<F1>, &BCE_RECIPE)?;
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
/// host for the comparison); `--mix`, `--l` and `--warm-start` only for the metric losses,
/// `--momentum` only for SGD.
fn report_recipe(losses: &str, model: &str, r: &Recipe, metric: bool) {
    let optimizer = r.optimizer.flag();
    match (metric, r.optimizer) {
        (true, OptimizerKind::Sgd) => defmt::info!(
            "host flags of {=str}: --model {=str} --mix {=f32} --l {=f32} --warm-start {=u32} --optimizer {=str} --lr {=f32} --momentum {=f32} --batch {=usize} --epochs {=u32}",
            losses, model, r.mix, r.l, r.warm_start, optimizer, r.lr, r.momentum, r.batch, r.epochs
        ),
        (true, OptimizerKind::Adam) => defmt::info!(
            "host flags of {=str}: --model {=str} --mix {=f32} --l {=f32} --warm-start {=u32} --optimizer {=str} --lr {=f32} --batch {=usize} --epochs {=u32}",
            losses, model, r.mix, r.l, r.warm_start, optimizer, r.lr, r.batch, r.epochs
        ),
        (false, OptimizerKind::Sgd) => defmt::info!(
            "host flags of {=str}: --model {=str} --optimizer {=str} --lr {=f32} --momentum {=f32} --batch {=usize} --epochs {=u32}",
            losses, model, optimizer, r.lr, r.momentum, r.batch, r.epochs
        ),
        (false, OptimizerKind::Adam) => defmt::info!(
            "host flags of {=str}: --model {=str} --optimizer {=str} --lr {=f32} --batch {=usize} --epochs {=u32}",
            losses, model, optimizer, r.lr, r.batch, r.epochs
        ),
    }
}

/// Logs the RAM of an MLP run as anyloss-core's memory plan gives it, part by part, and the
/// size of the static that holds those buffers (`ci.sh` checks it against the linker's
/// figure for `MLP_BUFFERS`).
fn report_mlp_plan(n_train: usize) {
    let p = mlp::PLAN;
    defmt::info!(
        "RAM of mlp:16 training (Adam, chunks of {=usize}): memory plan {=usize} bytes = parameters {=usize} + gradient {=usize} + optimizer {=usize} + activations {=usize} + scratch {=usize} + standardizer {=usize}",
        finetune::CHUNK,
        p.total(),
        p.parameters,
        p.gradient,
        p.optimizer,
        p.activations,
        p.scratch,
        p.standardizer
    );
    defmt::info!(
        "RAM of mlp:16 training: static MLP_BUFFERS holds {=usize} bytes of buffers (aligned to {=usize}); plus the training row indices, {=usize} bytes (shared)",
        core::mem::size_of::<mlp::MlpBuffers>(),
        core::mem::align_of::<mlp::MlpBuffers>(),
        4 * n_train
    );
}

/// Logs an MLP fit: test scores, instructions per training sample per epoch (the objective's
/// epochs, and the BCE warm start's when there is one), stack.
fn report_mlp(loss: &str, run: &mlp::MlpRun) {
    report_scores(loss, &run.scores);
    let [objective, warm] = run.tenths_per_sample;
    if warm > 0 {
        defmt::info!(
            "{=str} training: {=u32}.{=u32} instructions/sample per epoch ({=u32}.{=u32} in the BCE warm-start epochs)",
            loss,
            objective / 10,
            objective % 10,
            warm / 10,
            warm % 10
        );
    } else {
        defmt::info!(
            "{=str} training: {=u32}.{=u32} instructions/sample per epoch",
            loss,
            objective / 10,
            objective % 10
        );
    }
    defmt::info!(
        "stack: {=str} training (Trainer::fit and below) {=usize} bytes",
        loss,
        run.stack
    );
}

/// Logs what the field scenario runs on, and the host's flags for the same fine-tune.
fn report_field_setup() {
    use field::data::{stream, test};
    let positives = |labels: &[u8]| labels.iter().filter(|&&y| y == 1).count();
    defmt::info!(
        "field: drifted stream of {=usize} samples ({=usize} positive), held-out part {=usize} ({=usize} positive); model field/model.bin, mlp:16, {=usize}-byte blob",
        stream::N,
        positives(&stream::LABELS),
        test::N,
        positives(&test::LABELS),
        field::BLOB_LEN
    );
    let r = &field::FINE_TUNE;
    defmt::info!(
        "field: balanced reservoir of {=usize} samples, a fine-tune every {=u32} samples: AnyLoss-F1, Adam, {=u32} epochs of batches of {=usize}",
        field::CAPACITY,
        field::PERIOD,
        r.epochs,
        r.batch
    );
    defmt::info!(
        "host flags of the field fine-tune: --loss f1 --buffer {=usize} --policy balanced --period {=u32} --epochs {=u32} --optimizer {=str} --lr {=f32} --batch {=usize} --mix {=f32} --l {=f32} --seed {=u64}",
        field::CAPACITY,
        field::PERIOD,
        r.epochs,
        r.optimizer.flag(),
        r.lr,
        r.batch,
        r.mix,
        r.l,
        field::BUFFER_SEED
    );
    let p = field::PLAN;
    defmt::info!(
        "RAM of the field learning: plan {=usize} bytes = trainer {=usize} + replay buffer {=usize} + row indices {=usize}; static FIELD_BUFFERS holds {=usize} bytes (aligned to {=usize})",
        p.total(),
        p.training.total(),
        p.buffer,
        p.rows,
        core::mem::size_of::<field::FieldBuffers>(),
        core::mem::align_of::<field::FieldBuffers>()
    );
}

/// Logs the field scenario's outcome.
fn report_field(r: &field::FieldReport) {
    let [negatives, positives] = r.held;
    defmt::info!(
        "field: {=usize} samples ingested, {=u32} fine-tunes ({=u32} stopped by an error); the buffer holds {=u32} negatives and {=u32} positives",
        r.ingested,
        r.fine_tunes,
        r.failed,
        negatives,
        positives
    );
    report_scores("field before fine-tuning", &r.before);
    report_scores("field after fine-tuning", &r.after);
    report_tenths(
        "field: ingest without a fine-tune:",
        r.ingest_tenths,
        "instructions/ingest",
    );
    report_tenths(
        "field: fine-tune on the buffer:",
        r.fine_tune_tenths,
        "instructions/fine-tune",
    );
    defmt::info!(
        "stack: field stream loop (ingest and fine-tunes) {=usize} bytes",
        r.stack
    );
    report_scores("field reloaded from the flash page", &r.reloaded);
    defmt::info!(
        "field: model written to the flash page ({=usize} bytes, CRC-32 {=u32:#010x}) and read back bit-identical",
        r.blob_len,
        r.blob_crc
    );
    defmt::info!(
        "field: the page with one bit flipped is refused as corrupted, and the model is unchanged"
    );
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
