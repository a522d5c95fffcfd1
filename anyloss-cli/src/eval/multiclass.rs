//! `anyloss eval --classes C`: the multi-class loss of a CSV `label,p0,...,p{C-1}` (or
//! `label,z0,...,z{C-1}` logits), its per-class entries and its gradient, streamed in two
//! passes like the binary case.

use std::io::Write;

use anyloss_core::multiclass::{
    Averaged, ClassConfusion, ErrorRate, Layout, MulticlassLoss, Objective,
};
use anyloss_core::{Amplifier, Average, Error, Metric};
use serde_json::{json, Value};

use super::spool::Spool;
use super::{write_json_head, write_values, EvalArgs, CHUNK};
use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::records::Records;

/// The largest class count the CLI supports: the core fixes `C` at compile time, so the CLI
/// carries one instance per supported value.
pub const MAX_CLASSES: usize = 16;

/// What `--metric` selects for multi-class data.
#[derive(Clone, Copy)]
pub enum MulticlassMetric<'a> {
    /// `seed`: the reference code's `Σ_c (FP_c + FN_c) / C`, not normalised by N.
    Seed,
    /// `seed_normalized`: `Σ_c (FP_c + FN_c) / (C·N)`, in [0, 1].
    SeedNormalized,
    /// `1 −` the `--average` of a binary metric over the one-vs-rest classes.
    Metric(&'a dyn Metric),
}

impl<'a> MulticlassMetric<'a> {
    /// The seed objectives by their `--metric` names (`seed`, `seed_normalized`); `None` for
    /// any other name.
    pub fn seed(name: &str) -> Option<Self> {
        match name {
            "seed" => Some(MulticlassMetric::Seed),
            "seed_normalized" => Some(MulticlassMetric::SeedNormalized),
            _ => None,
        }
    }
}

/// `--average`: how per-class values combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AverageArg {
    /// The mean of the per-class metrics.
    Macro,
    /// The metric of the entries summed over classes.
    Micro,
    /// The per-class metrics weighted by support.
    Weighted,
}

impl From<AverageArg> for Average {
    fn from(a: AverageArg) -> Self {
        match a {
            AverageArg::Macro => Average::Macro,
            AverageArg::Micro => Average::Micro,
            AverageArg::Weighted => Average::Weighted,
        }
    }
}

/// `anyloss eval` with `--classes` (or `--average`): resolves the metric and reads the CSV.
pub fn run_args(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(classes) = args.classes else {
        return Err(CliError::new(
            "--average applies to multi-class data: give --classes C as well",
        ));
    };
    if let Some(v) = args.fallback {
        return Err(CliError::new(format!(
            "--fallback {v}: not available with --classes (classes use the default smoothing)"
        )));
    }
    let seed = MulticlassMetric::seed(&args.metric);
    if seed.is_some() && (args.average.is_some() || args.beta.is_some() || args.alpha.is_some()) {
        return Err(CliError::new(format!(
            "--metric {}: the seed objective takes no --average, --beta or --alpha",
            args.metric
        )));
    }
    let resolved;
    let metric = match seed {
        Some(seed) => seed,
        None => {
            resolved = MetricArg::resolve(&args.metric, args.beta, args.alpha)?;
            MulticlassMetric::Metric(&resolved)
        }
    };
    let average = args.average.map_or(Average::Macro, Average::from);
    let records = Records::open(&args.input)?;
    run(records, classes, metric, average, args.logits, args.l, out)
}

/// Evaluates the CSV of `records` (columns `label,p0,...,p{C-1}`, or logits with `logits`)
/// with `classes` classes, in two streamed passes, and writes `{"loss", "per_class":[{"tp",
/// "fn","fp","tn"}...], "grad":[[...]...]}` to `out`, where `grad[i][c]` is d loss / d
/// (column `c+1` of data row `i`). `average` applies to [`MulticlassMetric::Metric`] only.
pub fn run(
    records: Records,
    classes: usize,
    metric: MulticlassMetric<'_>,
    average: Average,
    logits: bool,
    l: f32,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let amplifier = Amplifier::new(l).map_err(|e| CliError::new(format!("--l {l}: {e}")))?;
    let averaged;
    let objective: &dyn Objective = match metric {
        MulticlassMetric::Seed => &ErrorRate::Original,
        MulticlassMetric::SeedNormalized => &ErrorRate::Normalized,
        MulticlassMetric::Metric(m) => {
            averaged = Averaged::new(m, average);
            &averaged
        }
    };
    let loss = MulticlassLoss::new(objective).with_amplifier(amplifier);
    macro_rules! dispatch {
        ($($c:literal)*) => {
            match classes {
                $($c => evaluate::<$c>(records, &loss, logits, out),)*
                0 => Err(CliError::new("--classes 0: at least one class is needed")),
                other => Err(CliError::new(format!(
                    "--classes {other}: the CLI supports at most {MAX_CLASSES} classes \
                     (the anyloss-core library takes any C)"
                ))),
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

/// How far a row of probabilities may sum from 1 before it counts in the warning.
pub const SUM_TOLERANCE: f64 = 0.01;

fn evaluate<const C: usize>(
    mut records: Records,
    loss: &MulticlassLoss<&dyn Objective>,
    logits: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    check_header::<C>(&records, logits)?;
    let layout =
        |rows: usize| Layout::<C>::sample_major(rows).map_err(|e| CliError::new(e.to_string()));

    // Pass 1: check every row, sum the entries chunk by chunk, keep a compact copy.
    let mut spool = Spool::new(C)?;
    let mut total = ClassConfusion::<C>::default();
    let (mut labels, mut values, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    let mut row = Vec::new();
    let mut off_sum = 0u64;
    loop {
        let line = records.next_row(&mut row)?;
        if let Some(line) = line {
            let label = checked_label::<C>(&records, line, row[0])?;
            let start = values.len();
            for (c, &cell) in row[1..].iter().enumerate() {
                values.push(value(&records, line, c, cell, logits)?);
            }
            if !logits && (row[1..].iter().sum::<f64>() - 1.0).abs() > SUM_TOLERANCE {
                off_sum += 1;
            }
            spool.push(label, &values[start..])?;
            labels.push(label);
            lines.push(line);
        }
        if labels.len() == CHUNK || (line.is_none() && !labels.is_empty()) {
            total += loss
                .confusion(
                    &layout(labels.len())?,
                    &labels,
                    super::input(&values, logits),
                )
                .map_err(|e| located(&records, &lines, C, e))?;
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
    if off_sum > 0 {
        eprintln!(
            "anyloss: warning: {}: {off_sum} of {} rows have probabilities that do not sum to 1 \
             (off by more than {SUM_TOLERANCE}); --classes expects softmax outputs, or logits \
             with --logits",
            records.path().display(),
            spool.rows()
        );
    }
    let result = loss
        .checked_evaluate(&total)
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
    let per_class: Vec<Value> = total
        .classes()
        .iter()
        .map(|c| json!({"tp": c.tp, "fn": c.fn_, "fp": c.fp, "tn": c.tn}))
        .collect();
    write_json_head(out, &json!({"loss": result.loss, "per_class": per_class}))?;

    // Pass 2: each chunk's gradient of the full-data loss, one array per row.
    let mut rows = spool.finish()?;
    let mut grad = Vec::new();
    let mut first_row = true;
    while rows.next_chunk(CHUNK, &mut labels, &mut values)? {
        grad.resize(values.len(), 0.0);
        loss.gradient(
            &result,
            &layout(labels.len())?,
            &labels,
            super::input(&values, logits),
            &mut grad,
        )
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
        for g in grad.chunks(C) {
            super::write(
                out,
                if std::mem::take(&mut first_row) {
                    b"["
                } else {
                    b",["
                },
            )?;
            write_values(out, g, &mut true)?;
            super::write(out, b"]")?;
        }
    }
    super::write(out, b"]}\n")
}

fn checked_label<const C: usize>(
    records: &Records,
    line: u64,
    label: f64,
) -> Result<u16, CliError> {
    if label.fract() == 0.0 && label >= 0.0 && label < C as f64 {
        Ok(label as u16)
    } else {
        Err(records.error_at(
            line,
            Some(1),
            format!("label `{label}` is not a class in 0..{C}"),
        ))
    }
}

/// Accepts `label,p0,...` and, with `--logits`, `label,z0,...` as well.
fn check_header<const C: usize>(records: &Records, logits: bool) -> Result<(), CliError> {
    let named = |prefix: &str| -> Vec<String> {
        core::iter::once("label".to_string())
            .chain((0..C).map(|c| format!("{prefix}{c}")))
            .collect()
    };
    let probs = named("p");
    let zs = named("z");
    if records.header() == probs || (logits && records.header() == zs) {
        return Ok(());
    }
    let expected = if logits {
        format!("`{}` (or `{}`)", zs.join(","), probs.join(","))
    } else {
        format!("`{}`", probs.join(","))
    };
    Err(records.error_at(
        1,
        None,
        format!(
            "expected the header {expected} for --classes {C}, found `{}`",
            records.header_text()
        ),
    ))
}

/// Cell `c` (0-based after the label) of the row at `line` as an f32 input.
fn value(records: &Records, line: u64, c: usize, cell: f64, logits: bool) -> Result<f32, CliError> {
    let v = cell as f32;
    if !v.is_finite() {
        return Err(records.error_at(line, Some(c + 2), format!("`{cell:e}` overflows f32")));
    }
    if !logits && !(0.0..=1.0).contains(&v) {
        return Err(records.error_at(
            line,
            Some(c + 2),
            format!("probability `{cell}` is outside [0, 1] (use --logits for raw scores)"),
        ));
    }
    Ok(v)
}

/// A core error with the file position of the element it names.
fn located(records: &Records, lines: &[u64], classes: usize, e: Error) -> CliError {
    let line = |row: usize| lines.get(row).copied().unwrap_or(0);
    match e {
        Error::InvalidLabel { index } => records.error_at(line(index), Some(1), e),
        Error::NonFinite { index } | Error::ProbabilityOutOfRange { index } => {
            records.error_at(line(index / classes), Some(index % classes + 2), e)
        }
        _ => CliError::new(format!("{}: {e}", records.path().display())),
    }
}
