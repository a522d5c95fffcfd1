//! The formula argument of `anyloss check` and `anyloss compile`, with its `--param`
//! bindings.

use clap::Args;

use crate::param::{bindings, ParamArgs};

/// A metric formula and the values bound to its parameters.
#[derive(Debug, Args)]
#[command(mut_arg("params", |a| a.help(
    "Bind a parameter of the formula: NAME=VALUE (repeat for several)"
)))]
pub struct FormulaArgs {
    /// The metric formula over TP, FN, FP, TN (quote it for the shell); it may start with
    /// `-`.
    #[arg(allow_hyphen_values = true)]
    pub formula: String,
    /// The `--param` bindings.
    #[command(flatten)]
    pub bound: ParamArgs,
}

impl FormulaArgs {
    /// The `--param` bindings as the DSL takes them.
    pub fn bindings(&self) -> Vec<(&str, f64)> {
        bindings(&self.bound.params)
    }
}
