//! The binary engine against float64 PyTorch-autograd reference vectors
//! (`tests/golden/binary.json`, see `tests/golden/SOURCE.md`).

use anyloss::metrics::{Accuracy, BalancedAccuracy, FBeta, GMean, Mcc, F1};
use anyloss::{BinaryLoss, Input, Metric};
use serde_json::Value;

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/binary.json")).expect("valid JSON")
}

fn metric(name: &str) -> Box<dyn Metric> {
    match name {
        "accuracy" => Box::new(Accuracy),
        "f1" => Box::new(F1),
        "fbeta_0.5" => Box::new(FBeta::new(0.5).unwrap()),
        "fbeta_2" => Box::new(FBeta::new(2.0).unwrap()),
        "gmean" => Box::new(GMean),
        "balanced_accuracy" => Box::new(BalancedAccuracy),
        "mcc" => Box::new(Mcc),
        other => panic!("golden file names an unknown metric {other}"),
    }
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn every_metric_matches_autograd() {
    let g = golden();
    let mut worst_loss = 0.0f64;
    let mut worst_grad = 0.0f64;
    let mut checked = 0usize;
    let mut nulls = 0usize;
    for case in g["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let labels: Vec<u8> = f64s(&case["y"]).iter().map(|&y| y as u8).collect();
        let probs: Vec<f32> = f64s(&case["p"]).iter().map(|&p| p as f32).collect();
        for (name, m) in case["metrics"].as_object().unwrap() {
            let boxed = metric(name);
            let loss = BinaryLoss::new(boxed.as_ref());
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
                // Undefined in the reference: the documented policy (default smoothing,
                // eps = 1) must give the metric at the smoothed point.
                nulls += 1;
                let smoothed = out.confusion.smoothed(1.0);
                let e = metric(name)
                    .evaluate(&smoothed)
                    .expect("smoothed point is defined");
                assert_eq!(out.metric, e.value, "{id}/{name}: policy value");
                continue;
            }
            let want = m["loss"].as_f64().unwrap();
            let err = (out.loss as f64 - want).abs();
            worst_loss = worst_loss.max(err);
            assert!(err < 1e-5, "{id}/{name}: loss {} vs {want}", out.loss);
            for (i, (&got, want)) in grad.iter().zip(f64s(&m["grad"])).enumerate() {
                if want.abs() > 1e-30 {
                    let rel = (got as f64 - want).abs() / want.abs();
                    worst_grad = worst_grad.max(rel);
                    assert!(
                        rel < 1e-3,
                        "{id}/{name}: grad[{i}] {got} vs {want} (p={})",
                        probs[i]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} gradient elements checked");
    assert!(nulls > 0);
    println!("max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}, {checked} grads, {nulls} null cases");
}
