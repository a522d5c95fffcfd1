//! `anyloss eval --multilabel C`: `C` independent binary labels per row, CSV columns
//! `y0,...,y{C-1},p0,...,p{C-1}` (or logits `z0,...`, a sigmoid each) and optionally a
//! last column `weight`; the averaged (or per-class) loss, the per-class entries and the
//! gradient, streamed in two passes like the binary case.
//!
//! The core's [`MultilabelLoss`] fixes `C` at compile time: the CLI carries one instance
//! per `C` up to [`MAX_LABELS`], and the spool keeps a row's labels as the bits of its
//! `u16` label.

use std::io::Write;

use anyloss_core::multilabel::{LabelConfusion, MultilabelLoss, MultilabelOutput};
use anyloss_core::{Amplifier, Average, Degenerate};
use serde_json::{json, Value};

use super::averaging::class_weights_for;
use super::cells::checked_header;
use super::chunk::Chunk;
use super::spool::{split_last, Spool};
use super::{checked_value, checked_weight, write_json_head, write_rows, EvalArgs, CHUNK};
use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::records::Records;

/// The most labels per row the CLI takes (the bits of the spool's `u16` label); the
/// anyloss-core library takes any `C`.
pub const MAX_LABELS: usize = 16;

/// Runs `anyloss eval --multilabel C` and writes the JSON to `out`.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(labels) = args.multilabel else {
        return Err(CliError::new("--multilabel C is needed"));
    };
    let metric = args.metric_arg(&[])?;
    let amplifier = super::amplifier(args)?;
    let average = args
        .averaging
        .map_or(Some(Average::Macro), super::Averaging::average);
    let class_weights = class_weights_for(args.class_weights.as_ref(), average, labels)?;
    let degenerate = args.degenerate()?;
    let records = Records::open(&args.input)?;
    let setup = Setup {
        metric: &metric,
        average,
        amplifier,
        degenerate,
        class_weights,
        logits: args.logits,
    };
    macro_rules! dispatch {
        ($($c:literal)*) => {
            match labels {
                $($c => evaluate::<$c>(records, &setup, out),)*
                0 => Err(CliError::new("--multilabel 0: at least one label is needed")),
                other => Err(CliError::new(format!(
                    "--multilabel {other}: the CLI supports at most {MAX_LABELS} labels \
                     (the anyloss-core library takes any C)"
                ))),
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

/// The options of one evaluation, before `C` is fixed.
struct Setup<'a> {
    metric: &'a MetricArg,
    average: Option<Average>,
    amplifier: Amplifier,
    degenerate: Option<Degenerate>,
    class_weights: Option<&'a [f32]>,
    logits: bool,
}

impl Setup<'_> {
    fn loss<const C: usize>(&self) -> Result<MultilabelLoss<&MetricArg, C>, CliError> {
        let mut loss =
            MultilabelLoss::<_, C>::new(self.metric, self.average).with_amplifier(self.amplifier);
        if let Some(d) = self.degenerate {
            loss = loss
                .with_degenerate(d)
                .map_err(|e| CliError::new(format!("--fallback: {e}")))?;
        }
        if let Some(w) = self.class_weights {
            let mut weights = [0.0f32; C];
            weights.copy_from_slice(w);
            loss = loss
                .with_class_weights(weights)
                .map_err(|e| CliError::new(format!("--class-weights: {e}")))?;
        }
        Ok(loss)
    }
}

fn evaluate<const C: usize>(
    mut records: Records,
    setup: &Setup<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let loss = setup.loss::<C>()?;
    let logits = setup.logits;
    let weighted = check_header::<C>(&records, logits)?;

    // Pass 1: check every row, sum the entries chunk by chunk, keep a compact copy (the
    // labels as bits, the values, then the weight if any).
    let mut spool = Spool::new(C + usize::from(weighted))?;
    let mut chunk = Chunk::new(C, C, weighted, logits);
    let mut stored = Vec::with_capacity(C + 1);
    let total: LabelConfusion<C> = chunk.sum_all(
        &mut records,
        |records, line, row, chunk| {
            let mut bits = 0u16;
            for (c, &y) in row[..C].iter().enumerate() {
                if !(y == 0.0 || y == 1.0) {
                    return Err(records.error_at(
                        line,
                        Some(c + 1),
                        format!("label `{y}` of y{c} is not 0 or 1"),
                    ));
                }
                chunk.labels.push(y as u8);
                bits |= u16::from(y == 1.0) << c;
            }
            stored.clear();
            for (c, &cell) in row[C..2 * C].iter().enumerate() {
                stored.push(checked_value(records, line, C + c + 1, cell, logits)?);
            }
            chunk.values.extend_from_slice(&stored);
            if weighted {
                let w = checked_weight(records, line, 2 * C + 1, row[2 * C])?;
                stored.push(w);
                chunk.weights.push(w);
            }
            spool.push(bits, &stored)?;
            Ok(())
        },
        |labels, input, weights| match weights {
            Some(w) => loss.confusion_weighted(labels, input, w),
            None => loss.confusion(labels, input),
        },
    )?;
    let result = loss.evaluate(&total);
    check_finite(&records, setup.metric, &result)?;
    let per_class: Vec<Value> = total
        .classes
        .iter()
        .map(|c| json!({"tp": c.tp, "fn": c.fn_, "fp": c.fp, "tn": c.tn}))
        .collect();
    let loss_value = match setup.average {
        Some(_) => json!(result.loss),
        None => json!(result.per_class.as_slice()),
    };
    write_json_head(out, &json!({"loss": loss_value, "per_class": per_class}))?;

    // Pass 2: each chunk's gradient of the full-data loss, one array per row.
    let mut rows = spool.finish()?;
    let (mut labels, mut values, mut weights) = chunk.into_buffers();
    let (mut bits, mut grad) = (Vec::new(), Vec::new());
    let mut first_row = true;
    while rows.next_chunk(CHUNK, &mut bits, &mut values)? {
        if weighted {
            split_last(&mut values, C, &mut weights);
        }
        labels.clear();
        labels.extend(
            bits.iter()
                .flat_map(|&b| (0..C).map(move |c| ((b >> c) & 1) as u8)),
        );
        grad.resize(values.len(), 0.0);
        loss.gradient(
            &result,
            &labels,
            super::input(&values, logits),
            weighted.then_some(&weights[..]),
            &mut grad,
        )
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
        write_rows(out, &grad, C, &mut first_row)?;
    }
    super::write(out, b"]}\n")
}

/// A metric that overflows at some label's entries (or the pooled ones) is an error
/// naming them, not a NaN in the output.
fn check_finite<const C: usize>(
    records: &Records,
    metric: &MetricArg,
    result: &MultilabelOutput<C>,
) -> Result<(), CliError> {
    let finite = result.loss.is_finite()
        && result.per_class.iter().all(|l| l.is_finite())
        && result
            .coefficients
            .iter()
            .all(|k| k.positive.is_finite() && k.negative.is_finite());
    if finite {
        return Ok(());
    }
    let classes = &result.confusion.classes;
    let pooled = classes.iter().copied().sum();
    let why = classes
        .iter()
        .enumerate()
        .find_map(|(c, e)| metric.overflow_at(e).map(|o| format!("label {c}: {o}")))
        .or_else(|| {
            metric
                .overflow_at(&pooled)
                .map(|o| format!("the pooled entries: {o}"))
        })
        .unwrap_or_else(|| "the loss is not finite".to_string());
    Err(CliError::new(format!(
        "{}: the metric formula overflows at {why}",
        records.path().display()
    )))
}

/// Checks the header `y0,...,y{C-1},p0,...,p{C-1}` (with `logits`, `z0,...` as well),
/// then optionally `weight`; returns whether the rows have a weight.
fn check_header<const C: usize>(records: &Records, logits: bool) -> Result<bool, CliError> {
    let named = |prefix: &str| -> Vec<String> {
        (0..C)
            .map(|c| format!("y{c}"))
            .chain((0..C).map(|c| format!("{prefix}{c}")))
            .collect()
    };
    checked_header(records, named, logits, &format!("--multilabel {C}"))
}
