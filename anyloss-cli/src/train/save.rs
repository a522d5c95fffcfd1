//! `--save`: the trained head, the standardisation and the decision threshold, as JSON when
//! the path ends in `.json`, else in the core's binary device format; and the rules every
//! command that writes a model follows (no overwrite without `--force`, never the input,
//! never half a file).
//!
//! JSON: `format` names the head: `anyloss-logistic-v1` (`weights`, `bias`) or
//! `anyloss-mlp-v1` (`layers`, each `{"weights": [[...] per unit], "bias": [...],
//! "activation"}`); both carry `features`, `mean`, `std` and `threshold`, and `inv_std`,
//! the exact f32 reciprocals the model multiplies by (so a JSON and a binary copy of a model
//! predict the same bits; `1/std` may differ from it in the last bit).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::error::CliError;

use super::fit::Model;

/// How a model was made, for the JSON's descriptive fields.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// `--model`, e.g. `mlp:16`.
    pub model: &'a str,
    /// The loss's name.
    pub loss: &'a str,
    /// What it minimises, e.g. `1 - f1`.
    pub objective: &'a str,
    /// The recipe, as JSON.
    pub recipe: &'a Value,
    /// Which rows it was trained on.
    pub trained_on: &'a str,
}

/// Where a model goes and what it may replace.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The output path (`--save`).
    pub path: &'a Path,
    /// Files the command reads and must never replace (`--data`, and `--model` unless
    /// `--force`).
    pub inputs: Vec<(&'static str, &'a Path)>,
    /// `--force`: replace an existing file.
    pub force: bool,
}

/// The two encodings of a saved model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Pretty JSON (a path ending in `.json`).
    Json,
    /// The core's binary device format (any other path).
    Binary,
}

impl Encoding {
    /// The encoding `--save PATH` picks: JSON for `.json` (any case), binary otherwise.
    pub fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Encoding::Json,
            _ => Encoding::Binary,
        }
    }
}

impl Target<'_> {
    /// Checks the target before any work: not one of the inputs (whatever `--force` says
    /// for `--data`), not an existing file without `--force`, not a directory, and in a
    /// directory that exists.
    pub fn check(&self) -> Result<(), CliError> {
        let path = self.path;
        let shown = path.display();
        for &(flag, input) in &self.inputs {
            let replaceable = flag != "--data" && self.force;
            if !replaceable && same_file(path, input) {
                return Err(CliError::new(format!(
                    "--save {shown}: is the {flag} file; refusing to overwrite it{}",
                    if flag == "--data" {
                        String::new()
                    } else {
                        " (add --force to replace it)".to_string()
                    }
                )));
            }
        }
        if path.is_dir() {
            return Err(CliError::new(format!("--save {shown}: is a directory")));
        }
        if path.symlink_metadata().is_ok() && !self.force {
            return Err(CliError::new(format!(
                "--save {shown}: the file exists; add --force to overwrite it"
            )));
        }
        let dir = parent(path);
        if !dir.is_dir() {
            return Err(CliError::new(format!(
                "--save {shown}: the directory {} does not exist",
                dir.display()
            )));
        }
        Ok(())
    }

    /// Writes `bytes` to the target through a temporary file in the same directory, renamed
    /// into place only once complete, so a failure never leaves half a file. Without
    /// `--force` the final step is a hard link, which fails rather than replace a file that
    /// appeared since [`Target::check`].
    pub fn write(&self, bytes: &[u8]) -> Result<(), CliError> {
        self.check()?;
        let path = self.path;
        let failed = |what: &str, e: std::io::Error| {
            CliError::new(format!("--save {}: cannot {what}: {e}", path.display()))
        };
        let temp = temp_path(path);
        let result = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
                .map_err(|e| failed("create a temporary file beside it", e))?;
            file.write_all(bytes).map_err(|e| failed("write", e))?;
            file.sync_all().map_err(|e| failed("write", e))?;
            drop(file);
            if self.force {
                std::fs::rename(&temp, path).map_err(|e| failed("replace it", e))
            } else {
                std::fs::hard_link(&temp, path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        CliError::new(format!(
                            "--save {}: the file exists; add --force to overwrite it",
                            path.display()
                        ))
                    } else {
                        failed("create it", e)
                    }
                })
            }
        })();
        // After a rename the temporary name is gone; after a link or a failure it is removed.
        let _ = std::fs::remove_file(&temp);
        result
    }
}

/// The directory `path` lives in (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A fresh name beside `path` for the file being written.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    parent(path).join(format!(".{name}.{}.anyloss-tmp", std::process::id()))
}

/// Whether `a` and `b` name the same existing file (through links and relative paths).
fn same_file(a: &Path, b: &Path) -> bool {
    if b.as_os_str() == crate::records::STDIN {
        return false;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => same_inode(&x, &y),
        _ => false,
    }
}

#[cfg(unix)]
fn same_inode(x: &std::fs::Metadata, y: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    x.dev() == y.dev() && x.ino() == y.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Writes `model` to `target`, encoded as its path says.
pub fn write(
    target: &Target<'_>,
    feature_names: &[String],
    model: &Model,
    made: &Provenance<'_>,
) -> Result<(), CliError> {
    let bytes = match Encoding::of(target.path) {
        Encoding::Json => to_json(feature_names, model, made)?.into_bytes(),
        Encoding::Binary => to_binary(model)?,
    };
    target.write(&bytes)
}

/// The model as pretty JSON with a final newline.
pub fn to_json(
    feature_names: &[String],
    model: &Model,
    made: &Provenance<'_>,
) -> Result<String, CliError> {
    let std: Vec<f32> = model.inv_std.iter().map(|s| 1.0 / s).collect();
    let mut value = json!({
        "model": made.model,
        "loss": made.loss,
        "objective": made.objective,
        "recipe": made.recipe,
        "trained_on": made.trained_on,
        "features": feature_names,
        "mean": model.mean,
        "std": std,
        "inv_std": model.inv_std,
        "threshold": model.threshold,
    });
    let head = if model.shape.hidden[0] == 0 {
        if model.shape.outputs != 1 {
            return Err(CliError::new(
                "a linear softmax head has no JSON format: save it to a binary path (e.g. model.bin)",
            ));
        }
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
    } else {
        json!({
            "format": "anyloss-mlp-v1",
            "predict": "a_0 = (x - mean) / std; a_k = relu(W_k a_{k-1} + b_k) for each hidden layer; z = W_out a + b_out; label 1 when sigmoid(z) >= threshold",
            "layers": layers(model)?,
        })
    };
    if let (Some(out), Value::Object(head)) = (value.as_object_mut(), head) {
        out.extend(head);
    }
    serde_json::to_string_pretty(&value)
        .map(|text| text + "\n")
        .map_err(|e| CliError::new(format!("cannot encode model: {e}")))
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
        let activation = match (k + 2 == widths.len(), units) {
            (false, _) => "relu",
            (true, 1) => "sigmoid",
            (true, _) => "softmax",
        };
        out.push(json!({ "weights": rows, "bias": bias, "activation": activation }));
    }
    Ok(out)
}

/// The model in the core's binary device format.
fn to_binary(model: &Model) -> Result<Vec<u8>, CliError> {
    crate::predict::binary_model::to_binary(model).map_err(CliError::new)
}
