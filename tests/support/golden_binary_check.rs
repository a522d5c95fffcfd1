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

#[path = "golden_binary_cases.rs"]
mod golden_binary_cases;

pub use golden_binary_cases::Report;

/// Largest accepted |loss − reference|.
pub const LOSS_TOLERANCE: f64 = 1e-6;
/// Largest accepted |gradient − reference| / |reference|.
pub const GRAD_TOLERANCE: f64 = 2e-5;

/// Runs every case and metric of the golden file through `BinaryLoss` with the metric
/// `metric(name)` gives, asserting the tolerances above.
pub fn check<M: Metric>(golden_json: &str, metric: impl Fn(&str) -> M) -> Report {
    let mut r = Report::default();
    for case in golden_binary_cases::cases(golden_json) {
        let (id, labels) = (&case.id, &case.labels);
        let probs: Vec<f32> = case.probs.iter().map(|&p| p as f32).collect();
        for (name, reference) in &case.metrics {
            let loss = BinaryLoss::new(metric(name));
            let mut grad = vec![0.0f32; labels.len()];
            let out = loss
                .loss_and_grad(labels, Input::Probs(&probs), &mut grad)
                .unwrap();
            assert!(out.loss.is_finite(), "{id}/{name}: loss not finite");
            assert!(
                grad.iter().all(|g| g.is_finite()),
                "{id}/{name}: grad not finite"
            );
            let Some(reference) = reference else {
                r.nulls += 1;
                let smoothed = out.confusion.smoothed(1.0);
                let e = loss
                    .metric()
                    .evaluate(&smoothed)
                    .expect("smoothed point is defined");
                assert_eq!(out.metric, e.value, "{id}/{name}: policy value");
                continue;
            };
            let grad: Vec<f64> = grad.iter().map(|&g| f64::from(g)).collect();
            let probs: Vec<f64> = probs.iter().map(|&p| f64::from(p)).collect();
            r.compare(
                &format!("{id}/{name}"),
                &probs,
                (f64::from(out.loss), &grad),
                (reference.loss, &reference.grad),
                LOSS_TOLERANCE,
                GRAD_TOLERANCE,
            );
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
