//! `--metric NAME`: a built-in metric by name, with its parameters checked.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Evaluation, Metric, Range};

use crate::error::CliError;

/// A metric chosen on the command line.
#[derive(Debug, Clone)]
pub enum MetricArg {
    /// One of [`Builtin::NAMES`].
    Builtin(Builtin),
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
                let takes_beta = matches!(name, "fbeta" | "tversky");
                let takes_alpha = name == "tversky";
                if beta.is_some() && !takes_beta {
                    return Err(CliError::new(format!(
                        "--beta is not a parameter of `{name}` (only fbeta and tversky take it)"
                    )));
                }
                if alpha.is_some() && !takes_alpha {
                    return Err(CliError::new(format!(
                        "--alpha is not a parameter of `{name}` (only tversky takes it)"
                    )));
                }
                Ok(MetricArg::Builtin(b))
            }
            Some(Err(e)) => Err(CliError::new(format!("metric `{name}`: {e}"))),
            None => Err(CliError::new(format!(
                "unknown metric `{name}`; expected one of: {}",
                Builtin::NAMES.join(", ")
            ))),
        }
    }

    /// The name to report.
    pub fn name(&self) -> &str {
        match self {
            MetricArg::Builtin(b) => b.name(),
        }
    }
}

impl Metric for MetricArg {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        match self {
            MetricArg::Builtin(b) => b.evaluate(c),
        }
    }

    fn range(&self) -> Range {
        match self {
            MetricArg::Builtin(b) => b.range(),
        }
    }
}
