//! `anyloss eval`: loss, confusion entries and gradient of a CSV of labels and outputs.
//!
//! | data | file |
//! |---|---|
//! | one probability or logit per row | [`binary`] |
//! | `--classes C`: one row of C probabilities or logits | [`multiclass`] |

pub mod binary;
pub mod multiclass;

use std::path::PathBuf;

use anyloss_core::Amplifier;
use clap::Args;

use crate::error::CliError;

const EXAMPLES: &str = "\
Examples:
  # F1 loss and d loss/d prob of each row of a CSV with columns label,prob
  anyloss eval --metric f1 --input examples/eval/binary.csv

  # F2 on logits (columns label,logit), a gentler amplifier
  anyloss eval --metric fbeta --beta 2 --logits --l 10 --input scores.csv

  # Any metric as a formula, with its exact gradient
  anyloss eval --metric 'sqrt(TP/(TP+FN) * TN/(TN+FP))' --input examples/eval/binary.csv

  # Multi-class: macro-F1 over 3 one-vs-rest classes of a CSV label,p0,p1,p2
  anyloss eval --metric f1 --classes 3 --average macro --input probs.csv

  # The reference code's objective sum_c (FP_c+FN_c)/C on softmax logits label,z0,...,z9
  anyloss eval --metric seed --classes 10 --logits --input logits.csv

Output: one JSON object {\"metric\",\"loss\",\"tp\",\"fn\",\"fp\",\"tn\",\"grad\":[...]}, where
grad[i] is d loss / d (the prob or logit of data row i). With --classes: {\"loss\",
\"per_class\":[{\"tp\",\"fn\",\"fp\",\"tn\"}...],\"grad\":[[...]...]}, grad[i][c] for column p<c> of row i.";

/// Arguments of `anyloss eval`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct EvalArgs {
    /// The metric: accuracy, precision, recall, specificity, f1, fbeta, jaccard, tversky,
    /// balanced_accuracy, gmean, informedness, markedness, fowlkes_mallows, mcc, cohen_kappa;
    /// or any formula of TP, FN, FP, TN (see `anyloss check --help`).
    #[arg(long)]
    pub metric: String,
    /// CSV with a header and columns `label,prob` (or `label,logit` with --logits).
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

/// Runs `anyloss eval` and returns the JSON it prints.
pub fn run(args: &EvalArgs) -> Result<serde_json::Value, CliError> {
    if args.classes.is_some() || args.average.is_some() {
        multiclass::run_args(args)
    } else {
        binary::run(args)
    }
}
