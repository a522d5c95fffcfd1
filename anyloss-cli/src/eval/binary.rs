//! `anyloss eval` on binary data: one probability (or logit) per row, streamed in two
//! passes (the entries of all chunks, then each chunk's gradient).

use std::io::Write;

use anyloss_core::{Amplifier, BinaryLoss, Confusion, Degenerate, Error};
use serde_json::json;

use super::spool::Spool;
use super::{write_json_head, write_values, EvalArgs, CHUNK};
use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::records::Records;

/// Runs `anyloss eval` on binary data (columns `label,prob` or `label,logit`) and writes
/// the JSON to `out`.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let metric = MetricArg::resolve(&args.metric, args.beta, args.alpha)?;
    let amplifier =
        Amplifier::new(args.l).map_err(|e| CliError::new(format!("--l {}: {e}", args.l)))?;
    let mut loss = BinaryLoss::new(metric).with_amplifier(amplifier);
    if let Some(v) = args.fallback {
        loss = loss
            .with_degenerate(Degenerate::Fallback(v))
            .map_err(|e| CliError::new(format!("--fallback {v}: {e}")))?;
    }
    let mut records = Records::open(&args.input)?;
    check_header(&records, args.logits)?;

    // Pass 1: check every row, sum the entries chunk by chunk, keep a compact copy.
    let mut spool = Spool::new(1)?;
    let mut total = Confusion::default();
    let (mut labels, mut values, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    let mut row = Vec::new();
    loop {
        let line = records.next_row(&mut row)?;
        if let Some(line) = line {
            let (label, value) = checked_row(&records, line, &row, args.logits)?;
            spool.push(u16::from(label), &[value])?;
            labels.push(label);
            values.push(value);
            lines.push(line);
        }
        if labels.len() == CHUNK || (line.is_none() && !labels.is_empty()) {
            total += loss
                .confusion(&labels, super::input(&values, args.logits))
                .map_err(|e| located(&records, &lines, e))?;
            labels.clear();
            values.clear();
            lines.clear();
        }
        if line.is_none() {
            break;
        }
    }
    if spool.rows() == 0 {
        return Err(records.no_rows());
    }
    let result = loss.checked_evaluate(&total).map_err(|e| {
        let why = loss
            .metric()
            .overflow_at(&total)
            .map_or(e.to_string(), |o| {
                format!("the metric formula overflows: {o}")
            });
        CliError::new(format!("{}: {why}", records.path().display()))
    })?;
    write_json_head(
        out,
        &json!({
            "metric": loss.metric().name(),
            "loss": result.loss,
            "value": result.metric,
            "tp": total.tp,
            "fn": total.fn_,
            "fp": total.fp,
            "tn": total.tn,
        }),
    )?;

    // Pass 2: each chunk's gradient of the full-data loss.
    let mut rows = spool.finish()?;
    let (mut wide_labels, mut grad) = (Vec::new(), Vec::new());
    let mut first = true;
    while rows.next_chunk(CHUNK, &mut wide_labels, &mut values)? {
        labels.clear();
        labels.extend(wide_labels.iter().map(|&y| y as u8));
        grad.resize(values.len(), 0.0);
        loss.gradient(
            &result,
            &labels,
            super::input(&values, args.logits),
            &mut grad,
        )
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
        write_values(out, &grad, &mut first)?;
    }
    super::write(out, b"]}\n")
}

fn check_header(records: &Records, logits: bool) -> Result<(), CliError> {
    let value_column = if logits { "logit" } else { "prob" };
    if records.header() == ["label", value_column] {
        return Ok(());
    }
    Err(records.error_at(
        1,
        None,
        format!(
            "expected the header `label,{value_column}`{}, found `{}`",
            if logits {
                ""
            } else {
                " (or `label,logit` with --logits)"
            },
            records.header_text()
        ),
    ))
}

/// The label (0 or 1) and the value of a data row.
fn checked_row(
    records: &Records,
    line: u64,
    row: &[f64],
    logits: bool,
) -> Result<(u8, f32), CliError> {
    let (label, cell) = (row[0], row[1]);
    if !(label == 0.0 || label == 1.0) {
        return Err(records.error_at(
            line,
            Some(1),
            format!("label `{label}` is not a class in 0..2 (binary labels are 0 or 1)"),
        ));
    }
    let v = cell as f32;
    if !v.is_finite() {
        return Err(records.error_at(line, Some(2), format!("`{cell:e}` overflows f32")));
    }
    if !logits && !(0.0..=1.0).contains(&v) {
        return Err(records.error_at(
            line,
            Some(2),
            format!("probability `{cell}` is outside [0, 1] (use --logits for raw scores)"),
        ));
    }
    Ok((label as u8, v))
}

/// A core error with the file position of the row it names.
fn located(records: &Records, lines: &[u64], e: Error) -> CliError {
    let at = |index: usize, column: usize| {
        records.error_at(lines.get(index).copied().unwrap_or(0), Some(column), e)
    };
    match e {
        Error::InvalidLabel { index } => at(index, 1),
        Error::NonFinite { index } | Error::ProbabilityOutOfRange { index } => at(index, 2),
        _ => CliError::new(format!("{}: {e}", records.path().display())),
    }
}
