//! Fine-tuning a logistic head on the embedded dataset with AnyLoss-F1, once on each path,
//! with the split, seed and recipe of the Cortex-M4F firmware (`anyloss train`'s defaults for
//! a metric loss, `anyloss_firmware_common::finetune`): the f32 path's objective
//! (`BinaryObjective`) against the fixed-point path's (`FixedObjective`), same split, same
//! seed, same steps; both test F1 scores are printed.
//!
//! The data stays in flash; every buffer is a fixed array, and nothing is allocated.

use anyloss_core::fixed::{FixedLoss, FixedObjective};
use anyloss_core::metrics::F1;
use anyloss_core::train::{BinaryObjective, HeadShape};
use anyloss_core::{Amplifier, BinaryLoss, Error};
use anyloss_firmware_common::finetune::{
    Prepared, RowBuffers, CHUNK, METRIC_RECIPE, SEED, TEST_FRACTION,
};
use anyloss_firmware_common::report::{report_scores, ten_thousandths};

use crate::dataset::{F, FEATURES, LABELS, N};

/// Parameters of the logistic head: `F` weights and a bias.
const P: usize = HeadShape::linear(F, 1).params();

/// Splits the data, fits with AnyLoss-F1 on each path, and logs both test scores and their
/// difference.
pub fn run() -> Result<(), Error> {
    let Some(rows) = cortex_m::singleton!(: RowBuffers<N> = RowBuffers::ZERO) else {
        return Err(Error::Empty);
    };
    let mut prepared = Prepared::new(rows, &FEATURES, &LABELS)?;
    let recipe = &METRIC_RECIPE;
    defmt::info!(
        "fine-tuning: split seed {=u64}, test fraction {=f32}, {=usize} train / {=usize} test rows; AnyLoss-F1, L {=f32}, SGD lr {=f32}, batch {=usize}, {=u32} epochs ({=u32} of BCE first)",
        SEED, TEST_FRACTION, prepared.n_train(), prepared.n_test(), recipe.l, recipe.lr, CHUNK, recipe.epochs, recipe.warm_start
    );

    let amplifier = Amplifier::new(recipe.l)?;
    let float = BinaryObjective::hybrid(BinaryLoss::new(F1).with_amplifier(amplifier), recipe.mix)?;
    let float = prepared.fit_logistic::<_, P>(float, recipe)?;
    report_scores("AnyLoss-F1, f32 path", &float);
    let fixed = FixedObjective::hybrid(FixedLoss::new(F1).with_amplifier(amplifier), recipe.mix)?;
    let fixed = prepared.fit_logistic::<_, P>(fixed, recipe)?;
    report_scores("AnyLoss-F1, fixed-point path", &fixed);
    let gap = ten_thousandths(anyloss_core::math::abs(fixed.f1 - float.f1));
    defmt::info!(
        "test F1 difference, fixed-point vs f32 path: {=u32}.{=u32:04} (goal <= 0.02)",
        gap / 10_000,
        gap % 10_000
    );
    Ok(())
}
