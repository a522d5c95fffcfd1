//! `--save`: the trained head, the standardisation and the decision threshold, as JSON.
//!
//! `format` names the head: `anyloss-logistic-v1` (`weights`, `bias`) or `anyloss-mlp-v1`
//! (`layers`, each `{"weights": [[...] per unit], "bias": [...], "activation"}`); both carry
//! `mean`, `std` and `threshold`.

use std::path::Path;

use serde_json::{json, Value};

use crate::error::CliError;

use super::fit::Model;
use super::loss::LossSpec;
use super::model::ModelArch;

/// Writes `model` (trained with `spec`, as `arch`, on the rows `trained_on` describes) to
/// `path`.
pub fn write(
    path: &Path,
    spec: &LossSpec,
    arch: ModelArch,
    feature_names: &[String],
    model: &Model,
    trained_on: &str,
) -> Result<(), CliError> {
    let std: Vec<f32> = model.inv_std.iter().map(|s| 1.0 / s).collect();
    let mut value = json!({
        "model": arch.to_string(),
        "loss": spec.name,
        "objective": spec.objective(),
        "recipe": spec.recipe,
        "trained_on": trained_on,
        "features": feature_names,
        "mean": model.mean,
        "std": std,
        "threshold": model.threshold,
    });
    let head = match arch {
        ModelArch::Linear => {
            let (bias, weights) = model
                .params
                .split_last()
                .ok_or_else(|| CliError::new("internal: empty model"))?;
            json!({
                "format": "anyloss-logistic-v1",
                "predict": "z = bias + sum_j weights[j] * (x_j - mean[j]) / std[j]; label 1 when sigmoid(z) >= threshold",
                "weights": weights,
                "bias": bias,
            })
        }
        ModelArch::Mlp(_) => json!({
            "format": "anyloss-mlp-v1",
            "predict": "a_0 = (x - mean) / std; a_k = relu(W_k a_{k-1} + b_k) for each hidden layer; z = W_out a + b_out; label 1 when sigmoid(z) >= threshold",
            "layers": layers(model)?,
        }),
    };
    if let (Some(out), Value::Object(head)) = (value.as_object_mut(), head) {
        out.extend(head);
    }
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| CliError::new(format!("cannot encode model: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| CliError::new(format!("{}: cannot write model: {e}", path.display())))
}

/// The layers of an MLP: per layer, the weight rows (one per unit), the biases and the
/// activation.
fn layers(model: &Model) -> Result<Vec<Value>, CliError> {
    let s = model.shape;
    let widths: Vec<usize> = [s.features, s.hidden[0], s.hidden[1], s.outputs]
        .into_iter()
        .filter(|&w| w > 0)
        .collect();
    let mut rest = model.params.as_slice();
    let mut out = Vec::new();
    for (k, pair) in widths.windows(2).enumerate() {
        let (inputs, units) = (pair[0], pair[1]);
        let len = units * (inputs + 1);
        if rest.len() < len {
            return Err(CliError::new(
                "internal: model parameters do not fit the shape",
            ));
        }
        let (layer, tail) = rest.split_at(len);
        rest = tail;
        let rows: Vec<&[f32]> = layer.chunks(inputs + 1).map(|u| &u[..inputs]).collect();
        let bias: Vec<f32> = layer.chunks(inputs + 1).map(|u| u[inputs]).collect();
        let last = k + 2 == widths.len();
        out.push(json!({
            "weights": rows,
            "bias": bias,
            "activation": if last { "sigmoid" } else { "relu" },
        }));
    }
    Ok(out)
}
