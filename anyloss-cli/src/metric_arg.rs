//! `--metric METRIC`: a built-in metric by name, or any other text as a metric formula.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Evaluation, Metric, Range};
use anyloss_dsl::{DiagnosticKind, FormulaMetric};

use crate::error::{excerpt, CliError};

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
        Self::resolve_among(name, beta, alpha, &[])
    }

    /// [`MetricArg::resolve`] where the caller also accepts the names `also` (e.g. `bce`),
    /// which the error for an unknown name lists and may suggest.
    pub fn resolve_among(
        name: &str,
        beta: Option<f64>,
        alpha: Option<f64>,
        also: &[&str],
    ) -> Result<Self, CliError> {
        // The built-ins take f32: a finite f64 beyond its range is not "not finite".
        for (flag, v) in [("--beta", beta), ("--alpha", alpha)] {
            if let Some(v) = v.filter(|v| v.is_finite() && !(*v as f32).is_finite()) {
                if Builtin::NAMES.contains(&name) {
                    return Err(CliError::new(format!(
                        "{flag} {v:e} is beyond f32's largest value, {:e}{}",
                        f32::MAX,
                        if name == "fbeta" && flag == "--beta" {
                            " (fbeta with so large a beta is recall: use `--metric recall`)"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
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
            None => Self::formula(name, beta, alpha, also),
        }
    }

    /// `text` as a formula; `--beta`/`--alpha` bind the parameters `beta`/`alpha`.
    fn formula(
        text: &str,
        beta: Option<f64>,
        alpha: Option<f64>,
        also: &[&str],
    ) -> Result<Self, CliError> {
        let params: Vec<(&str, f64)> = [("beta", beta), ("alpha", alpha)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, v)))
            .collect();
        match FormulaMetric::compile(text, &params) {
            Ok(f) => Ok(MetricArg::Formula(f)),
            // A lone word that is neither a built-in nor a valid formula was most likely
            // meant as a built-in name: say so rather than explain formula syntax.
            Err(_) if is_word(text) => {
                let names: Vec<&str> = also.iter().chain(Builtin::NAMES.iter()).copied().collect();
                Err(CliError::new(format!(
                    "unknown metric `{}`{}; expected one of: {}, or a formula such as \
                     `2*TP/(2*TP+FP+FN)`",
                    excerpt(text),
                    nearest(text, &names)
                        .map_or(String::new(), |n| format!(" (did you mean `{n}`?)")),
                    names.join(", ")
                )))
            }
            Err(d) if d.kind() == DiagnosticKind::UnboundParameter => {
                // The library's hint names `--param`, which only compile and check have.
                let text = d.to_string();
                let rendered: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("= help:"))
                    .collect();
                Err(CliError::new(format!(
                    "metric formula: {}\n  = help: here only `beta` (--beta) and `alpha` \
                     (--alpha) can be bound; write any other constant as a number",
                    rendered.join("\n")
                )))
            }
            Err(d) => Err(CliError::new(format!("metric formula: {d}"))),
        }
    }

    /// For a formula that overflows at `c`, the sub-expression and the point, to explain
    /// an [`anyloss_core::Error::NonFiniteMetric`].
    pub fn overflow_at(&self, c: &Confusion) -> Option<String> {
        match self {
            MetricArg::Formula(f) => f.evaluate_checked(c).err().map(|o| o.to_string()),
            MetricArg::Builtin(_) => None,
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

/// Whether the built-in metric `name` takes the parameter `parameter` (`beta` or `alpha`),
/// from the core's registry ([`Builtin::parameters_of`]).
pub fn builtin_takes(name: &str, parameter: &str) -> bool {
    Builtin::parameters_of(name).is_some_and(|ps| ps.contains(&parameter))
}

fn is_word(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name of `names` closest to `text`, ignoring case, within a small edit distance;
/// never `text` itself.
pub fn nearest<'a>(text: &str, names: &[&'a str]) -> Option<&'a str> {
    let t = text.trim().to_lowercase();
    names
        .iter()
        .filter(|n| **n != text.trim())
        .map(|n| (strsim::levenshtein(&t, &n.to_lowercase()), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
}
