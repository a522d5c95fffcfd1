//! `--save`: the trained weights and the standardisation, as JSON.

use std::path::Path;

use serde_json::json;

use crate::error::CliError;

use super::cv::Model;
use super::loss::LossSpec;

/// Writes `model` (trained with `spec` on `rows` rows) to `path`.
pub fn write(
    path: &Path,
    spec: &LossSpec,
    feature_names: &[String],
    model: &Model,
    trained_on: &str,
) -> Result<(), CliError> {
    let (bias, weights) = model
        .params
        .split_last()
        .ok_or_else(|| CliError::new("internal: empty model"))?;
    let std: Vec<f32> = model.inv_std.iter().map(|s| 1.0 / s).collect();
    let value = json!({
        "format": "anyloss-logistic-v1",
        "predict": "z = bias + sum_j weights[j] * (x_j - mean[j]) / std[j]; label 1 when z >= 0 (p = sigmoid(z) >= 0.5)",
        "loss": spec.name,
        "objective": spec.objective(),
        "recipe": spec.recipe,
        "trained_on": trained_on,
        "features": feature_names,
        "mean": model.mean,
        "std": std,
        "weights": weights,
        "bias": bias,
    });
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| CliError::new(format!("cannot encode model: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| CliError::new(format!("{}: cannot write model: {e}", path.display())))
}
