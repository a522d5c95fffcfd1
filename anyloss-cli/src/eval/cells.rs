//! The checks of the value and weight cells of a row, with the file position in errors.

use crate::error::CliError;
use crate::records::Records;

/// The sample weight in the 1-based `column` of the row at `line`: finite in f32 and `>= 0`
/// (the reader has already refused what is not a finite number).
pub fn checked_weight(
    records: &Records,
    line: u64,
    column: usize,
    cell: f64,
) -> Result<f32, CliError> {
    let w = cell as f32;
    if !w.is_finite() {
        return Err(records.error_at(
            line,
            Some(column),
            format!("weight `{cell:e}` overflows f32"),
        ));
    }
    if w < 0.0 {
        return Err(records.error_at(
            line,
            Some(column),
            format!("weight `{cell}` is negative (sample weights are >= 0)"),
        ));
    }
    Ok(w)
}

/// The probability (or with `logits` the logit) in the 1-based `column` of the row at
/// `line`, as an f32 input.
pub fn checked_value(
    records: &Records,
    line: u64,
    column: usize,
    cell: f64,
    logits: bool,
) -> Result<f32, CliError> {
    let v = cell as f32;
    if !v.is_finite() {
        return Err(records.error_at(line, Some(column), format!("`{cell:e}` overflows f32")));
    }
    if !logits && !(0.0..=1.0).contains(&v) {
        return Err(records.error_at(
            line,
            Some(column),
            format!("probability `{cell}` is outside [0, 1] (use --logits for raw scores)"),
        ));
    }
    Ok(v)
}
