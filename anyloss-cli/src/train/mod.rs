//! `anyloss train`: fine-tune a logistic or MLP head on a CSV with BCE, a metric loss or the hybrid,
//! under stratified seeded cross-validation, using `anyloss_core::train` (the code the
//! firmware runs).
//!
//! | piece | file |
//! |---|---|
//! | flags | [`TrainArgs`] |
//! | the worked examples and defaults of `--help` | `help` |
//! | the CSV and its checks | [`data`] |
//! | per-loss settings and the evidence-based defaults | [`recipe`] |
//! | `--loss` / `--compare` resolution | [`loss`] |
//! | `--model` architectures | [`model`] |
//! | split, fit, evaluate per round | [`cv`] |
//! | means, table, JSON | [`report`] |
//! | progress on stderr | [`progress`] |
//! | `--plot` SVG | [`plot`] |
//! | `--save` JSON | [`save`] |
//! | `--tune-threshold` by inner CV | [`threshold`] |

pub mod cv;
pub mod data;
pub mod fit;
mod help;
pub mod loss;
pub mod model;
pub mod plot;
pub mod progress;
pub mod recipe;
pub mod report;
pub mod save;
pub mod threshold;

use std::path::PathBuf;

use anyloss_core::train::{train_rows, Dataset, Split};
use clap::Args;

use crate::error::CliError;
use crate::param::{with_shorthands, MetricParams};

use self::data::TrainData;
use self::help::EXAMPLES;
use self::loss::LossSpec;
use self::model::ModelArch;
use self::progress::Progress;
use self::recipe::{OptimizerKind, Recipe};
use self::report::LossResult;

/// Arguments of `anyloss train`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["loss", "compare"])))]
#[command(mut_arg("beta", |a| a.help(
    "beta of fbeta (default 1) or tversky; a shorthand for --param beta=B"
)))]
#[command(mut_arg("alpha", |a| a.help("alpha of tversky; a shorthand for --param alpha=A")))]
#[command(mut_arg("params", |a| a.help(
    "Binds a parameter of the metric losses that take it (a built-in's `beta`/`alpha`, or any \
     name a formula uses); repeat for several"
)))]
pub struct TrainArgs {
    /// CSV with numeric feature columns and a `label` column of 0/1; `-` reads standard
    /// input. Lines are limited to 1 MiB.
    #[arg(long)]
    pub data: PathBuf,
    /// The loss: `bce`, a metric (accuracy, precision, recall, specificity, f1, fbeta,
    /// jaccard, tversky, balanced_accuracy, gmean, informedness, markedness,
    /// fowlkes_mallows, mcc, cohen_kappa), or a formula over TP FN FP TN such as
    /// "2*TP/(2*TP+FP+FN)" or "-FN/N" (--param NAME=VALUE binds its parameters).
    #[arg(long, allow_hyphen_values = true)]
    pub loss: Option<String>,
    /// Train each of these losses on the same splits and print them side by side,
    /// e.g. `bce,f1,gmean`.
    #[arg(
        long,
        value_delimiter = ',',
        conflicts_with = "loss",
        allow_hyphen_values = true
    )]
    pub compare: Option<Vec<String>>,
    /// The head: `linear` (logistic regression), `mlp:H` (one hidden ReLU layer of H
    /// units) or `mlp:H1,H2` (two), with a sigmoid output.
    #[arg(long, default_value = "linear", value_parser = parse_model)]
    pub model: ModelArch,
    /// Epochs (default 500; 300 for an MLP).
    #[arg(long)]
    pub epochs: Option<u32>,
    /// Learning rate (default: 1 for bce, 0.3 for a metric loss with SGD; 0.01 with Adam).
    #[arg(long, allow_negative_numbers = true)]
    pub lr: Option<f32>,
    /// Mini-batch size; 0 = full-dataset batches (default 64).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Optimizer (default sgd).
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerKind>,
    /// SGD momentum in [0, 1) (default 0).
    #[arg(long, allow_negative_numbers = true)]
    pub momentum: Option<f32>,
    /// Weight R of the metric in (1-R)*BCE + R*(1-M); 1 = the pure metric loss (default 1).
    #[arg(long, allow_negative_numbers = true)]
    pub mix: Option<f32>,
    /// Amplifier steepness L of the metric term (default 10).
    #[arg(long, allow_negative_numbers = true)]
    pub l: Option<f32>,
    /// Epochs of plain BCE before the metric loss takes over (default 20, and at most a
    /// tenth of --epochs).
    #[arg(long)]
    pub warm_start: Option<u32>,
    /// Seed of the split and of the batch shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stratified K-fold cross-validation (default 5).
    #[arg(long, conflicts_with = "test_fraction")]
    pub folds: Option<u8>,
    /// One stratified hold-out with this fraction of each class in the test part.
    #[arg(long)]
    pub test_fraction: Option<f32>,
    /// `--beta`, `--alpha` and `--param`.
    #[command(flatten)]
    pub parameters: MetricParams,
    /// Decision threshold t in (0, 1) (default 0.5): the centre of the metric term's
    /// amplifier, A(p) = sigmoid(L(p-t)), and of the hard decisions (label 1 when
    /// p >= t) in the reported metrics; --save stores it.
    #[arg(long, allow_negative_numbers = true, conflicts_with = "tune_threshold")]
    pub threshold: Option<f32>,
    /// Print JSON instead of the table; the header and progress still go to stderr.
    #[arg(long)]
    pub json: bool,
    /// Nothing on stderr but errors and warnings: no progress, and with --json no header.
    #[arg(long)]
    pub quiet: bool,
    /// Pick the decision threshold for the loss's metric (F1 for bce) on each training part
    /// alone, by a 3-fold inner cross-validation, instead of 0.5; --save stores it.
    #[arg(long)]
    pub tune_threshold: bool,
    /// Write the model (weights, standardisation, threshold, feature names) to this file:
    /// JSON when it ends in `.json`, else the binary device format (with --folds: refit on
    /// all rows; with --test-fraction: the model of the training part). Never the --data
    /// file; an existing file only with --force.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Let --save replace an existing file.
    #[arg(long, requires = "save")]
    pub force: bool,
    /// Write the training curves (objective and test F1 per epoch; at most 500 points,
    /// sampled evenly on longer runs) to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

impl TrainArgs {
    fn settings(&self) -> cv::Settings {
        cv::Settings {
            arch: self.model,
            seed: self.seed,
            curves: self.plot.is_some(),
            tune_threshold: self.tune_threshold,
        }
    }

    fn split(&self) -> Result<Split, CliError> {
        match (self.folds, self.test_fraction) {
            (_, Some(f)) if !(f > 0.0 && f < 1.0) => Err(CliError::new(format!(
                "--test-fraction {f}: must be in (0, 1)"
            ))),
            (_, Some(f)) => Ok(Split::TestFraction(f)),
            (Some(k), None) if k < 2 => Err(CliError::new(format!(
                "--folds {k}: cross-validation needs at least 2 folds"
            ))),
            (k, None) => Ok(Split::Folds(k.unwrap_or(5))),
        }
    }

    /// The losses to train, each with the defaults and then the flags applied.
    pub fn specs(&self) -> Result<Vec<LossSpec>, CliError> {
        // A parameter given two ways with different values is an error whichever loss
        // takes it.
        let MetricParams { beta, alpha, .. } = self.parameters;
        let params = self.parameters.params();
        with_shorthands(params, beta, alpha)?;
        let names: Vec<String> = match (&self.loss, &self.compare) {
            (Some(l), _) => vec![l.clone()],
            (None, Some(c)) => c.clone(),
            (None, None) => return Err(CliError::new("give --loss LOSS or --compare A,B,...")),
        };
        let mut specs: Vec<LossSpec> = Vec::new();
        for name in &names {
            let mut spec = LossSpec::resolve_with(name, params, beta, alpha)?;
            if specs.iter().any(|s| s.name == spec.name) {
                return Err(CliError::new(format!(
                    "--compare: `{}` is listed twice",
                    spec.name
                )));
            }
            let is_metric = spec.metric.is_some();
            let base = Recipe::default_for(is_metric, self.model);
            spec.recipe = self.apply(base, is_metric, names.len() > 1)?;
            specs.push(spec);
        }
        loss::check_parameters_used(&specs, params, beta, alpha)?;
        Ok(specs)
    }

    fn apply(&self, base: Recipe, is_metric: bool, comparing: bool) -> Result<Recipe, CliError> {
        let mut r = base;
        r.set_optimizer(self.optimizer, self.lr, self.momentum)?;
        if let Some(v) = self.epochs {
            r.epochs = v;
        }
        if let Some(v) = self.batch {
            r.batch = v;
        }
        if let Some(v) = self.threshold {
            r.threshold = v;
        }
        let metric_only = [
            ("--mix", self.mix.is_some()),
            ("--l", self.l.is_some()),
            ("--warm-start", self.warm_start.is_some()),
        ];
        if is_metric {
            if let Some(v) = self.mix {
                r.mix = v;
            }
            if let Some(v) = self.l {
                r.l = v;
            }
            match self.warm_start {
                Some(v) => r.warm_start = v,
                // A shorter run keeps the warm start at most a tenth of it.
                None => r.warm_start = r.warm_start.min(r.epochs / 10),
            }
        } else if !comparing {
            if let Some((flag, _)) = metric_only.iter().find(|(_, given)| *given) {
                return Err(recipe::no_metric_term(flag));
            }
        }
        r.validate()?;
        Ok(r)
    }
}

/// Runs `anyloss train`: prints the header first (on stdout above the table; on stderr
/// with `--json`, unless `--quiet`), reports progress on stderr while training, and returns
/// the table or JSON to print.
pub fn run(args: &TrainArgs) -> Result<String, CliError> {
    let split = args.split()?;
    let specs = args.specs()?;
    if args.save.is_some() && specs.len() > 1 {
        return Err(CliError::new(
            "--save writes one model: use it with --loss, not --compare",
        ));
    }
    let target = args.save.as_deref().map(|path| save::Target {
        path,
        inputs: vec![("--data", args.data.as_path())],
        force: args.force,
    });
    if let Some(target) = &target {
        target.check()?;
    }
    let data = TrainData::read(&args.data)?;
    let dataset = Dataset::new(&data.features, &data.labels, data.feature_names.len())
        .map_err(|e| CliError::new(format!("{}: {e}", data.path.display())))?;
    let fold_of = cv::assign_folds(&data.labels, split, args.seed)?;
    let intro = intro(&data, split, args);
    if !args.json {
        crate::emit(&intro)?;
    } else if !args.quiet {
        eprintln!("{intro}");
    }
    let results = cross_validate(args, &specs, &data, &dataset, &fold_of, split.rounds())?;
    if let Some(path) = &args.plot {
        plot::write(path, &data.path.display().to_string(), &results)?;
    }
    if let (Some(target), Some(spec)) = (&target, specs.first()) {
        save_model(target, spec, args, &data, &dataset, &fold_of, split)?;
    }
    Ok(if args.json {
        let value = if specs.len() > 1 {
            report::compare_json(&results)
        } else {
            results.first().map(report::single_json).unwrap_or_default()
        };
        value.to_string()
    } else {
        report::table(&results)
    })
}

fn parse_model(text: &str) -> Result<ModelArch, String> {
    text.parse().map_err(|e: CliError| e.to_string())
}

/// The header: the data, the split and the seed.
fn intro(data: &TrainData, split: Split, args: &TrainArgs) -> String {
    let (model, seed) = (args.model, args.seed);
    let threshold = if args.tune_threshold {
        format!(
            "threshold tuned for each loss's metric (f1 for bce) by {}-fold inner CV of each \
             training part",
            threshold::INNER_FOLDS
        )
    } else {
        format!("threshold {}", args.threshold.unwrap_or(0.5))
    };
    format!(
        "anyloss train: {}: {} rows ({} with label 1, {:.1}%), {} features; model {model}; \
         {}, seed {seed}; {threshold}",
        data.path.display(),
        data.rows(),
        data.positives(),
        100.0 * data.positives() as f64 / data.rows() as f64,
        data.feature_names.len(),
        match split {
            Split::Folds(k) => format!("{k}-fold stratified CV"),
            Split::TestFraction(f) => format!("stratified hold-out of {f} per class"),
        },
    )
}

/// Every loss of `specs` over every round of the split, with progress on stderr.
fn cross_validate(
    args: &TrainArgs,
    specs: &[LossSpec],
    data: &TrainData,
    dataset: &Dataset<'_>,
    fold_of: &[u8],
    rounds: u8,
) -> Result<Vec<LossResult>, CliError> {
    let total: u64 = specs
        .iter()
        .map(|s| u64::from(s.recipe.epochs) * u64::from(rounds))
        .sum();
    let work = total * data.rows() as u64 * data.feature_names.len() as u64;
    let mut progress = Progress::new(total, work, args.quiet);
    let mut results = Vec::new();
    for spec in specs {
        progress.start(&spec.name, rounds);
        let mut outcomes = Vec::new();
        for round in 0..rounds {
            outcomes.push(cv::run_round(
                dataset,
                fold_of,
                round,
                spec,
                args.settings(),
                &mut || progress.epoch_done(round),
            )?);
        }
        progress.finish_loss();
        results.push(LossResult {
            spec: spec.clone(),
            rounds: outcomes,
        });
    }
    progress.finish();
    Ok(results)
}

/// `--save`: refits on all rows (with --folds) or takes the training part of the hold-out,
/// and writes the model with its threshold.
fn save_model(
    target: &save::Target<'_>,
    spec: &LossSpec,
    args: &TrainArgs,
    data: &TrainData,
    dataset: &Dataset<'_>,
    fold_of: &[u8],
    split: Split,
) -> Result<(), CliError> {
    let (mut rows, trained_on) = match split {
        Split::Folds(_) => (
            (0..data.rows() as u32).collect::<Vec<u32>>(),
            format!("all {} rows (refit after cross-validation)", data.rows()),
        ),
        Split::TestFraction(_) => {
            let mut rows = vec![0u32; data.rows()];
            let n = train_rows(fold_of, 0, &mut rows).map_err(|e| CliError::new(e.to_string()))?;
            rows.truncate(n);
            let text = format!("the {n} training rows of the hold-out split");
            (rows, text)
        }
    };
    // The threshold tuned on these rows when --tune-threshold asks, as in each round.
    let model = cv::fit_model(dataset, &mut rows, spec, args.settings(), &mut |_, _, _| {})?;
    let recipe = serde_json::to_value(spec.recipe)
        .map_err(|e| CliError::new(format!("cannot encode the recipe: {e}")))?;
    let made = save::Provenance {
        model: &args.model.to_string(),
        loss: &spec.name,
        objective: &spec.objective(),
        recipe: &recipe,
        trained_on: &trained_on,
    };
    save::write(target, &data.feature_names, &model, &made)
}
