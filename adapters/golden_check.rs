//! The binary golden-vector check shared by the framework adapters' tests, which include
//! this file with `#[path]`: each passes a closure that runs its framework's loss and
//! backward on one case.
//!
//! Against `tests/golden/binary.json` (float64 PyTorch autograd, see `tests/golden/SOURCE.md`):
//! the loss within `loss_tol`, the gradient within `grad_tol` relative wherever
//! |ref| > 1e-30. Where the reference is null (the metric is undefined on the batch), the
//! adapter must agree with anyloss's own `BinaryLoss` (its degenerate policy) on f32 inputs.
//! Every metric is run twice: as the built-in and as the same formula.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{BinaryLoss, Input, Metric};

#[path = "../tests/support/golden_binary_cases.rs"]
mod golden_binary_cases;
#[path = "../tests/support/golden_formulas.rs"]
mod golden_formulas;

pub use golden_binary_cases::Report;
use golden_formulas::formula;

/// What an adapter returns for one case: the loss and `d loss / d p` per sample.
pub struct Run {
    /// The loss value.
    pub loss: f64,
    /// Its gradient with respect to the probabilities.
    pub grad: Vec<f64>,
}

/// The built-in metric the golden file calls `name`.
pub fn builtin(name: &str) -> Builtin {
    let (base, beta) = match name {
        "fbeta_0.5" => ("fbeta", Some(0.5)),
        "fbeta_2" => ("fbeta", Some(2.0)),
        other => (other, None),
    };
    let params = BuiltinParams { beta, alpha: None };
    Builtin::from_name(base, params)
        .unwrap_or_else(|| panic!("golden file names an unknown metric {name}"))
        .unwrap()
}

/// Runs every case and metric (built-in and formula) through `run(labels, probs, metric)`.
pub fn check(
    golden_json: &str,
    loss_tol: f64,
    grad_tol: f64,
    mut run: impl FnMut(&[u8], &[f64], &dyn Metric) -> Run,
) -> Report {
    let mut r = Report::default();
    for case in golden_binary_cases::cases(golden_json) {
        let (id, labels, probs) = (&case.id, &case.labels, &case.probs);
        for (name, reference) in &case.metrics {
            let metrics: [(&str, Box<dyn Metric>); 2] = [
                ("builtin", Box::new(builtin(name))),
                ("formula", Box::new(formula(name))),
            ];
            for (kind, metric) in &metrics {
                let got = run(labels, probs, metric.as_ref());
                let what = format!("{id}/{name} ({kind})");
                assert_eq!(got.grad.len(), labels.len(), "{what}: gradient length");
                assert!(got.loss.is_finite(), "{what}: loss not finite");
                assert!(got.grad.iter().all(|g| g.is_finite()), "{what}: grad");
                let want = match reference {
                    Some(reference) => (reference.loss, reference.grad.clone()),
                    None => {
                        r.nulls += 1;
                        core_reference(labels, probs, metric.as_ref())
                    }
                };
                r.compare(
                    &what,
                    probs,
                    (got.loss, &got.grad),
                    (want.0, &want.1),
                    loss_tol,
                    grad_tol,
                );
            }
        }
    }
    assert!(r.checked > 20_000, "only {} gradients checked", r.checked);
    assert!(r.nulls > 0, "no degenerate case was exercised");
    r
}

/// anyloss's own loss and gradient on f32 inputs: the reference where the metric is
/// undefined and the golden file has none.
fn core_reference(labels: &[u8], probs: &[f64], metric: &dyn Metric) -> (f64, Vec<f64>) {
    let p: Vec<f32> = probs.iter().map(|&p| p as f32).collect();
    let mut grad = vec![0.0f32; p.len()];
    let out = BinaryLoss::new(metric)
        .loss_and_grad(labels, Input::Probs(&p), &mut grad)
        .unwrap();
    (
        f64::from(out.loss),
        grad.into_iter().map(f64::from).collect(),
    )
}
