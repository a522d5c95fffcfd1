//! The cases of `tests/golden/binary.json` (float64 PyTorch autograd, see
//! `tests/golden/SOURCE.md`) and the comparison of a loss and gradient against them, shared
//! by the binary golden checks of the workspace (`golden_binary_check.rs`) and of the
//! framework adapters (`adapters/golden_check.rs`), which include this file with `#[path]`.

use serde_json::Value;

/// One batch of the golden file.
pub struct Case {
    /// The case's name.
    pub id: String,
    /// 0/1 labels.
    pub labels: Vec<u8>,
    /// Probabilities.
    pub probs: Vec<f64>,
    /// Per metric name: the reference, or `None` where the metric is undefined on the
    /// batch.
    pub metrics: Vec<(String, Option<Reference>)>,
}

/// The float64 autograd loss and gradient of one metric on one case.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The loss.
    pub loss: f64,
    /// `d loss / d p` per sample.
    pub grad: Vec<f64>,
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Every case of `golden_json`.
pub fn cases(golden_json: &str) -> Vec<Case> {
    let g: Value = serde_json::from_str(golden_json).expect("valid JSON");
    g["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| Case {
            id: case["id"].as_str().unwrap().to_string(),
            labels: f64s(&case["y"]).iter().map(|&y| y as u8).collect(),
            probs: f64s(&case["p"]),
            metrics: case["metrics"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, m)| {
                    let reference = (!m["loss"].is_null()).then(|| Reference {
                        loss: m["loss"].as_f64().unwrap(),
                        grad: f64s(&m["grad"]),
                    });
                    (name.clone(), reference)
                })
                .collect(),
        })
        .collect()
}

/// The worst errors of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Largest |loss − reference|.
    pub worst_loss: f64,
    /// Largest relative gradient error.
    pub worst_grad: f64,
    /// Gradient elements compared against the reference.
    pub checked: usize,
    /// Case × metric pairs whose reference is null.
    pub nulls: usize,
}

impl Report {
    /// Asserts the loss `got` within `loss_tol` of `want` and each gradient element within
    /// `grad_tol` relative of the reference wherever |reference| > 1e-30, and records the
    /// errors. `what` and `probs` name the case in a failure.
    pub fn compare(
        &mut self,
        what: &str,
        probs: &[f64],
        got: (f64, &[f64]),
        want: (f64, &[f64]),
        loss_tol: f64,
        grad_tol: f64,
    ) {
        let err = (got.0 - want.0).abs();
        self.worst_loss = self.worst_loss.max(err);
        assert!(err < loss_tol, "{what}: loss {} vs {}", got.0, want.0);
        for (i, (&g, &w)) in got.1.iter().zip(want.1).enumerate() {
            if w.abs() > 1e-30 {
                let rel = (g - w).abs() / w.abs();
                self.worst_grad = self.worst_grad.max(rel);
                assert!(
                    rel < grad_tol,
                    "{what}: grad[{i}] {g} vs {w} (p={})",
                    probs[i]
                );
                self.checked += 1;
            }
        }
    }
}
