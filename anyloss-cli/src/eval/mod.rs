//! `anyloss eval`: loss, confusion entries and gradient of a CSV of labels and outputs.
//!
//! | data | file |
//! |---|---|
//! | one probability or logit per row | [`binary`] |
//! | `--classes C`: one row of C probabilities or logits | [`multiclass`] |

pub mod binary;
pub mod multiclass;
pub mod spool;

use std::io::Write;
use std::path::PathBuf;

use anyloss_core::Amplifier;
use clap::Args;

use crate::error::CliError;

const EXAMPLES: &str = "\
Examples:
  # F1 loss and d loss/d prob of each row of a CSV with columns label,prob
  anyloss eval --metric f1 --input examples/eval/binary.csv

  # F2 on logits (columns label,logit), a gentler amplifier
  anyloss eval --metric fbeta --beta 2 --logits --l 10 --input examples/eval/scores.csv

  # Any metric as a formula, with its exact gradient
  anyloss eval --metric 'sqrt(TP/(TP+FN) * TN/(TN+FP))' --input examples/eval/binary.csv

  # Multi-class: macro-F1 over 3 one-vs-rest classes of a CSV label,p0,p1,p2
  anyloss eval --metric f1 --classes 3 --average macro --input examples/eval/probs3.csv

  # The reference code's objective sum_c (FP_c+FN_c)/C on softmax logits label,z0,...,z9
  anyloss eval --metric seed --classes 10 --logits --input examples/eval/logits10.csv

Output: one JSON object {\"metric\",\"loss\",\"value\",\"tp\",\"fn\",\"fp\",\"tn\",\"grad\":[...]},
where grad[i] is d loss / d (the prob or logit of data row i). With --classes: {\"loss\",
\"per_class\":[{\"tp\",\"fn\",\"fp\",\"tn\"}...],\"grad\":[[...]...]}, grad[i][c] for column p<c> of row i.

Input: `--input -` reads standard input. Lines are limited to 1 MiB. Any number of rows:
eval reads them once, keeps a compact binary copy (a temporary file) for the gradient
pass, and writes the JSON as it goes, so memory stays a few MB. With --classes, rows of
probabilities should be softmax outputs: rows whose sum is off 1 by more than 0.01 are
evaluated as given, and a warning on stderr counts them.";

/// Arguments of `anyloss eval`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct EvalArgs {
    /// The metric: accuracy, precision, recall, specificity, f1, fbeta, jaccard, tversky,
    /// balanced_accuracy, gmean, informedness, markedness, fowlkes_mallows, mcc, cohen_kappa;
    /// or any formula of TP, FN, FP, TN (see `anyloss check --help`).
    #[arg(long)]
    pub metric: String,
    /// CSV with a header and columns `label,prob` (or `label,logit` with --logits); `-` reads
    /// standard input.
    #[arg(long)]
    pub input: PathBuf,
    /// Amplifier steepness L (finite, > 0).
    #[arg(long, default_value_t = Amplifier::DEFAULT_L)]
    pub l: f32,
    /// beta of fbeta (default 1) or tversky (weight of false negatives, default 0.5).
    #[arg(long)]
    pub beta: Option<f64>,
    /// alpha of tversky (weight of false positives, default 0.5).
    #[arg(long)]
    pub alpha: Option<f64>,
    /// The second column holds logits z, with p = sigmoid(z); grad is d loss / d z.
    #[arg(long)]
    pub logits: bool,
    /// Where the metric is undefined (e.g. recall on a batch without positives), take this
    /// value with zero gradient instead of the default smoothing (one pseudo-count per cell).
    #[arg(long)]
    pub fallback: Option<f32>,
    /// Multi-class: C classes, CSV columns `label,p0,...,p{C-1}` (with --logits, softmax
    /// logits `label,z0,...`); METRIC may also be `seed` (the reference code's
    /// sum_c (FP_c+FN_c)/C) or `seed_normalized` (divided by N too).
    #[arg(long)]
    pub classes: Option<usize>,
    /// With --classes: how per-class values combine (default macro).
    #[arg(long, value_enum)]
    pub average: Option<multiclass::AverageArg>,
}

/// Rows per chunk of either pass: bounds the memory of `eval` whatever the input's length.
pub const CHUNK: usize = 1 << 15;

/// Runs `anyloss eval` and writes its JSON to `out` as it goes.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.classes.is_some() || args.average.is_some() {
        multiclass::run_args(args, out)
    } else {
        binary::run(args, out)
    }
}

/// The values of a chunk as probabilities, or as logits with `logits`.
fn input(values: &[f32], logits: bool) -> anyloss_core::Input<'_> {
    if logits {
        anyloss_core::Input::Logits(values)
    } else {
        anyloss_core::Input::Probs(values)
    }
}

/// Writes `bytes` to the output.
fn write(out: &mut dyn Write, bytes: &[u8]) -> Result<(), CliError> {
    out.write_all(bytes).map_err(output_error)
}

fn output_error(e: std::io::Error) -> CliError {
    CliError::new(format!("cannot write to stdout: {e}"))
}

/// Writes the fields of the object `head` and opens the `grad` array after them.
fn write_json_head(out: &mut dyn Write, head: &serde_json::Value) -> Result<(), CliError> {
    let text = head.to_string();
    let fields = text.strip_suffix('}').unwrap_or(&text);
    write(out, fields.as_bytes())?;
    write(out, b",\"grad\":[")
}

/// Writes `values` as JSON numbers, each preceded by a comma unless it is the `first` of
/// the array.
fn write_values(out: &mut dyn Write, values: &[f32], first: &mut bool) -> Result<(), CliError> {
    for v in values {
        if !std::mem::take(first) {
            write(out, b",")?;
        }
        serde_json::to_writer(&mut *out, v).map_err(|e| output_error(e.into()))?;
    }
    Ok(())
}
