//! The checks of the value and weight cells of a row, and of the header that names them,
//! with the file position in errors.

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

/// Checks the header: the columns `named("p")` (or with `logits` `named("z")` as well),
/// then optionally `weight`; returns whether the rows have a weight. `option` names the
/// command-line option that asked for these columns, for the error (`--classes 3`).
pub fn checked_header(
    records: &Records,
    named: impl Fn(&str) -> Vec<String>,
    logits: bool,
    option: &str,
) -> Result<bool, CliError> {
    let probs = named("p");
    let zs = named("z");
    let header = records.header();
    let (columns, weighted) = match header.split_last() {
        Some((last, rest)) if last == "weight" => (rest, true),
        _ => (header, false),
    };
    if columns == probs || (logits && columns == zs) {
        return Ok(weighted);
    }
    let expected = if logits {
        format!("`{}` (or `{}`)", zs.join(","), probs.join(","))
    } else {
        format!("`{}`", probs.join(","))
    };
    let hint = if !logits && columns == zs {
        " (z columns are logits: add --logits)"
    } else {
        ""
    };
    Err(records.error_at(
        1,
        None,
        format!(
            "expected the header {expected}, then optionally `weight`, for {option}; found \
             `{}`{hint}",
            records.header_text()
        ),
    ))
}
