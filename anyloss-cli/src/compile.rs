//! `anyloss compile`: a metric formula to Rust source for a `no_std` type implementing
//! `anyloss_core::Metric`.

use anyloss_dsl::emit_rust;
use clap::Args;

use crate::error::CliError;
use crate::param::{bindings, parse_param};

const EXAMPLES: &str = "\
Examples:
  # F1 as a no_std type `F1`, printed to stdout
  anyloss compile '2*TP/(2*TP+FP+FN)' --name F1 > f1.rs

  # F2 with its parameter bound, using definitions
  anyloss compile 'b2 = beta^2; (1+b2)*TP/((1+b2)*TP + b2*FN + FP)' --name F2 --param beta=2

The output defines `pub struct NAME;` implementing anyloss_core::Metric: no allocation, no
panics, rustfmt-clean; `evaluate` returns None where the formula or its gradient is undefined
(see `anyloss check`), and the loss applies its degenerate policy there. To generate it at
build time instead, use anyloss_dsl::build from build.rs.";

/// Arguments of `anyloss compile`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CompileArgs {
    /// The metric formula over TP, FN, FP, TN (quote it for the shell); it may start with
    /// `-`.
    #[arg(allow_hyphen_values = true)]
    pub formula: String,
    /// Name of the generated type (UpperCamelCase).
    #[arg(long, default_value = "Formula")]
    pub name: String,
    /// Bind a parameter of the formula: NAME=VALUE (repeat for several).
    #[arg(
        long = "param",
        value_name = "NAME=VALUE",
        value_parser = parse_param,
        allow_hyphen_values = true
    )]
    pub params: Vec<(String, f64)>,
}

/// Runs `anyloss compile` and returns the Rust source.
pub fn run(args: &CompileArgs) -> Result<String, CliError> {
    emit_rust(&args.formula, &args.name, &bindings(&args.params))
        .map(|code| code.trim_end().to_string())
        .map_err(|d| CliError::new(d.to_string()))
}
