//! `anyloss eval` on binary data: one probability (or logit) per row and optionally a
//! sample weight, streamed in two passes (the entries of all chunks, then each chunk's
//! gradient).

use std::io::Write;

use anyloss_core::{BinaryLoss, Confusion};
use serde_json::json;

use super::chunk::Chunk;
use super::spool::{split_last, Spool};
use super::{checked_weight, write_json_head, write_values, EvalArgs, CHUNK};
use crate::error::CliError;
use crate::records::Records;

/// Runs `anyloss eval` on binary data (columns `label,prob` or `label,logit`, then
/// optionally `weight`) and writes the JSON to `out`.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let metric = args.metric_arg(&[])?;
    let mut loss = BinaryLoss::new(metric).with_amplifier(super::amplifier(args)?);
    if let Some(d) = args.degenerate()? {
        loss = loss
            .with_degenerate(d)
            .map_err(|e| CliError::new(format!("--fallback: {e}")))?;
    }
    let mut records = Records::open(&args.input)?;
    let weighted = check_header(&records, args.logits)?;

    // Pass 1: check every row, sum the entries chunk by chunk, keep a compact copy (the
    // weight, if any, after the value).
    let mut spool = Spool::new(1 + usize::from(weighted))?;
    let mut chunk = Chunk::new(1, 1, weighted, args.logits);
    let total: Confusion = chunk.sum_all(
        &mut records,
        |records, line, row, chunk| {
            let (label, value) = checked_row(records, line, row, args.logits)?;
            if weighted {
                let w = checked_weight(records, line, 3, row[2])?;
                spool.push(u16::from(label), &[value, w])?;
                chunk.weights.push(w);
            } else {
                spool.push(u16::from(label), &[value])?;
            }
            chunk.labels.push(label);
            chunk.values.push(value);
            Ok(())
        },
        |labels, input, weights| match weights {
            Some(w) => loss.confusion_weighted(labels, input, w),
            None => loss.confusion(labels, input),
        },
    )?;
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
    let (mut labels, mut values, mut weights) = chunk.into_buffers();
    let (mut wide_labels, mut grad) = (Vec::new(), Vec::new());
    let mut first = true;
    while rows.next_chunk(CHUNK, &mut wide_labels, &mut values)? {
        labels.clear();
        labels.extend(wide_labels.iter().map(|&y| y as u8));
        grad.resize(labels.len(), 0.0);
        if weighted {
            split_last(&mut values, 1, &mut weights);
        }
        let input = super::input(&values, args.logits);
        if weighted {
            loss.gradient_weighted(&result, &labels, input, &weights, &mut grad)
        } else {
            loss.gradient(&result, &labels, input, &mut grad)
        }
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
        write_values(out, &grad, &mut first)?;
    }
    super::write(out, b"]}\n")
}

/// Checks the header, `label,prob` or `label,logit` (with `logits`), then optionally
/// `weight`; returns whether the rows have a weight.
fn check_header(records: &Records, logits: bool) -> Result<bool, CliError> {
    let value_column = if logits { "logit" } else { "prob" };
    match records.header() {
        [label, value] if label == "label" && value == value_column => return Ok(false),
        [label, value, weight]
            if label == "label" && value == value_column && weight == "weight" =>
        {
            return Ok(true)
        }
        _ => {}
    }
    Err(records.error_at(
        1,
        None,
        format!(
            "expected the header `label,{value_column}` or `label,{value_column},weight`{}, \
             found `{}`",
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
    let v = super::checked_value(records, line, 2, cell, logits)?;
    Ok((label as u8, v))
}
