//! `anyloss predict`: a saved model's probabilities and labels for each row of a CSV, and
//! its metrics when the CSV has a `label` column.
//!
//! | piece | file |
//! |---|---|
//! | flags and the worked example | [`PredictArgs`] |
//! | reading and checking a model file (JSON or binary) | [`model_file`], [`binary_model`] |
//! | matching CSV columns to the model's inputs | [`columns`] |
//! | metrics against the labels | [`tally`] |

pub mod binary_model;
pub mod columns;
pub mod model_file;
pub mod tally;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyloss_core::train::{threshold_logit, Head};
use clap::Args;

use crate::error::CliError;
use crate::eval::spool::{Spool, SpoolReader};
use crate::records::Records;
use crate::train::fit::{HostScaler, InferenceBuffers};

use self::columns::Columns;
use self::model_file::SavedModel;
use self::tally::Tally;

const EXAMPLES: &str = "\
Examples:
  # Probabilities and labels of the shipped yeast3 model, with its metrics (the CSV has a
  # label column)
  anyloss predict --model examples/models/yeast3-f1.json --data examples/data/yeast3.csv --json

  # The same model in the binary device format, at a stricter threshold, as CSV
  anyloss predict --model examples/models/yeast3-f1.bin --data examples/data/yeast3.csv --threshold 0.7

Models: the JSON (`anyloss-logistic-v1`, `anyloss-mlp-v1`) or the binary device format that
`anyloss train --save` and `anyloss finetune --save` write; the file's content tells which.
The whole file is checked first (format, shapes, finite values, CRC-32 of a binary model).

Columns: a JSON model names its features, and the CSV's columns are matched by name, in
any order. A binary model carries no names: every column but `label` and `weight` is a
feature, in file order, and their count must be the model's. A missing feature column, or a
column that is neither a feature nor `label`/`weight`, is an error. With a `label` column
(0/1, or 0..C-1 for a softmax head) predict also reports metrics; a `weight` column (finite,
>= 0) weights each row in them.

Output: CSV on stdout, `p,label` per row (a softmax head: `p0,...,p<C-1>,label`), and the
metrics on stderr; with --json one object {\"p\":[...],\"label\":[...],\"metrics\":{...}}, where
a softmax head's p[i] is row i's list of C probabilities and metrics are those of `anyloss
train --json` (a softmax head: accuracy, macro_precision, macro_recall, macro_f1). A binary
head's label is 1 when p >= the threshold (the model's, or --threshold); a softmax head's is
the most probable class. Rows stream through a temporary file: memory stays bounded, and
nothing is printed unless every row is valid. Lines are limited to 1 MiB; `--data -` reads
standard input.";

/// Arguments of `anyloss predict`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct PredictArgs {
    /// A model saved by `anyloss train --save` or `anyloss finetune --save` (JSON or
    /// binary).
    #[arg(long)]
    pub model: PathBuf,
    /// CSV with the model's feature columns, and optionally `label` and `weight`; `-`
    /// reads standard input.
    #[arg(long)]
    pub data: PathBuf,
    /// Print one JSON object instead of CSV.
    #[arg(long)]
    pub json: bool,
    /// Decision threshold in [0, 1] of a binary head, replacing the model's.
    #[arg(long)]
    pub threshold: Option<f32>,
}

/// A model ready to predict: its head, standardiser and decision rule.
pub struct Predictor {
    head: Box<dyn Head>,
    scaler: HostScaler,
    buffers: InferenceBuffers,
    /// A binary head's logit cut (label 1 when `z >= cut`).
    cut: f32,
}

impl Predictor {
    /// The predictor of `saved` at `threshold` (the model's when `None`).
    pub fn new(saved: &SavedModel, threshold: Option<f32>) -> Result<Self, CliError> {
        let shape = saved.shape();
        if shape.outputs > 1 && threshold.is_some() {
            return Err(CliError::new(format!(
                "--threshold: the model is a {}-class softmax head, which predicts the most \
                 probable class; a threshold applies to a binary head only",
                shape.outputs
            )));
        }
        let t = threshold.unwrap_or(saved.model.threshold);
        let cut = threshold_logit(t)
            .map_err(|_| CliError::new(format!("--threshold {t}: must be in [0, 1]")))?;
        let (head, scaler) = saved.model.parts()?;
        Ok(Self {
            head,
            scaler,
            buffers: InferenceBuffers::new(shape),
            cut,
        })
    }

    /// The probabilities of the raw `row` into `p` (1 for a binary head, C for a softmax
    /// head) and the predicted label.
    pub fn predict(&mut self, row: &[f32], p: &mut Vec<f32>) -> Result<usize, CliError> {
        let mut inference = self.buffers.inference();
        let z = inference
            .logits(&*self.head, self.scaler.scaling(), row)
            .map_err(|e| CliError::new(e.to_string()))?;
        p.clear();
        if let [z] = z {
            p.push(anyloss_core::sigmoid(*z).0);
            return Ok(usize::from(*z >= self.cut));
        }
        let top = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        p.extend(z.iter().map(|&v| anyloss_core::math::exp(v - top)));
        let sum: f32 = p.iter().sum();
        p.iter_mut().for_each(|v| *v /= sum);
        // The first largest logit, as the core's confusion matrix picks it.
        Ok(z.iter().position(|&v| v == top).unwrap_or(0))
    }
}

/// What receives each row's probabilities and predicted label.
pub type RowSink<'a> = dyn FnMut(&[f32], usize) -> Result<(), CliError> + 'a;

/// Reads the CSV and checks each row against the model and the columns.
pub struct Rows {
    records: Records,
    columns: Columns,
    classes: usize,
    raw: Vec<f64>,
}

impl Rows {
    /// Opens `path` for a model of `saved`'s inputs.
    pub fn open(path: &Path, saved: &SavedModel) -> Result<Self, CliError> {
        let records = Records::open(path)?;
        let shape = saved.shape();
        let columns = Columns::matching(&records, saved.features.as_deref(), shape.features)?;
        Ok(Self {
            records,
            columns,
            classes: shape.outputs.max(2),
            raw: Vec::new(),
        })
    }

    /// Whether the CSV has a `label` column.
    pub fn labelled(&self) -> bool {
        self.columns.label.is_some()
    }

    /// The columns read.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The CSV's column names.
    pub fn header(&self) -> &[String] {
        self.records.header()
    }

    /// The name of the source, for messages.
    pub fn path(&self) -> &Path {
        self.records.path()
    }

    /// Whether the CSV has a `weight` column.
    pub fn weighted(&self) -> bool {
        self.columns.weight.is_some()
    }

    /// The next row: features into `features`, the label and weight; `None` at the end.
    /// Errors name the line and column: a value beyond f32, a label that is not a class of
    /// the model, a negative weight, and those of [`Records::next_row`].
    pub fn next(
        &mut self,
        features: &mut Vec<f32>,
    ) -> Result<Option<(Option<usize>, f64)>, CliError> {
        let Some(line) = self.records.next_row(&mut self.raw)? else {
            return Ok(None);
        };
        features.clear();
        for &c in &self.columns.features {
            let v = self.raw[c];
            let x = v as f32;
            if !x.is_finite() {
                return Err(self.records.error_at(
                    line,
                    Some(c + 1),
                    format!(
                        "column `{}`: {v:e} does not fit in f32 (|x| > 3.4e38)",
                        self.records.header()[c]
                    ),
                ));
            }
            features.push(x);
        }
        let label = match self.columns.label {
            None => None,
            Some(c) => {
                let v = self.raw[c];
                if v.fract() != 0.0 || v < 0.0 || v >= self.classes as f64 {
                    return Err(self.records.error_at(
                        line,
                        Some(c + 1),
                        format!(
                            "label `{v}` is not a class of the model (0..{}){}",
                            self.classes,
                            if self.classes == 2 {
                                ": binary labels are 0 or 1"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                Some(v as usize)
            }
        };
        let weight = match self.columns.weight {
            None => 1.0,
            Some(c) => {
                let w = self.raw[c];
                if w < 0.0 {
                    return Err(self.records.error_at(
                        line,
                        Some(c + 1),
                        format!("weight `{w}` is negative; weights are >= 0"),
                    ));
                }
                w
            }
        };
        Ok(Some((label, weight)))
    }

    /// Predicts every row with `predictor`, calling `each` with the probabilities and the
    /// predicted label, and returns the metrics when the CSV has labels. Errors: a bad
    /// row (with its line and column), no data rows.
    pub fn predict_all(
        mut self,
        predictor: &mut Predictor,
        each: &mut RowSink<'_>,
    ) -> Result<Option<Tally>, CliError> {
        let mut tally = self
            .labelled()
            .then(|| Tally::new(self.classes, self.weighted()));
        let (mut features, mut p) = (Vec::new(), Vec::new());
        let mut any = false;
        while let Some((label, weight)) = self.next(&mut features)? {
            any = true;
            let predicted = predictor.predict(&features, &mut p)?;
            each(&p, predicted)?;
            if let (Some(t), Some(y)) = (tally.as_mut(), label) {
                t.add(y, predicted, weight);
            }
        }
        if !any {
            return Err(self.records.no_rows());
        }
        Ok(tally)
    }
}

/// Runs `anyloss predict`, writing the result to `out`.
pub fn run(args: &PredictArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let saved = SavedModel::read(&args.model)?;
    let mut predictor = Predictor::new(&saved, args.threshold)?;
    let rows = Rows::open(&args.data, &saved)?;
    let width = saved.shape().outputs;
    let mut spool = Spool::new(width)?;
    let tally = rows.predict_all(&mut predictor, &mut |p, label| spool.push(label as u16, p))?;
    let reader = spool.finish()?;
    let written = if args.json {
        write_json(reader, width, tally.as_ref(), out)
    } else {
        write_csv(reader, width, out)
    };
    written.map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))?;
    if let (Some(t), false) = (&tally, args.json) {
        eprintln!("{}", t.to_text());
    }
    Ok(())
}

/// Rows read back from the spool, in chunks.
const CHUNK_ROWS: usize = 4096;

fn write_csv(mut reader: SpoolReader, width: usize, out: &mut dyn Write) -> std::io::Result<()> {
    if width == 1 {
        writeln!(out, "p,label")?;
    } else {
        let names: Vec<String> = (0..width).map(|c| format!("p{c}")).collect();
        writeln!(out, "{},label", names.join(","))?;
    }
    let (mut labels, mut values) = (Vec::new(), Vec::new());
    while next(&mut reader, &mut labels, &mut values)? {
        for (label, p) in labels.iter().zip(values.chunks(width)) {
            for &v in p {
                number(out, v)?;
                write!(out, ",")?;
            }
            writeln!(out, "{label}")?;
        }
    }
    Ok(())
}

fn write_json(
    reader: SpoolReader,
    width: usize,
    tally: Option<&Tally>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // The probabilities go out first; the labels wait in a second spool (two bytes a
    // row on disk), so memory stays bounded however many rows there are.
    let mut reader = reader;
    let (mut labels, mut values) = (Vec::new(), Vec::new());
    let mut predicted = Spool::new(0).map_err(|e| std::io::Error::other(e.to_string()))?;
    write!(out, "{{\"p\":[")?;
    let mut first = true;
    while next(&mut reader, &mut labels, &mut values)? {
        for (label, p) in labels.iter().zip(values.chunks(width)) {
            if !first {
                write!(out, ",")?;
            }
            first = false;
            if width == 1 {
                number(out, p[0])?;
            } else {
                write!(out, "[")?;
                for (c, &v) in p.iter().enumerate() {
                    if c > 0 {
                        write!(out, ",")?;
                    }
                    number(out, v)?;
                }
                write!(out, "]")?;
            }
            predicted
                .push(*label, &[])
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
    }
    write!(out, "],\"label\":[")?;
    let mut reader = predicted
        .finish()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut first = true;
    while next(&mut reader, &mut labels, &mut values)? {
        for l in &labels {
            write!(out, "{}{l}", if first { "" } else { "," })?;
            first = false;
        }
    }
    write!(out, "]")?;
    if let Some(t) = tally {
        write!(out, ",\"metrics\":{}", t.to_json())?;
    }
    writeln!(out, "}}")
}

/// `v` in the shortest form that reads back to the same f32 (`2.7556e-6`, not a long
/// decimal).
fn number(out: &mut dyn Write, v: f32) -> std::io::Result<()> {
    serde_json::to_writer(out, &v).map_err(std::io::Error::other)
}

fn next(
    reader: &mut SpoolReader,
    labels: &mut Vec<u16>,
    values: &mut Vec<f32>,
) -> std::io::Result<bool> {
    reader
        .next_chunk(CHUNK_ROWS, labels, values)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
