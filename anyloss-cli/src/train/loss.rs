//! `--loss` / `--compare`: which losses to train, each with its recipe.

use anyloss_core::metrics::Builtin;
use anyloss_dsl::FormulaMetric;

use crate::error::CliError;
use crate::metric_arg::{builtin_takes, MetricArg};

use super::model::ModelArch;
use super::recipe::Recipe;

/// One loss to train: BCE (`metric: None`) or a metric loss, and how to train it.
#[derive(Debug, Clone)]
pub struct LossSpec {
    /// The name as the user wrote it (`bce`, `f1`, `fbeta`, a formula).
    pub name: String,
    /// The metric of the metric term; `None` for BCE.
    pub metric: Option<MetricArg>,
    /// The training settings.
    pub recipe: Recipe,
}

impl LossSpec {
    /// Resolves `name` (`bce`, or a metric name or formula accepted by
    /// [`MetricArg::parse`]) with its default recipe; `beta`/`alpha` apply if it takes
    /// them ([`takes_parameter`]).
    pub fn resolve(name: &str, beta: Option<f64>, alpha: Option<f64>) -> Result<Self, CliError> {
        Self::resolve_with(name, &[], beta, alpha)
    }

    /// [`LossSpec::resolve`] with the `--param` bindings `params` as well, each applied if
    /// the loss takes it.
    pub fn resolve_with(
        name: &str,
        params: &[(String, f64)],
        beta: Option<f64>,
        alpha: Option<f64>,
    ) -> Result<Self, CliError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CliError::new("empty loss name"));
        }
        let metric = if name == "bce" {
            None
        } else {
            let takes = |p: &str| takes_parameter(name, p);
            // In a --compare list a parameter is meant for the losses that take it.
            let beta = beta.filter(|_| takes("beta"));
            let alpha = alpha.filter(|_| takes("alpha"));
            let params: Vec<(String, f64)> =
                params.iter().filter(|(n, _)| takes(n)).cloned().collect();
            Some(MetricArg::parse(name, &params, beta, alpha, &["bce"])?)
        };
        Ok(Self {
            name: name.to_string(),
            recipe: Recipe::default_for(metric.is_some(), ModelArch::Linear),
            metric,
        })
    }

    /// What is minimised, for headers: `BCE`, `0.5·BCE + 0.5·(1−f1), L=10`, `1−f1, L=10`.
    pub fn objective(&self) -> String {
        let r = self.recipe.mix;
        match &self.metric {
            None => "BCE".to_string(),
            Some(_) if r == 0.0 => "BCE (mix 0)".to_string(),
            Some(_) if r == 1.0 => format!("1−{}, L={}", self.name, self.recipe.l),
            Some(_) => format!(
                "{}·BCE + {}·(1−{}), L={}",
                round3(1.0 - r),
                round3(r),
                self.name,
                self.recipe.l
            ),
        }
    }
}

/// Whether the loss `name` takes the parameter `parameter` (`--param`, `--beta`,
/// `--alpha`): a built-in as the core's registry says (bce none), a formula when it uses
/// the name. A formula that does not parse takes everything, so that its own error is the
/// one reported.
pub fn takes_parameter(name: &str, parameter: &str) -> bool {
    if name == "bce" || Builtin::NAMES.contains(&name) {
        return builtin_takes(name, parameter);
    }
    FormulaMetric::parameters_of(name).map_or(true, |ps| ps.iter().any(|p| p == parameter))
}

/// Every parameter given (`--param`, `--beta`, `--alpha`) is taken by some loss of
/// `specs`: nothing the user gave is silently dropped.
pub fn check_parameters_used(
    specs: &[LossSpec],
    params: &[(String, f64)],
    beta: Option<f64>,
    alpha: Option<f64>,
) -> Result<(), CliError> {
    let shorthands = [
        ("--beta".to_string(), beta.is_some(), "beta"),
        ("--alpha".to_string(), alpha.is_some(), "alpha"),
    ];
    let params = params
        .iter()
        .map(|(name, _)| (format!("--param {name}"), true, name.as_str()));
    for (flag, given, parameter) in shorthands.into_iter().chain(params) {
        if given && !specs.iter().any(|s| takes_parameter(&s.name, parameter)) {
            let builtins: Vec<&str> = Builtin::NAMES
                .into_iter()
                .filter(|n| builtin_takes(n, parameter))
                .collect();
            return Err(CliError::new(format!(
                "{flag}: no loss here takes it ({}a formula using `{parameter}`)",
                if builtins.is_empty() {
                    String::new()
                } else {
                    format!("{} or ", builtins.join(", "))
                }
            )));
        }
    }
    Ok(())
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
