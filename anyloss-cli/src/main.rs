//! The `anyloss` command: see `anyloss --help`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyloss_cli::{bench, check, compile, emit, eval, finetune, predict, stream, train, CliError};
use clap::{Parser, Subcommand};

/// Any confusion-matrix metric as a differentiable loss.
#[derive(Debug, Parser)]
#[command(name = "anyloss", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Loss, soft confusion entries and gradient of a CSV of labels and model outputs.
    Eval(eval::EvalArgs),
    /// Train a logistic head on a CSV with BCE, a metric loss or the hybrid, under
    /// stratified cross-validation, and report test metrics.
    Train(train::TrainArgs),
    /// Probabilities and labels of a saved model (JSON or binary) for each row of a CSV,
    /// and its metrics when the CSV has a `label` column.
    Predict(predict::PredictArgs),
    /// Fine-tune a saved model on a CSV streamed through a replay buffer, as a device in the
    /// field does, and report the metrics before and after.
    Finetune(finetune::FinetuneArgs),
    /// Compile a metric formula to Rust source for a no_std type implementing the metric
    /// trait, with its exact gradient.
    Compile(compile::CompileArgs),
    /// Check a metric formula: where it is undefined, its operation count and its
    /// simplified partials.
    Check(check::CheckArgs),
    /// Time the standard speed cases (loss plus gradient, one thread) and print a table or
    /// JSON; optionally plot ns/sample against N.
    Bench(bench::BenchArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Eval(args) => stream(|out| eval::run(&args, out)),
        Command::Train(args) => emit(&train::run(&args)?),
        Command::Predict(args) => stream(|out| predict::run(&args, out)),
        Command::Finetune(args) => emit(&finetune::run(&args)?),
        Command::Compile(args) => emit(&compile::run(&args)?),
        Command::Check(args) => emit(&check::run(&args)?),
        Command::Bench(args) => emit(&bench::run(&args)?),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anyloss: error: {e}");
            ExitCode::from(2)
        }
    }
}
