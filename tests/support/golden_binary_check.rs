//! The binary golden-vector check, shared by the workspace's tests of built-in metrics
//! (`tests/golden_binary.rs`) and of the same metrics as formulas
//! (`anyloss-dsl/tests/golden_formulas.rs`), which include this file with `#[path]`.
//!
//! Against `tests/golden/binary.json` (float64 PyTorch autograd, see `tests/golden/SOURCE.md`):
//! loss within [`LOSS_TOLERANCE`], gradient within [`GRAD_TOLERANCE`] relative wherever
//! |ref| > 1e-30, and where the reference is null (undefined metric), the documented policy:
//! the metric at the entries smoothed by one pseudo-count per cell.
//!
//! The tolerances are about 5× the worst errors measured with the `libm` backend, the one
//! the workspace's tests build (`micromath` has its own bounds in
//! `anyloss-core/tests/backend_accuracy.rs`): loss 1.89e-7 (built-ins) and 1.68e-7
//! (formulas), gradient 4.01e-6 (formulas, 4 lanes) and 3.84e-6 (built-ins, 8 lanes).

use anyloss_core::{BinaryLoss, Input, Metric};
use serde_json::Value;

/// Largest accepted |loss − reference|.
pub const LOSS_TOLERANCE: f64 = 1e-6;
/// Largest accepted |gradient − reference| / |reference|.
pub const GRAD_TOLERANCE: f64 = 2e-5;

/// The worst errors of a run.
pub struct Report {
    /// Largest |loss - reference|.
    pub worst_loss: f64,
    /// Largest relative gradient error.
    pub worst_grad: f64,
    /// Gradient elements compared.
    pub checked: usize,
    /// Cases whose reference is null.
    pub nulls: usize,
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Runs every case and metric of the golden file through `BinaryLoss` with the metric
/// `metric(name)` gives, asserting the tolerances above.
pub fn check<M: Metric>(golden_json: &str, metric: impl Fn(&str) -> M) -> Report {
    let g: Value = serde_json::from_str(golden_json).expect("valid JSON");
    let mut r = Report {
        worst_loss: 0.0,
        worst_grad: 0.0,
        checked: 0,
        nulls: 0,
    };
    for case in g["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let labels: Vec<u8> = f64s(&case["y"]).iter().map(|&y| y as u8).collect();
        let probs: Vec<f32> = f64s(&case["p"]).iter().map(|&p| p as f32).collect();
        for (name, m) in case["metrics"].as_object().unwrap() {
            let loss = BinaryLoss::new(metric(name));
            let mut grad = vec![0.0f32; labels.len()];
            let out = loss
                .loss_and_grad(&labels, Input::Probs(&probs), &mut grad)
                .unwrap();
            assert!(out.loss.is_finite(), "{id}/{name}: loss not finite");
            assert!(
                grad.iter().all(|g| g.is_finite()),
                "{id}/{name}: grad not finite"
            );
            if m["loss"].is_null() {
                r.nulls += 1;
                let smoothed = out.confusion.smoothed(1.0);
                let e = loss
                    .metric()
                    .evaluate(&smoothed)
                    .expect("smoothed point is defined");
                assert_eq!(out.metric, e.value, "{id}/{name}: policy value");
                continue;
            }
            let want = m["loss"].as_f64().unwrap();
            let err = (f64::from(out.loss) - want).abs();
            r.worst_loss = r.worst_loss.max(err);
            assert!(
                err < LOSS_TOLERANCE,
                "{id}/{name}: loss {} vs {want}",
                out.loss
            );
            for (i, (&got, want)) in grad.iter().zip(f64s(&m["grad"])).enumerate() {
                if want.abs() > 1e-30 {
                    let rel = (f64::from(got) - want).abs() / want.abs();
                    r.worst_grad = r.worst_grad.max(rel);
                    assert!(
                        rel < GRAD_TOLERANCE,
                        "{id}/{name}: grad[{i}] {got} vs {want} (p={})",
                        probs[i]
                    );
                    r.checked += 1;
                }
            }
        }
    }
    assert!(
        r.checked > 10_000,
        "only {} gradient elements checked",
        r.checked
    );
    assert!(r.nulls > 0);
    r
}
