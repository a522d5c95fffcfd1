//! Log lines both firmwares print, in the formats `ci.sh` and the snapshots read.

use anyloss_core::train::Scores;

use crate::stack;

/// Logs the test scores of one fit, to 4 decimals: `test <loss>: F1 <f1> G-mean <gmean>`.
pub fn report_scores(loss: &str, scores: &Scores) {
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
pub fn ten_thousandths(x: f32) -> u32 {
    (x * 10_000.0 + 0.5) as u32
}

/// Logs `value` tenths as `<label> <int>.<frac> <unit>`.
pub fn report_tenths(label: &str, value: u32, unit: &str) {
    defmt::info!(
        "{=str} {=u32}.{=u32} {=str}",
        label,
        value / 10,
        value % 10,
        unit
    );
}

/// Logs the last lines of a run: the stack's peak since reset, the heap (none), `done`.
pub fn report_end() {
    defmt::info!(
        "stack: peak of the whole firmware {=usize} bytes",
        stack::peak_since_reset()
    );
    defmt::info!(
        "heap: 0 bytes (no #[global_allocator]; a dependency needing alloc fails to link)"
    );
    defmt::info!("done");
}
