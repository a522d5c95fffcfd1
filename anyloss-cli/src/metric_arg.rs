//! `--metric METRIC`: the library's one registry ([`AnyMetric::parse`]: a built-in name,
//! otherwise a formula) with the command line's parameters and messages.

use anyloss_core::metrics::Builtin;
use anyloss_core::{Confusion, Evaluation, Metric, Range};
use anyloss_dsl::{AnyMetric, FormulaMetric, MetricError};

use crate::error::{excerpt, CliError};
use crate::param::{bindings, with_shorthands};

/// A metric chosen on the command line.
#[derive(Debug, Clone)]
pub struct MetricArg(AnyMetric);

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
        Self::parse(name, &[], beta, alpha, also)
    }

    /// Resolves `text` with the `--param` bindings `params` and the shorthands `--beta` /
    /// `--alpha` (see [`with_shorthands`]); `also` as in [`MetricArg::resolve_among`].
    pub fn parse(
        text: &str,
        params: &[(String, f64)],
        beta: Option<f64>,
        alpha: Option<f64>,
        also: &[&str],
    ) -> Result<Self, CliError> {
        let all = with_shorthands(params, beta, alpha)?;
        let builtin = Builtin::parameters_of(text.trim()).is_some();
        // The built-ins take f32: a finite f64 beyond its range is not "not finite".
        if builtin {
            for (name, v) in &all {
                if v.is_finite() && !(*v as f32).is_finite() {
                    return Err(CliError::new(format!(
                        "{} {v:e} is beyond f32's largest value, {:e}{}",
                        flag(name, beta, alpha),
                        f32::MAX,
                        if text.trim() == "fbeta" && name == "beta" {
                            " (fbeta with so large a beta is recall: use `--metric recall`)"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
        AnyMetric::parse(text, &bindings(&all))
            .map(MetricArg)
            .map_err(|e| match e {
                MetricError::UnknownMetric { name, .. } => {
                    let names: Vec<&str> =
                        also.iter().chain(Builtin::NAMES.iter()).copied().collect();
                    CliError::new(format!(
                        "unknown metric `{}`{}; expected one of: {}, or a formula such as \
                         `2*TP/(2*TP+FP+FN)`",
                        excerpt(&name),
                        nearest(&name, &names)
                            .map_or(String::new(), |n| format!(" (did you mean `{n}`?)")),
                        names.join(", ")
                    ))
                }
                MetricError::UnusedParameter { metric, parameter } => {
                    let takes = Builtin::parameters_of(metric).unwrap_or(&[]);
                    CliError::new(format!(
                        "{} is not a parameter of `{metric}` ({})",
                        flag(&parameter, beta, alpha),
                        if takes.is_empty() {
                            "it takes none".to_string()
                        } else {
                            format!("it takes: {}", takes.join(", "))
                        }
                    ))
                }
                other => CliError::new(other.to_string()),
            })
    }

    /// The metric as the library's registry names it.
    pub fn metric(&self) -> &AnyMetric {
        &self.0
    }

    /// The formula, when the metric is one.
    pub fn formula(&self) -> Option<&FormulaMetric> {
        match &self.0 {
            AnyMetric::Formula(f) => Some(f),
            AnyMetric::Builtin(_) => None,
        }
    }

    /// For a formula that overflows at `c`, the sub-expression and the point, to explain
    /// an [`anyloss_core::Error::NonFiniteMetric`].
    pub fn overflow_at(&self, c: &Confusion) -> Option<String> {
        self.formula()
            .and_then(|f| f.evaluate_checked(c).err())
            .map(|o| o.to_string())
    }

    /// The name to report.
    pub fn name(&self) -> &str {
        self.0.name()
    }
}

impl Metric for MetricArg {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        self.0.evaluate(c)
    }

    fn range(&self) -> Range {
        self.0.range()
    }
}

/// The flag that gave the parameter `name`: a shorthand, or `--param name`.
fn flag(name: &str, beta: Option<f64>, alpha: Option<f64>) -> String {
    match name {
        "beta" if beta.is_some() => "--beta".to_string(),
        "alpha" if alpha.is_some() => "--alpha".to_string(),
        _ => format!("--param {name}"),
    }
}

/// Whether the built-in metric `name` takes the parameter `parameter` (`beta` or `alpha`),
/// from the core's registry ([`Builtin::parameters_of`]).
pub fn builtin_takes(name: &str, parameter: &str) -> bool {
    Builtin::parameters_of(name).is_some_and(|ps| ps.contains(&parameter))
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
