//! The `anyloss` command: see `anyloss --help`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyloss_cli::{emit, eval, CliError};
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
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Eval(args) => emit(&eval::run(&args)?.to_string()),
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
