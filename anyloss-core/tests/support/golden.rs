//! The binary golden vectors (`tests/golden/binary.json` of the workspace: float64 PyTorch
//! autograd) as typed cases, and the built-in metric each of its metric names stands for.

use anyloss_core::metrics::{Accuracy, BalancedAccuracy, FBeta, GMean, Mcc, F1};
use anyloss_core::Metric;
use serde_json::Value;

/// The golden file: the steepness `L` its references use and its cases.
pub struct BinaryGolden {
    pub l: f64,
    pub cases: Vec<GoldenCase>,
}

/// One batch and the reference loss and gradient of each metric defined on it.
pub struct GoldenCase {
    pub id: String,
    pub labels: Vec<u8>,
    pub probs: Vec<f32>,
    /// The metrics whose reference is defined (a null reference, an undefined metric, is
    /// left out).
    pub metrics: Vec<GoldenMetric>,
}

/// A metric's reference on one case.
pub struct GoldenMetric {
    pub name: String,
    pub loss: f64,
    pub grad: Vec<f64>,
}

/// An array of numbers.
fn f64s(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

/// Reads `tests/golden/binary.json`.
pub fn binary_golden() -> BinaryGolden {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/binary.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = g["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| GoldenCase {
            id: case["id"].as_str().unwrap().to_string(),
            labels: case["y"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| u8::try_from(v.as_u64().unwrap()).unwrap())
                .collect(),
            probs: f64s(&case["p"]).iter().map(|&p| p as f32).collect(),
            metrics: case["metrics"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, m)| !m["loss"].is_null())
                .map(|(name, m)| GoldenMetric {
                    name: name.clone(),
                    loss: m["loss"].as_f64().unwrap(),
                    grad: f64s(&m["grad"]),
                })
                .collect(),
        })
        .collect();
    BinaryGolden {
        l: g["L"].as_f64().unwrap(),
        cases,
    }
}

/// The built-in metric a golden metric name stands for.
pub fn metric(name: &str) -> &'static dyn Metric {
    match name {
        "accuracy" => &Accuracy,
        "f1" => &F1,
        "fbeta_0.5" => Box::leak(Box::new(FBeta::new(0.5).unwrap())),
        "fbeta_2" => Box::leak(Box::new(FBeta::new(2.0).unwrap())),
        "gmean" => &GMean,
        "balanced_accuracy" => &BalancedAccuracy,
        "mcc" => &Mcc,
        other => panic!("unknown metric {other}"),
    }
}
