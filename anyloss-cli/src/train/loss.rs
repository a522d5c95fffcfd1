//! `--loss` / `--compare`: which losses to train, each with its recipe.

use anyloss_core::metrics::Builtin;

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
    /// [`MetricArg::resolve`]) with its default recipe. `beta`/`alpha` apply to the losses
    /// that take them ([`takes_parameter`]).
    pub fn resolve(name: &str, beta: Option<f64>, alpha: Option<f64>) -> Result<Self, CliError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CliError::new("empty loss name"));
        }
        let metric = if name == "bce" {
            None
        } else {
            let takes = |p: &str| takes_parameter(name, p);
            // In a --compare list `--beta` is meant for the metrics that take it.
            let beta = beta.filter(|_| takes("beta"));
            let alpha = alpha.filter(|_| takes("alpha"));
            Some(MetricArg::resolve_among(name, beta, alpha, &["bce"])?)
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

/// Whether the loss `name` uses `--beta` (`parameter = "beta"`) or `--alpha`: fbeta and
/// tversky among the built-ins, and any formula (which binds them by name).
pub fn takes_parameter(name: &str, parameter: &str) -> bool {
    let builtin = name == "bce" || Builtin::NAMES.contains(&name);
    !builtin || builtin_takes(name, parameter)
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
