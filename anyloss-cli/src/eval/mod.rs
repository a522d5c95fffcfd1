//! `anyloss eval`: loss, confusion entries and gradient of a CSV of labels and outputs.
//!
//! | data | file |
//! |---|---|
//! | one probability or logit per row, optionally a weight | [`binary`] |
//! | `--classes C`: one row of C probabilities or logits | [`multiclass`] |
//! | `--multilabel C`: C labels, then C probabilities or logits per row | [`multilabel`] |
//! | `--average`, `--class-weights` | [`averaging`] |
//! | checks of value and weight cells | [`cells`] |
//! | the copy of the rows between the two passes | [`spool`] |

pub mod averaging;
pub mod binary;
pub mod cells;
pub mod chunk;
pub mod multiclass;
pub mod multilabel;
pub mod spool;

pub use averaging::{parse_class_weights, Averaging, ClassWeights};
pub use cells::{checked_value, checked_weight};

use std::io::Write;
use std::path::PathBuf;

use anyloss_core::{Amplifier, Degenerate};
use clap::Args;

use crate::error::CliError;
use crate::metric_arg::MetricArg;
use crate::param::MetricParams;

const EXAMPLES: &str = "\
Examples:
  # F1 loss and d loss/d prob of each row of a CSV with columns label,prob
  anyloss eval --metric f1 --input examples/eval/binary.csv

  # F2 on logits (columns label,logit), a gentler amplifier
  anyloss eval --metric fbeta --beta 2 --logits --l 10 --input examples/eval/scores.csv

  # Any metric as a formula, with its exact gradient; --param binds its parameters
  anyloss eval --metric 'sqrt(TP/(TP+FN) * TN/(TN+FP))' --input examples/eval/binary.csv
  anyloss eval --metric 'TP/(TP + gamma*FN + FP)' --param gamma=2 --input examples/eval/binary.csv

  # Sample weights (columns label,prob,weight) and a decision threshold of 0.3
  anyloss eval --metric f1 --threshold 0.3 --input examples/data/pima_weighted.csv

  # Multi-label: 4 tags per row (columns y0..y3,p0..p3), the loss of each tag
  anyloss eval --metric f1 --multilabel 4 --average none --input examples/data/pima_multilabel.csv

  # ... and their macro average with tag 0 weighted twice
  anyloss eval --metric f1 --multilabel 4 --class-weights 2,1,1,1 \\
      --input examples/data/pima_multilabel.csv

  # Multi-class: macro-F1 over 3 one-vs-rest classes of a CSV label,p0,p1,p2
  anyloss eval --metric f1 --classes 3 --average macro --input examples/eval/probs3.csv

  # ... with balanced sample weights (label,p0,p1,p2,weight), the F1 loss of each class
  anyloss eval --metric f1 --classes 3 --average none --input examples/eval/probs3_weighted.csv

  # ... and their macro average with class 1 weighted three times
  anyloss eval --metric f1 --classes 3 --class-weights 1,3,1 \\
      --input examples/eval/probs3_weighted.csv

  # The reference code's objective sum_c (FP_c+FN_c)/C on softmax logits label,z0,...,z9
  anyloss eval --metric seed --classes 10 --logits --input examples/eval/logits10.csv

Output: one JSON object {\"metric\",\"loss\",\"value\",\"tp\",\"fn\",\"fp\",\"tn\",\"grad\":[...]},
where grad[i] is d loss / d (the prob or logit of data row i); with a weight column the
entries are weighted and so is each row's gradient (a zero weight removes the row). With
--classes or --multilabel: {\"loss\",\"per_class\":[{\"tp\",\"fn\",\"fp\",\"tn\"}...],
\"grad\":[[...]...]}, grad[i][c] for column p<c> (or z<c>) of row i; with --average none,
\"loss\" is the list of per-class losses and grad[i][c] is d (loss of class c) / d p<c>
(with --classes --logits, d (their sum) / d z<c>, through the softmax).

Multi-label: each label is its own binary problem (a sigmoid each with --logits); macro is
the mean of the per-label metrics (weighted by --class-weights), weighted is the same with
each label's weight times its support (the weighted count of rows where it is positive),
micro is the metric of the entries pooled over labels. A label whose metric is undefined
(e.g. no positive row) gets the default smoothing, or --fallback. At most 16 labels.

Multi-class: one-vs-rest entries of each class over the probabilities (or the softmax of
the logits); a weight column weights a row in the entries of every class and in the
support of its label, which weighted averaging uses; --class-weights weights the classes
of macro and weighted averaging. A class whose metric is undefined (e.g. recall of a class
no row has) gets the default smoothing, or --fallback. At most 16 classes.

Input: `--input -` reads standard input. Lines are limited to 1 MiB. Any number of rows:
eval reads them once, keeps a compact binary copy (a temporary file) for the gradient
pass, and writes the JSON as it goes, so memory stays a few MB. With --classes, rows of
probabilities should be softmax outputs: rows whose sum is off 1 by more than 0.01 are
evaluated as given, and a warning on stderr counts them.";

/// Arguments of `anyloss eval`.
#[derive(Debug, Clone, Args)]
#[command(after_help = EXAMPLES)]
pub struct EvalArgs {
    /// The metric: accuracy, precision, recall, specificity, f1, fbeta, jaccard, tversky,
    /// balanced_accuracy, gmean, informedness, markedness, fowlkes_mallows, mcc, cohen_kappa;
    /// or any formula of TP, FN, FP, TN (see `anyloss check --help`), which may start with
    /// `-` (`--metric '-FN/N'`).
    #[arg(long, allow_hyphen_values = true)]
    pub metric: String,
    /// CSV with a header and columns `label,prob` (or `label,logit` with --logits), and
    /// optionally a third column `weight` (a sample weight, finite and >= 0); `-` reads
    /// standard input.
    #[arg(long)]
    pub input: PathBuf,
    /// Amplifier steepness L (finite, > 0).
    #[arg(long, default_value_t = Amplifier::DEFAULT_L, allow_negative_numbers = true)]
    pub l: f32,
    /// Decision threshold t in (0, 1): the amplifier is centred there, A(p) = sigmoid(L(p-t))
    /// (default 0.5). Binary and --multilabel data.
    #[arg(long, allow_negative_numbers = true)]
    pub threshold: Option<f32>,
    /// `--beta`, `--alpha` and `--param`.
    #[command(flatten)]
    pub parameters: MetricParams,
    /// The value columns hold logits z, with p = sigmoid(z) (a softmax over the row with
    /// --classes); grad is d loss / d z.
    #[arg(long)]
    pub logits: bool,
    /// Where the metric is undefined (e.g. recall on a batch without positives), take this
    /// value with zero gradient instead of the default smoothing (one pseudo-count per cell).
    #[arg(long, allow_negative_numbers = true)]
    pub fallback: Option<f32>,
    /// Multi-class: C classes, CSV columns `label,p0,...,p{C-1}` (with --logits, softmax
    /// logits `label,z0,...`), optionally a last column `weight`; METRIC may also be `seed`
    /// (the reference code's sum_c (FP_c+FN_c)/C) or `seed_normalized` (divided by N too).
    #[arg(long, conflicts_with = "multilabel")]
    pub classes: Option<usize>,
    /// Multi-label: C independent labels per row, CSV columns `y0,...,y{C-1},p0,...,p{C-1}`
    /// (with --logits, `z0,...`, a sigmoid each), optionally a last column `weight`.
    #[arg(long, value_name = "C")]
    pub multilabel: Option<usize>,
    /// With --classes or --multilabel: how per-class values combine (default macro);
    /// `none` reports the loss of each class.
    #[arg(long = "average", value_name = "AVERAGE", value_enum)]
    pub averaging: Option<Averaging>,
    /// With --classes or --multilabel: a weight per class in the macro and weighted
    /// averages (finite, >= 0, not all 0; normalised), e.g. `1,2,1`.
    #[arg(
        long,
        value_name = "W0,W1,...",
        value_parser = parse_class_weights,
        allow_hyphen_values = true
    )]
    pub class_weights: Option<ClassWeights>,
}

impl EvalArgs {
    /// `--metric` with its parameters; `also` as in [`MetricArg::resolve_among`].
    fn metric_arg(&self, also: &[&str]) -> Result<MetricArg, CliError> {
        let p = &self.parameters;
        MetricArg::parse(&self.metric, p.params(), p.beta, p.alpha, also)
    }

    /// `--fallback` as a checked [`Degenerate`] policy; `None` keeps the default smoothing.
    fn degenerate(&self) -> Result<Option<Degenerate>, CliError> {
        self.fallback
            .map(|v| {
                Degenerate::Fallback(v)
                    .validate()
                    .map_err(|e| CliError::new(format!("--fallback {v}: {e}")))
            })
            .transpose()
    }
}

/// Rows per chunk of either pass: bounds the memory of `eval` whatever the input's length.
pub const CHUNK: usize = 1 << 15;

/// Runs `anyloss eval` and writes its JSON to `out` as it goes.
pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.multilabel.is_some() {
        return multilabel::run(args, out);
    }
    if args.classes.is_some() {
        return multiclass_run(args, out);
    }
    for (flag, given) in [
        ("--average", args.averaging.is_some()),
        ("--class-weights", args.class_weights.is_some()),
    ] {
        if given {
            return Err(CliError::new(format!(
                "{flag} applies to --classes or --multilabel data: give --classes C or \
                 --multilabel C as well"
            )));
        }
    }
    binary::run(args, out)
}

/// The multi-class path, with `--average` as it reads it.
fn multiclass_run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(t) = args.threshold {
        return Err(CliError::new(format!(
            "--threshold {t}: applies to binary and --multilabel data (--classes decides by \
             the largest softmax output)"
        )));
    }
    multiclass::run_args(args, out)
}

/// The amplifier of `--l` and `--threshold`.
fn amplifier(args: &EvalArgs) -> Result<Amplifier, CliError> {
    let amplifier =
        Amplifier::new(args.l).map_err(|e| CliError::new(format!("--l {}: {e}", args.l)))?;
    match args.threshold {
        Some(t) => amplifier
            .with_threshold(t)
            .map_err(|e| CliError::new(format!("--threshold {t}: {e}"))),
        None => Ok(amplifier),
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

/// Writes `values` as JSON arrays of `width` numbers, each preceded by a comma unless it is
/// the `first` row of the array.
fn write_rows(
    out: &mut dyn Write,
    values: &[f32],
    width: usize,
    first: &mut bool,
) -> Result<(), CliError> {
    for row in values.chunks(width) {
        write(out, if std::mem::take(first) { b"[" } else { b",[" })?;
        write_values(out, row, &mut true)?;
        write(out, b"]")?;
    }
    Ok(())
}
