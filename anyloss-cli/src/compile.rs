//! `anyloss compile`: a metric formula to Rust source for a `no_std` type implementing
//! `anyloss_core::Metric`.

use anyloss_dsl::emit_rust;
use clap::Args;

use crate::error::CliError;
use crate::formula_arg::FormulaArgs;

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
    /// Name of the generated type (UpperCamelCase).
    #[arg(long, default_value = "Formula")]
    pub name: String,
    /// The formula and its parameters.
    #[command(flatten)]
    pub formula: FormulaArgs,
}

/// Runs `anyloss compile` and returns the Rust source.
pub fn run(args: &CompileArgs) -> Result<String, CliError> {
    emit_rust(&args.formula.formula, &args.name, &args.formula.bindings())
        .map(|code| code.trim_end().to_string())
        .map_err(|d| CliError::new(d.to_string()))
}
