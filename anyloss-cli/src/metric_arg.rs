//! `--metric METRIC`: a built-in metric by name, or any other text as a metric formula.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Evaluation, Metric, Range};
use anyloss_dsl::FormulaMetric;

use crate::error::CliError;

/// A metric chosen on the command line.
#[derive(Debug, Clone)]
pub enum MetricArg {
    /// One of [`Builtin::NAMES`].
    Builtin(Builtin),
    /// A formula over `TP FN FP TN` (see anyloss-dsl), compiled with its exact gradient.
    Formula(FormulaMetric),
}

impl MetricArg {
    /// Resolves `name` with the optional `--beta`/`--alpha`. A parameter the metric does not
    /// take is an error rather than silently ignored.
    pub fn resolve(name: &str, beta: Option<f64>, alpha: Option<f64>) -> Result<Self, CliError> {
        let params = BuiltinParams {
            beta: beta.map(|b| b as f32),
            alpha: alpha.map(|a| a as f32),
        };
        match Builtin::from_name(name, params) {
            Some(Ok(b)) => {
                if beta.is_some() && !builtin_takes(name, "beta") {
                    return Err(CliError::new(format!(
                        "--beta is not a parameter of `{name}` (only fbeta and tversky take it)"
                    )));
                }
                if alpha.is_some() && !builtin_takes(name, "alpha") {
                    return Err(CliError::new(format!(
                        "--alpha is not a parameter of `{name}` (only tversky takes it)"
                    )));
                }
                Ok(MetricArg::Builtin(b))
            }
            Some(Err(e)) => Err(CliError::new(format!("metric `{name}`: {e}"))),
            None => Self::formula(name, beta, alpha),
        }
    }

    /// `text` as a formula; `--beta`/`--alpha` bind the parameters `beta`/`alpha`.
    fn formula(text: &str, beta: Option<f64>, alpha: Option<f64>) -> Result<Self, CliError> {
        let params: Vec<(&str, f64)> = [("beta", beta), ("alpha", alpha)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, v)))
            .collect();
        match FormulaMetric::compile(text, &params) {
            Ok(f) => Ok(MetricArg::Formula(f)),
            // A lone word that is neither a built-in nor a valid formula was most likely
            // meant as a built-in name: say so rather than explain formula syntax.
            Err(_) if is_word(text) => Err(CliError::new(format!(
                "unknown metric `{text}`{}; expected one of: {}, or a formula such as \
                 `2*TP/(2*TP+FP+FN)`",
                nearest_builtin(text).map_or(String::new(), |n| format!(" (did you mean `{n}`?)")),
                Builtin::NAMES.join(", ")
            ))),
            Err(d) => Err(CliError::new(format!("metric formula: {d}"))),
        }
    }

    /// The name to report.
    pub fn name(&self) -> &str {
        match self {
            MetricArg::Builtin(b) => b.name(),
            MetricArg::Formula(f) => f.source(),
        }
    }
}

impl Metric for MetricArg {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        match self {
            MetricArg::Builtin(b) => b.evaluate(c),
            MetricArg::Formula(f) => f.evaluate(c),
        }
    }

    fn range(&self) -> Range {
        match self {
            MetricArg::Builtin(b) => b.range(),
            MetricArg::Formula(f) => f.range(),
        }
    }
}

/// Whether the built-in metric `name` takes the parameter `parameter` (`beta` or `alpha`).
pub fn builtin_takes(name: &str, parameter: &str) -> bool {
    match parameter {
        "beta" => matches!(name, "fbeta" | "tversky"),
        "alpha" => name == "tversky",
        _ => false,
    }
}

fn is_word(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn nearest_builtin(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    Builtin::NAMES
        .iter()
        .map(|n| (strsim::levenshtein(&t, n), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
}
