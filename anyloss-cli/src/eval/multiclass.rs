//! `anyloss eval --classes C`: the multi-class loss of a CSV `label,p0,...,p{C-1}` (or
//! `label,z0,...,z{C-1}` logits), its per-class entries and its gradient.

use anyloss_core::multiclass::{Averaged, Layout, MulticlassLoss, Objective, Seed};
use anyloss_core::{Amplifier, Average, Error, Input, Metric};
use serde_json::{json, Value};

use super::EvalArgs;
use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::table::Table;

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
pub fn run_args(args: &EvalArgs) -> Result<Value, CliError> {
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
    let table = Table::read(&args.input)?;
    run(&table, classes, metric, average, args.logits, args.l)
}

/// Evaluates `table` (columns `label,p0,...,p{C-1}`, or logits with `logits`) with `classes`
/// classes and returns `{"loss", "per_class":[{"tp","fn","fp","tn"}...], "grad":[[...]...]}`,
/// where `grad[i][c]` is d loss / d (column `c+1` of data row `i`). `average` applies to
/// [`MulticlassMetric::Metric`] only.
pub fn run(
    table: &Table,
    classes: usize,
    metric: MulticlassMetric<'_>,
    average: Average,
    logits: bool,
    l: f32,
) -> Result<Value, CliError> {
    let amplifier = Amplifier::new(l).map_err(|e| CliError::new(format!("--l {l}: {e}")))?;
    let averaged;
    let objective: &dyn Objective = match metric {
        MulticlassMetric::Seed => &Seed::Original,
        MulticlassMetric::SeedNormalized => &Seed::Normalized,
        MulticlassMetric::Metric(m) => {
            averaged = Averaged::new(m, average);
            &averaged
        }
    };
    let loss = MulticlassLoss::new(objective).with_amplifier(amplifier);
    macro_rules! dispatch {
        ($($c:literal)*) => {
            match classes {
                $($c => evaluate::<$c>(table, &loss, logits),)*
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

fn evaluate<const C: usize>(
    table: &Table,
    loss: &MulticlassLoss<&dyn Objective>,
    logits: bool,
) -> Result<Value, CliError> {
    check_header::<C>(table, logits)?;
    let mut labels = Vec::with_capacity(table.rows.len());
    let mut values = Vec::with_capacity(table.rows.len() * C);
    for (r, row) in table.rows.iter().enumerate() {
        let (&label, cells) = row
            .split_first()
            .ok_or_else(|| table.error_at(r, None, "empty row"))?;
        if !(label.fract() == 0.0 && label >= 0.0 && label < C as f64) {
            return Err(table.error_at(
                r,
                Some(1),
                format!("label `{label}` is not a class in 0..{C}"),
            ));
        }
        labels.push(label as u16);
        for (c, &cell) in cells.iter().enumerate() {
            values.push(value(table, r, c, cell, logits)?);
        }
    }
    let layout = Layout::<C>::sample_major(labels.len())
        .map_err(|e| CliError::new(format!("{}: {e}", table.path.display())))?;
    let input = if logits {
        Input::Logits(&values)
    } else {
        Input::Probs(&values)
    };
    let mut grad = vec![0.0f32; values.len()];
    let out = loss
        .loss_and_grad(&layout, &labels, input, &mut grad)
        .map_err(|e| located(table, C, e))?;
    let per_class: Vec<Value> = out
        .confusion
        .classes()
        .iter()
        .map(|c| json!({"tp": c.tp, "fn": c.fn_, "fp": c.fp, "tn": c.tn}))
        .collect();
    let grad: Vec<&[f32]> = grad.chunks(C).collect();
    Ok(json!({
        "loss": out.loss,
        "per_class": per_class,
        "grad": grad,
    }))
}

/// Accepts `label,p0,...` and, with `--logits`, `label,z0,...` as well.
fn check_header<const C: usize>(table: &Table, logits: bool) -> Result<(), CliError> {
    let named = |prefix: &str| -> Vec<String> {
        core::iter::once("label".to_string())
            .chain((0..C).map(|c| format!("{prefix}{c}")))
            .collect()
    };
    let probs = named("p");
    let zs = named("z");
    if table.header == probs || (logits && table.header == zs) {
        return Ok(());
    }
    let expected = if logits {
        format!("`{}` (or `{}`)", zs.join(","), probs.join(","))
    } else {
        format!("`{}`", probs.join(","))
    };
    Err(CliError::at(
        &table.path,
        1,
        None,
        format!(
            "expected the header {expected} for --classes {C}, found `{}`",
            table.header.join(",")
        ),
    ))
}

/// Cell `c` (0-based after the label) of row `r` as an f32 input.
fn value(table: &Table, r: usize, c: usize, cell: f64, logits: bool) -> Result<f32, CliError> {
    let v = cell as f32;
    if !v.is_finite() {
        return Err(table.error_at(r, Some(c + 2), format!("`{cell:e}` overflows f32")));
    }
    if !logits && !(0.0..=1.0).contains(&v) {
        return Err(table.error_at(
            r,
            Some(c + 2),
            format!("probability `{cell}` is outside [0, 1] (use --logits for raw scores)"),
        ));
    }
    Ok(v)
}

/// A core error with the file position of the element it names.
fn located(table: &Table, classes: usize, e: Error) -> CliError {
    match e {
        Error::InvalidLabel { index } => table.error_at(index, Some(1), e),
        Error::NonFinite { index } | Error::ProbabilityOutOfRange { index } => {
            table.error_at(index / classes, Some(index % classes + 2), e)
        }
        _ => CliError::new(format!("{}: {e}", table.path.display())),
    }
}
