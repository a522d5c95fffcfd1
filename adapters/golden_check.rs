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
use anyloss_dsl::FormulaMetric;
use serde_json::Value;

/// What an adapter returns for one case: the loss and `d loss / d p` per sample.
pub struct Run {
    /// The loss value.
    pub loss: f64,
    /// Its gradient with respect to the probabilities.
    pub grad: Vec<f64>,
}

/// The worst errors of a run.
#[derive(Debug)]
pub struct Report {
    /// Largest |loss − reference|.
    pub worst_loss: f64,
    /// Largest relative gradient error.
    pub worst_grad: f64,
    /// Gradient elements compared against the reference.
    pub checked: usize,
    /// Case × metric pairs whose reference is null, checked against the core instead.
    pub nulls: usize,
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

/// The same metric written as a formula.
pub fn formula(name: &str) -> FormulaMetric {
    let fbeta = "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)";
    let (source, params): (&str, &[(&str, f64)]) = match name {
        "accuracy" => ("(TP+TN)/TOTAL", &[]),
        "f1" => ("2*TP/(2*TP+FP+FN)", &[]),
        "fbeta_0.5" => (fbeta, &[("beta", 0.5)]),
        "fbeta_2" => (fbeta, &[("beta", 2.0)]),
        "gmean" => (
            "recall = TP/POS; specificity = TN/NEG; sqrt(recall*specificity)",
            &[],
        ),
        "balanced_accuracy" => ("(TP/POS + TN/NEG)/2", &[]),
        "mcc" => ("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", &[]),
        other => panic!("golden file names an unknown metric {other}"),
    };
    FormulaMetric::compile(source, params).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Runs every case and metric (built-in and formula) through `run(labels, probs, metric)`.
pub fn check(
    golden_json: &str,
    loss_tol: f64,
    grad_tol: f64,
    mut run: impl FnMut(&[u8], &[f64], &dyn Metric) -> Run,
) -> Report {
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
        let probs = f64s(&case["p"]);
        for (name, m) in case["metrics"].as_object().unwrap() {
            let metrics: [(&str, Box<dyn Metric>); 2] = [
                ("builtin", Box::new(builtin(name))),
                ("formula", Box::new(formula(name))),
            ];
            for (kind, metric) in &metrics {
                let got = run(&labels, &probs, metric.as_ref());
                let what = format!("{id}/{name} ({kind})");
                assert_eq!(got.grad.len(), labels.len(), "{what}: gradient length");
                assert!(got.loss.is_finite(), "{what}: loss not finite");
                assert!(got.grad.iter().all(|g| g.is_finite()), "{what}: grad");
                let (want_loss, want_grad) = if m["loss"].is_null() {
                    r.nulls += 1;
                    core_reference(&labels, &probs, metric.as_ref())
                } else {
                    (m["loss"].as_f64().unwrap(), f64s(&m["grad"]))
                };
                let err = (got.loss - want_loss).abs();
                r.worst_loss = r.worst_loss.max(err);
                assert!(err < loss_tol, "{what}: loss {} vs {want_loss}", got.loss);
                for (i, (&got, want)) in got.grad.iter().zip(want_grad).enumerate() {
                    if want.abs() > 1e-30 {
                        let rel = (got - want).abs() / want.abs();
                        r.worst_grad = r.worst_grad.max(rel);
                        assert!(rel < grad_tol, "{what}: grad[{i}] {got} vs {want}");
                        r.checked += 1;
                    }
                }
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
