//! `anyloss finetune`: a saved model fine-tuned on a CSV streamed sample by sample through
//! a replay buffer, as a device in the field does, with the metrics before and after.
//!
//! | piece | file |
//! |---|---|
//! | flags, the recipe of a fine-tune, the report | [`FinetuneArgs`] |
//! | the stream through the core's replay buffer, and the fine-tunes | [`replay`] |
//! | the table and the JSON | [`report`] |

pub mod replay;
pub mod report;

use std::path::{Path, PathBuf};

use anyloss_core::train::{
    binary_counts, Batching, Counts, Dataset, FitConfig, Head, HeadShape, Trainer,
};
use clap::Args;

use crate::error::CliError;
use crate::predict::model_file::SavedModel;
use crate::predict::Rows;
use crate::train::fit::{self, Buffers, HostScaler, InferenceBuffers};
use crate::train::loss::LossSpec;
use crate::train::model::ModelArch;
use crate::train::recipe::{self, OptimizerKind, Recipe};
use crate::train::save::{self, Provenance, Target};

use self::replay::Policy;

const EXAMPLES: &str = "\
Examples:
  # Fine-tune the shipped yeast3 model with the F1 loss on a stream of yeast3 rows;
  # metrics on those rows before and after
  anyloss finetune --model examples/models/yeast3-f1.json --data examples/data/yeast3.csv --loss f1

  # Replay a device: a ring of the last 64 samples, a fine-tune every 32 samples, 10
  # epochs each; JSON report, and the fine-tuned model in the binary device format
  anyloss finetune --model examples/models/yeast3-f1.bin --data examples/data/yeast3.csv \\
      --loss f1 --policy ring --buffer 64 --period 32 --epochs 10 --json \\
      --save finetuned.bin --force

Stream: the CSV's rows in file order, one sample at a time, into a replay buffer of
--buffer samples (--policy balanced: an equal share per class, uniform within a class, so
the minority class is not pushed out; ring: the newest samples). Every --period samples
the head is fine-tuned on every sample the buffer holds (--period 0: once, after the last
sample). This is the core's replay buffer and the trainer's fit, as a device runs them
(`anyloss_core::field::OnlineTrainer`): the same model, data, settings and seed give the
device's weights. A fine-tune whose update is not finite keeps the last good weights and
the stream goes on, as on the device; the report counts it.

Defaults per fine-tune: the loss's recipe of `anyloss train` for the model's architecture
(optimizer and learning rate; --mix, --l), but 20 epochs of full-buffer batches and no warm
start (the model is already trained). The model's standardiser and threshold are kept.

Columns: as for `anyloss predict` (by name for a JSON model, by position for a binary one);
a `label` column of 0/1 is required. Output: the metrics of `anyloss train` on every row of
--data before and after, as a table, or with --json {\"before\":{...},\"after\":{...},
\"stream\":{\"samples\",\"held\",\"fine_tunes\",\"failed\",...}}. --save writes the fine-tuned
model (JSON for a .json path, else binary); an existing file, or --model itself, only with
--force; never --data.";

/// Arguments of `anyloss finetune`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct FinetuneArgs {
    /// The model to start from (JSON or binary, as `anyloss train --save` writes it).
    #[arg(long)]
    pub model: PathBuf,
    /// CSV of the stream: the model's feature columns and a `label` column of 0/1; `-`
    /// reads standard input.
    #[arg(long)]
    pub data: PathBuf,
    /// The loss of the fine-tunes: `bce`, a metric name or a formula, as for `train`.
    #[arg(long)]
    pub loss: String,
    /// Replay buffer capacity in samples: 8, 16, ..., 4096 (a power of two).
    #[arg(long, default_value_t = 256)]
    pub buffer: usize,
    /// Replay buffer policy.
    #[arg(long, value_enum, default_value_t = Policy::Balanced)]
    pub policy: Policy,
    /// Fine-tune every this many samples; 0 = once, after the last sample.
    #[arg(long, default_value_t = 64)]
    pub period: u32,
    /// Epochs of each fine-tune (default 20).
    #[arg(long)]
    pub epochs: Option<u32>,
    /// Learning rate (default: the loss's training recipe for the architecture).
    #[arg(long)]
    pub lr: Option<f32>,
    /// Optimizer (default: the training recipe's).
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerKind>,
    /// SGD momentum in [0, 1) (default 0).
    #[arg(long)]
    pub momentum: Option<f32>,
    /// Mini-batch size within a fine-tune; 0 = the whole buffer (default 0).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Weight R of the metric in (1-R)*BCE + R*(1-M) (default: the recipe's, 1).
    #[arg(long)]
    pub mix: Option<f32>,
    /// Amplifier steepness L of the metric term (default 10).
    #[arg(long)]
    pub l: Option<f32>,
    /// beta of fbeta or tversky.
    #[arg(long)]
    pub beta: Option<f64>,
    /// alpha of tversky.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Seed of the balanced buffer's draws and of the mini-batch shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write the fine-tuned model here: JSON when it ends in `.json`, else the binary device
    /// format.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Let --save replace an existing file (--model included).
    #[arg(long, requires = "save")]
    pub force: bool,
}

/// Epochs of a fine-tune unless --epochs says otherwise.
pub const DEFAULT_EPOCHS: u32 = 20;

impl FinetuneArgs {
    /// The loss with its recipe for a fine-tune of a head of architecture `arch`.
    fn spec(&self, arch: ModelArch) -> Result<LossSpec, CliError> {
        let mut spec = LossSpec::resolve(&self.loss, self.beta, self.alpha)?;
        let is_metric = spec.metric.is_some();
        let mut r = Recipe::default_for(is_metric, arch);
        r.epochs = self.epochs.unwrap_or(DEFAULT_EPOCHS);
        r.batch = self.batch.unwrap_or(0);
        r.warm_start = 0;
        r.set_optimizer(self.optimizer, self.lr, self.momentum)?;
        for (flag, given, value) in [("--mix", self.mix, &mut r.mix), ("--l", self.l, &mut r.l)] {
            if let Some(v) = given {
                if !is_metric {
                    return Err(recipe::no_metric_term(flag));
                }
                *value = v;
            }
        }
        r.validate()?;
        spec.recipe = r;
        Ok(spec)
    }
}

/// The architecture of a binary head of `shape`.
fn arch_of(shape: HeadShape) -> ModelArch {
    match shape.hidden {
        [0, _] => ModelArch::Linear,
        hidden => ModelArch::Mlp(hidden),
    }
}

/// The stream: every row of the CSV in memory (the replay needs them again at each
/// fine-tune), and the feature names in the model's input order.
struct Stream {
    features: Vec<f32>,
    labels: Vec<u8>,
    names: Vec<String>,
}

fn read_stream(path: &Path, saved: &SavedModel) -> Result<Stream, CliError> {
    let mut rows = Rows::open(path, saved)?;
    if !rows.labelled() {
        return Err(CliError::new(format!(
            "{}: no `label` column; fine-tuning needs the label of every sample (0 or 1)",
            rows.path().display()
        )));
    }
    if rows.weighted() {
        return Err(CliError::new(format!(
            "{}: a `weight` column: the device's replay buffer has no sample weights, so \
             finetune takes none (drop the column, or repeat rows)",
            rows.path().display()
        )));
    }
    let names = rows
        .columns()
        .features
        .iter()
        .map(|&c| rows.header()[c].clone())
        .collect();
    let (mut features, mut labels, mut row) = (Vec::new(), Vec::new(), Vec::new());
    while let Some((label, _)) = rows.next(&mut row)? {
        features.extend_from_slice(&row);
        labels.push(label.map_or(0, |y| y as u8));
    }
    if labels.is_empty() {
        return Err(CliError::new(format!(
            "{}: no data rows after the header",
            rows.path().display()
        )));
    }
    Ok(Stream {
        features,
        labels,
        names,
    })
}

/// Runs `anyloss finetune` and returns the table or JSON to print.
pub fn run(args: &FinetuneArgs) -> Result<String, CliError> {
    let target = args.save.as_deref().map(|path| Target {
        path,
        inputs: vec![
            ("--data", args.data.as_path()),
            ("--model", args.model.as_path()),
        ],
        force: args.force,
    });
    if let Some(t) = &target {
        t.check()?;
    }
    let saved = SavedModel::read(&args.model)?;
    let shape = saved.shape();
    if shape.outputs != 1 {
        return Err(CliError::new(format!(
            "--model {}: a {}-class softmax head; finetune fine-tunes binary heads (one \
             output)",
            args.model.display(),
            shape.outputs
        )));
    }
    let arch = arch_of(shape);
    let spec = args.spec(arch)?;
    let stream = read_stream(&args.data, &saved)?;
    let data = Dataset::new(&stream.features, &stream.labels, shape.features)
        .map_err(|e| CliError::new(format!("{}: {e}", args.data.display())))?;
    let model = &saved.model;
    let (mut head, scaler) = model.parts()?;
    let before = counts(&*head, &scaler, &data, model.threshold)?;

    let mut optimizer = fit::optimizer(&spec.recipe, shape.params())?;
    let config = FitConfig {
        epochs: spec.recipe.epochs,
        batching: Batching {
            size: spec.recipe.batch,
        },
        seed: args.seed,
        warm_start_epochs: 0,
    };
    let mut buffers = Buffers::new(shape);
    let objective = fit::objective(&spec)?;
    let outcome = {
        let mut trainer = Trainer::new(
            &mut *head,
            &mut *optimizer,
            objective,
            config,
            scaler.scaling(),
            buffers.scratch(),
        )
        .map_err(|e| fit::training_error(&spec, e))?;
        replay::replay(
            &data,
            &mut trainer,
            args.policy,
            args.buffer,
            args.period,
            args.seed,
        )?
    };
    let after = counts(&*head, &scaler, &data, model.threshold)?;
    if outcome.fine_tunes == 0 {
        eprintln!(
            "anyloss: warning: no fine-tune ran: the stream has {} samples, fewer than \
             --period {}; the model is unchanged (--period 0 fine-tunes once at the end)",
            outcome.samples, args.period
        );
    }
    if let Some(why) = &outcome.first_failure {
        eprintln!(
            "anyloss: warning: {} of {} fine-tunes stopped early, keeping the last good \
             weights; the first: {why}",
            outcome.failed, outcome.fine_tunes
        );
    }
    if let Some(t) = &target {
        let tuned = fit::Model {
            params: head.params().to_vec(),
            ..model.clone()
        };
        let recipe = serde_json::to_value(spec.recipe)
            .map_err(|e| CliError::new(format!("cannot encode the recipe: {e}")))?;
        let trained_on = format!(
            "fine-tuned from {} on {}: {} samples through a {:?} buffer of {}, a fine-tune \
             every {} samples",
            args.model.display(),
            args.data.display(),
            outcome.samples,
            args.policy,
            args.buffer,
            args.period
        )
        .to_lowercase();
        let made = Provenance {
            model: &arch.to_string(),
            loss: &spec.name,
            objective: &spec.objective(),
            recipe: &recipe,
            trained_on: &trained_on,
        };
        save::write(t, &stream.names, &tuned, &made)?;
    }
    Ok(report::report(args, &spec, &outcome, &before, &after))
}

/// Hard counts of `head` on every row of `data`.
fn counts(
    head: &dyn Head,
    scaler: &HostScaler,
    data: &Dataset<'_>,
    threshold: f32,
) -> Result<Counts, CliError> {
    let rows: Vec<u32> = (0..data.len() as u32).collect();
    let mut buffers = InferenceBuffers::new(head.shape());
    binary_counts(
        head,
        data,
        scaler.scaling(),
        &rows,
        threshold,
        &mut buffers.inference(),
    )
    .map_err(|e| CliError::new(e.to_string()))
}
