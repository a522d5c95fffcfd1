//! `anyloss check`: where a formula is undefined, what its value and gradient cost, and its
//! simplified partials.

use std::fmt::Write;

use anyloss_dsl::FormulaMetric;
use clap::Args;

use crate::error::CliError;
use crate::formula_arg::FormulaArgs;

const EXAMPLES: &str = "\
Example:
  anyloss check 'precision = TP/(TP+FP); recall = TP/(TP+FN); 2*precision*recall/(precision+recall)'

Language: counts TP FN FP TN (soft confusion entries, >= 0); derived counts POS=TP+FN,
NEG=TN+FP, PRED_POS=TP+FP, PRED_NEG=TN+FN, TOTAL=N=TP+FN+FP+TN; numbers (2, 0.5, 1e-3);
+ - * / ^ (right-associative) and unary minus; sqrt ln exp abs min max; definitions
`name = expr;` before the final expression; parameters (any other name, bound with
--param NAME=VALUE); comments from # or // to the end of the line.";

/// Arguments of `anyloss check`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CheckArgs {
    /// The formula and its parameters.
    #[command(flatten)]
    pub formula: FormulaArgs,
}

/// Runs `anyloss check` and returns the report.
pub fn run(args: &CheckArgs) -> Result<String, CliError> {
    let m = FormulaMetric::compile(&args.formula.formula, &args.formula.bindings())
        .map_err(|d| CliError::new(d.to_string()))?;
    let mut out = String::new();
    let _ = writeln!(out, "formula: {}", args.formula.formula.trim());
    if !m.params().is_empty() {
        let bound: Vec<String> = m
            .params()
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect();
        let _ = writeln!(out, "parameters: {}", bound.join(", "));
    }
    let _ = writeln!(out, "\ndomain (over non-negative counts):");
    if m.domain_issues().is_empty() {
        let _ = writeln!(out, "  defined everywhere");
    } else {
        for issue in m.domain_issues() {
            let _ = writeln!(out, "  - {issue}");
        }
        let _ = writeln!(
            out,
            "  there the metric is undefined: evaluate returns None and the loss applies its\n  \
             degenerate policy (default: one pseudo-count added to every cell)"
        );
    }
    let _ = writeln!(
        out,
        "\noverflow (tried at every combination of 0, 0.5, 1, 1e3, 1e6, 1e9 for the counts):"
    );
    let risks = m.overflow_risks();
    if risks.is_empty() {
        let _ = writeln!(out, "  none found");
    } else {
        for risk in &risks {
            let _ = writeln!(out, "  - {risk}");
        }
        let _ = writeln!(
            out,
            "  there eval and train stop with an error naming the sub-expression: an overflow\n  \
             is not an undefined point, so no degenerate policy replaces it"
        );
    }
    let ops = m.operation_count();
    let _ = writeln!(
        out,
        "\noperations: {} for value and gradient ({} for the value alone)",
        ops.total, ops.value
    );
    let _ = write!(out, "\nsimplified value and partials:\n{}", m.pretty());
    Ok(out.trim_end().to_string())
}
