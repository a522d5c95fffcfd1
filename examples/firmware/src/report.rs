//! The firmware's own log lines: MLP and field figures, RAM plans, and the host flags
//! `ci.sh` passes to `anyloss train` and `anyloss finetune` for the host-versus-device
//! comparisons (the lines both firmwares print are `anyloss_firmware_common::report`'s).

use anyloss_firmware_common::finetune::{OptimizerKind, Recipe, CHUNK};
use anyloss_firmware_common::report::{report_scores, report_tenths};

use crate::{field, mlp};

/// Logs a recipe as the flags of `anyloss train` that select it (`ci.sh` passes them to the
/// host for the comparison); `--mix`, `--l` and `--warm-start` only for the metric losses,
/// `--momentum` only for SGD.
pub fn report_recipe(losses: &str, model: &str, r: &Recipe, metric: bool) {
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
pub fn report_mlp_plan(n_train: usize) {
    let p = mlp::PLAN;
    defmt::info!(
        "RAM of mlp:16 training (Adam, chunks of {=usize}): memory plan {=usize} bytes = parameters {=usize} + gradient {=usize} + optimizer {=usize} + activations {=usize} + scratch {=usize} + standardizer {=usize}",
        CHUNK,
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
pub fn report_mlp(loss: &str, run: &mlp::MlpRun) {
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
pub fn report_field_setup() {
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
pub fn report_field(r: &field::FieldReport) {
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
