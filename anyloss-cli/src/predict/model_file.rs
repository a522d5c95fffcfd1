//! Reading a saved model: the JSON of `--save model.json` (`anyloss-logistic-v1`,
//! `anyloss-mlp-v1`) or the core's binary device format, checked whole before anything uses
//! it: format name, shapes, finite values, a usable standardiser and threshold.
//!
//! The file's first byte decides: `{` or `[` (after white space) is JSON, anything else must be
//! the binary format, whose own header (magic, version, CRC-32) rejects every other file.

use std::io::Read;
use std::path::Path;

use anyloss_core::train::{HeadShape, MAX_CLASSES};
use serde_json::Value;

use crate::error::{excerpt, CliError};
use crate::train::data::LABEL;
use crate::train::fit::Model;
use crate::train::model::{ModelArch, MAX_WIDTH};

/// The name of the optional per-row weight column.
pub const WEIGHT: &str = "weight";

/// The JSON format of a linear head.
pub const LOGISTIC_V1: &str = "anyloss-logistic-v1";
/// The JSON format of an MLP head.
pub const MLP_V1: &str = "anyloss-mlp-v1";

/// The name [`SavedModel::format`] gives the binary device format.
pub const BINARY: &str = "binary";

/// The largest model file read: far beyond any head of [`MAX_WIDTH`]-wide layers a
/// microcontroller could hold, and a bound on the memory a wrong path can take.
pub const MAX_MODEL_BYTES: u64 = 256 << 20;

/// A model read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedModel {
    /// The head, its standardisation and threshold.
    pub model: Model,
    /// The feature names, in the model's input order; `None` when the file does not carry
    /// them (the binary format), and columns then match by position.
    pub features: Option<Vec<String>>,
    /// The format, for messages: a JSON `format` name or `binary`.
    pub format: String,
}

impl SavedModel {
    /// Reads and checks the model at `path`.
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let shown = path.display();
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::new(format!("--model {shown}: cannot read: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::new(format!("--model {shown}: cannot read: {e}")))?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(CliError::new(format!(
                "--model {shown}: larger than {} MiB; not an anyloss model",
                MAX_MODEL_BYTES >> 20
            )));
        }
        Self::parse(&bytes).map_err(|why| CliError::new(format!("--model {shown}: {why}")))
    }

    /// Parses and checks a model file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => Err("empty file; not an anyloss model".to_string()),
            Some(b'{' | b'[') => from_json(bytes),
            Some(_) => Ok(SavedModel {
                model: super::binary_model::from_binary(bytes)?,
                features: None,
                format: BINARY.to_string(),
            }),
        }
    }

    /// The model's sizes.
    pub fn shape(&self) -> HeadShape {
        self.model.shape
    }
}

/// Parses the JSON formats.
fn from_json(bytes: &[u8]) -> Result<SavedModel, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let top = value
        .as_object()
        .ok_or("the JSON is not an object; not an anyloss model")?;
    let format = top
        .get("format")
        .and_then(Value::as_str)
        .ok_or("no `format` string; not an anyloss model")?;
    let features = names(field(top, "features")?)?;
    let f = features.len();
    let mean = floats(field(top, "mean")?, f, "mean")?;
    let std = floats(field(top, "std")?, f, "std")?;
    if let Some(j) = std.iter().position(|&s| s <= 0.0) {
        return Err(format!("std[{j}] = {} must be > 0", std[j]));
    }
    let inv_std: Vec<f32> = match top.get("inv_std") {
        None => std.iter().map(|s| 1.0 / s).collect(),
        Some(v) => {
            let inv = floats(v, f, "inv_std")?;
            // The exact reciprocals written beside `std`: they agree with it to rounding.
            if let Some(j) = (0..f).find(|&j| ((std[j] * inv[j]) - 1.0).abs() > 1e-5) {
                return Err(format!(
                    "inv_std[{j}] = {} is not 1/std[{j}] = 1/{}",
                    inv[j], std[j]
                ));
            }
            inv
        }
    };
    if let Some(j) = inv_std.iter().position(|s| !s.is_finite() || *s == 0.0) {
        return Err(format!("std[{j}] = {:e} has no finite reciprocal", std[j]));
    }
    let threshold = number(field(top, "threshold")?, "threshold")?;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(format!("threshold {threshold} must be in [0, 1]"));
    }
    let (shape, params) = match format {
        LOGISTIC_V1 => {
            let mut params = floats(field(top, "weights")?, f, "weights")?;
            params.push(number(field(top, "bias")?, "bias")?);
            (HeadShape::linear(f, 1), params)
        }
        MLP_V1 => mlp_layers(field(top, "layers")?, f)?,
        other => {
            return Err(format!(
                "unknown format `{}` (this build reads {LOGISTIC_V1} and {MLP_V1})",
                excerpt(other)
            ))
        }
    };
    // The core's constructor checks the shape against the parameters once more.
    ModelArch::with_params(shape, params.clone()).map_err(|e| e.to_string())?;
    Ok(SavedModel {
        model: Model {
            shape,
            params,
            mean,
            inv_std,
            threshold,
        },
        features: Some(features),
        format: format.to_string(),
    })
}

fn field<'a>(top: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a Value, String> {
    top.get(name).ok_or_else(|| format!("no `{name}` field"))
}

/// The feature names: non-empty, distinct, not a reserved column name.
fn names(value: &Value) -> Result<Vec<String>, String> {
    let list = value
        .as_array()
        .ok_or("`features` is not a list of names")?;
    if list.is_empty() {
        return Err("`features` is empty; a model has at least one feature".to_string());
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (j, v) in list.iter().enumerate() {
        let name = v
            .as_str()
            .ok_or_else(|| format!("features[{j}] is not a string"))?;
        if name.trim().is_empty() || name.trim() != name {
            return Err(format!(
                "features[{j}] `{}` is not a column name",
                excerpt(name)
            ));
        }
        if name == LABEL {
            return Err(format!(
                "features[{j}] is `{LABEL}`, the label column's name"
            ));
        }
        if out.iter().any(|o| o == name) {
            return Err(format!("features[{j}] `{}` is listed twice", excerpt(name)));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

/// A finite f32.
fn number(value: &Value, what: &str) -> Result<f32, String> {
    let x = value
        .as_f64()
        .ok_or_else(|| format!("{what} is not a number"))?;
    let v = x as f32;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{what} = {x:e} is not a finite f32"))
    }
}

/// Exactly `len` finite f32.
fn floats(value: &Value, len: usize, what: &str) -> Result<Vec<f32>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| format!("{what} is not a list of numbers"))?;
    if list.len() != len {
        return Err(format!(
            "{what} has {} values; the model needs {len}",
            list.len()
        ));
    }
    list.iter()
        .enumerate()
        .map(|(j, v)| number(v, &format!("{what}[{j}]")))
        .collect()
}

/// The layers of an MLP over `f` features, in the core's parameter layout.
fn mlp_layers(value: &Value, f: usize) -> Result<(HeadShape, Vec<f32>), String> {
    let layers = value.as_array().ok_or("`layers` is not a list")?;
    if !(2..=3).contains(&layers.len()) {
        return Err(format!(
            "`layers` has {} layers; an MLP head has 1 or 2 hidden layers and an output layer",
            layers.len()
        ));
    }
    let mut params = Vec::new();
    let mut widths = vec![f];
    for (k, layer) in layers.iter().enumerate() {
        let at = |what: &str| format!("layers[{k}].{what}");
        let inputs = widths[k];
        let rows = layer
            .get("weights")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{} is not a list of rows", at("weights")))?;
        let units = rows.len();
        let last = k + 1 == layers.len();
        let limit = if last { MAX_CLASSES } else { MAX_WIDTH };
        if !(1..=limit).contains(&units) {
            return Err(format!(
                "{} has {units} units; 1 to {limit} allowed",
                at("weights")
            ));
        }
        let bias = floats(
            layer
                .get("bias")
                .ok_or_else(|| format!("no {}", at("bias")))?,
            units,
            &at("bias"),
        )?;
        let activation = layer
            .get("activation")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no {} string", at("activation")))?;
        let expected = match (last, units) {
            (false, _) => "relu",
            (true, 1) => "sigmoid",
            (true, _) => "softmax",
        };
        if activation != expected {
            return Err(format!(
                "{} is `{}`; a{} layer of {units} units takes `{expected}`",
                at("activation"),
                excerpt(activation),
                if last { "n output" } else { " hidden" },
            ));
        }
        for (u, row) in rows.iter().enumerate() {
            params.extend(floats(row, inputs, &at(&format!("weights[{u}]")))?);
            params.push(bias[u]);
        }
        widths.push(units);
    }
    let shape = HeadShape {
        features: f,
        hidden: [widths[1], if widths.len() == 4 { widths[2] } else { 0 }],
        outputs: widths[widths.len() - 1],
    };
    Ok((shape, params))
}
