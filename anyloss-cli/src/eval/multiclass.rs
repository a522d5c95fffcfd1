//! `anyloss eval --classes C`: the multi-class loss of a CSV `label,p0,...,p{C-1}` (or
//! `label,z0,...,z{C-1}` logits), optionally with a last column `weight` (a sample weight
//! per row), its per-class entries and its gradient, streamed in two passes like the
//! binary case. `--average none` reports the loss of each class; `--class-weights` weights
//! the classes of the macro and weighted averages.

use std::io::Write;

use anyloss_core::multiclass::{
    Averaged, ClassConfusion, ErrorRate, Layout, MulticlassLoss, MulticlassOutput, Objective,
};
use anyloss_core::{Amplifier, Average, Degenerate, Metric};
use serde_json::{json, Value};

use super::averaging::class_weights_for;
use super::cells::checked_header;
use super::chunk::Chunk;
use super::spool::{split_last, Spool};
use super::{checked_value, checked_weight, write_json_head, write_rows, EvalArgs, CHUNK};
use crate::error::CliError;
use crate::records::Records;

/// The largest class count the CLI supports: the core fixes `C` at compile time, so the CLI
/// carries one instance per supported value.
pub const MAX_CLASSES: usize = 16;

/// The seed objectives' `--metric` names.
const SEEDS: [&str; 2] = ["seed", "seed_normalized"];

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

/// The options of one multi-class evaluation, before `C` is fixed.
pub struct Setup<'a> {
    /// The objective's metric (or a seed objective).
    pub metric: MulticlassMetric<'a>,
    /// The averaging of [`MulticlassMetric::Metric`]; `None` for the per-class losses.
    pub average: Option<Average>,
    /// The policy where a class's metric is undefined; `None` keeps the default smoothing.
    pub degenerate: Option<Degenerate>,
    /// A weight per class in the macro and weighted averages.
    pub class_weights: Option<&'a [f32]>,
    /// The value columns are softmax logits.
    pub logits: bool,
    /// The amplifier steepness `--l`.
    pub l: f32,
}

impl Setup<'_> {
    /// `metric` averaged by `average` under the setup's policy for undefined metrics.
    fn averaged<'m>(
        &self,
        metric: &'m dyn Metric,
        average: Option<Average>,
    ) -> Result<Averaged<&'m dyn Metric>, CliError> {
        let averaged = Averaged::new(metric, average);
        match self.degenerate {
            Some(d) => averaged
                .with_degenerate(d)
                .map_err(|e| CliError::new(format!("--fallback: {e}"))),
            None => Ok(averaged),
        }
    }
}

/// `anyloss eval` with `--classes` (or `--average`): resolves the metric and its options
/// and reads the CSV.
pub fn run_args(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(classes) = args.classes else {
        return Err(CliError::new(
            "--average applies to multi-class or multi-label data: give --classes C or \
             --multilabel C as well",
        ));
    };
    let seed = MulticlassMetric::seed(&args.metric);
    let options = [
        ("--fallback", args.fallback.is_some()),
        ("--average", args.averaging.is_some()),
        ("--class-weights", args.class_weights.is_some()),
        ("--param", !args.parameters.params().is_empty()),
        ("--beta", args.parameters.beta.is_some()),
        ("--alpha", args.parameters.alpha.is_some()),
    ];
    if let (Some(_), Some((flag, _))) = (seed, options.iter().find(|(_, given)| *given)) {
        return Err(CliError::new(format!(
            "--metric {}: the seed objective takes no {flag} (it is no averaged metric: \
             --average, --class-weights, --fallback, --param, --beta and --alpha do not \
             apply)",
            args.metric
        )));
    }
    let resolved;
    let metric = match seed {
        Some(seed) => seed,
        None => {
            resolved = args.metric_arg(&SEEDS)?;
            MulticlassMetric::Metric(&resolved)
        }
    };
    let average = args
        .averaging
        .map_or(Some(Average::Macro), super::Averaging::average);
    let class_weights = class_weights_for(args.class_weights.as_ref(), average, classes)?;
    let degenerate = args.degenerate()?;
    let records = Records::open(&args.input)?;
    let setup = Setup {
        metric,
        average,
        degenerate,
        class_weights,
        logits: args.logits,
        l: args.l,
    };
    run(records, classes, &setup, out)
}

/// Evaluates the CSV of `records` (columns `label,p0,...,p{C-1}`, or logits with
/// `setup.logits`, then optionally `weight`) with `classes` classes, in two streamed
/// passes, and writes `{"loss", "per_class":[{"tp","fn","fp","tn"}...], "grad":[[...]...]}`
/// to `out`, where `grad[i][c]` is d loss / d (column `c+1` of data row `i`) and, with
/// `setup.average` `None`, `"loss"` is the list of per-class losses.
pub fn run(
    records: Records,
    classes: usize,
    setup: &Setup<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let amplifier =
        Amplifier::new(setup.l).map_err(|e| CliError::new(format!("--l {}: {e}", setup.l)))?;
    macro_rules! dispatch {
        ($($c:literal)*) => {
            match classes {
                $($c => evaluate::<$c>(records, setup, amplifier, out),)*
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
    records: Records,
    setup: &Setup<'_>,
    amplifier: Amplifier,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (equal, weighted);
    let objective: &dyn Objective = match setup.metric {
        MulticlassMetric::Seed => &ErrorRate::Original,
        MulticlassMetric::SeedNormalized => &ErrorRate::Normalized,
        MulticlassMetric::Metric(m) => match setup.class_weights {
            None => {
                equal = setup.averaged(m, setup.average)?;
                &equal
            }
            Some(w) => {
                let mut weights = [0.0f32; C];
                weights.copy_from_slice(w);
                weighted = setup
                    .averaged(m, setup.average)?
                    .with_class_weights(weights)
                    .map_err(|e| CliError::new(format!("--class-weights: {e}")))?;
                &weighted
            }
        },
    };
    let loss = MulticlassLoss::new(objective).with_amplifier(amplifier);
    let per_class = match (setup.metric, setup.average) {
        (MulticlassMetric::Metric(m), None) => Some(setup.averaged(m, None)?),
        _ => None,
    };
    let per_class = |total: &ClassConfusion<C>| per_class.map(|a| a.per_class(total));
    stream::<C>(records, &loss, per_class, setup.logits, out)
}

/// The two passes over the rows of `records` with `loss`; `per_class` gives the per-class
/// losses that replace the loss in the output (`--average none`).
fn stream<const C: usize>(
    mut records: Records,
    loss: &MulticlassLoss<&dyn Objective>,
    per_class: impl Fn(&ClassConfusion<C>) -> Option<[f32; C]>,
    logits: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let weighted = check_header::<C>(&records, logits)?;
    let layout =
        |rows: usize| Layout::<C>::sample_major(rows).map_err(|e| CliError::new(e.to_string()));

    // Pass 1: check every row, sum the entries chunk by chunk, keep a compact copy (the
    // values, then the weight if any).
    let mut spool = Spool::new(C + usize::from(weighted))?;
    let mut chunk = Chunk::new(1, C, weighted, logits);
    let mut stored = Vec::with_capacity(C + 1);
    let mut off_sum = 0u64;
    let total: ClassConfusion<C> = chunk.sum_all(
        &mut records,
        |records, line, row, chunk| {
            let label = checked_label::<C>(records, line, row[0])?;
            stored.clear();
            for (c, &cell) in row[1..=C].iter().enumerate() {
                stored.push(checked_value(records, line, c + 2, cell, logits)?);
            }
            if !logits && (row[1..=C].iter().sum::<f64>() - 1.0).abs() > SUM_TOLERANCE {
                off_sum += 1;
            }
            chunk.values.extend_from_slice(&stored);
            if weighted {
                let w = checked_weight(records, line, C + 2, row[C + 1])?;
                stored.push(w);
                chunk.weights.push(w);
            }
            spool.push(label, &stored)?;
            chunk.labels.push(label);
            Ok(())
        },
        |labels, input, weights| {
            let layout = Layout::<C>::sample_major(labels.len())?;
            match weights {
                Some(w) => loss.confusion_weighted(&layout, labels, input, w),
                None => loss.confusion(&layout, labels, input),
            }
        },
    )?;
    if off_sum > 0 {
        eprintln!(
            "anyloss: warning: {}: {off_sum} of {} rows have probabilities that do not sum to 1 \
             (off by more than {SUM_TOLERANCE}); --classes expects softmax outputs, or logits \
             with --logits",
            records.path().display(),
            spool.rows()
        );
    }
    let result: MulticlassOutput<C> = loss
        .checked_evaluate(&total)
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
    let entries: Vec<Value> = total
        .classes()
        .iter()
        .map(|c| json!({"tp": c.tp, "fn": c.fn_, "fp": c.fp, "tn": c.tn}))
        .collect();
    let loss_value = match per_class(&total) {
        Some(losses) => json!(losses.as_slice()),
        None => json!(result.loss),
    };
    write_json_head(out, &json!({"loss": loss_value, "per_class": entries}))?;

    // Pass 2: each chunk's gradient of the full-data loss, one array per row.
    let mut rows = spool.finish()?;
    let (mut labels, mut values, mut weights) = chunk.into_buffers();
    let mut grad = Vec::new();
    let mut first_row = true;
    while rows.next_chunk(CHUNK, &mut labels, &mut values)? {
        if weighted {
            split_last(&mut values, C, &mut weights);
        }
        grad.resize(values.len(), 0.0);
        let (layout, input) = (layout(labels.len())?, super::input(&values, logits));
        if weighted {
            loss.gradient_weighted(&result, &layout, &labels, input, &weights, &mut grad)
        } else {
            loss.gradient(&result, &layout, &labels, input, &mut grad)
        }
        .map_err(|e| CliError::new(format!("{}: {e}", records.path().display())))?;
        write_rows(out, &grad, C, &mut first_row)?;
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

/// Accepts `label,p0,...` and, with `--logits`, `label,z0,...` as well, then optionally
/// `weight`; returns whether the rows have a weight.
fn check_header<const C: usize>(records: &Records, logits: bool) -> Result<bool, CliError> {
    let named = |prefix: &str| -> Vec<String> {
        core::iter::once("label".to_string())
            .chain((0..C).map(|c| format!("{prefix}{c}")))
            .collect()
    };
    checked_header(records, named, logits, &format!("--classes {C}"))
}
