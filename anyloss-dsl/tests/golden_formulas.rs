//! Built-in metrics written as formulas, through the whole binary loss, against the float64
//! autograd reference vectors (`tests/golden/binary.json` at the workspace root): loss
//! within 1e-5, gradient within 1e-3 relative wherever |ref| > 1e-30, and the documented
//! degenerate policy (smoothing, eps = 1) where the reference is null.

use anyloss_core::{BinaryLoss, Input, Metric};
use anyloss_dsl::FormulaMetric;
use serde_json::Value;

fn formula(name: &str) -> FormulaMetric {
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

#[test]
fn formula_metrics_match_autograd() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/binary.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (mut worst_loss, mut worst_grad, mut checked, mut nulls) = (0.0f64, 0.0f64, 0usize, 0usize);
    for case in g["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let labels: Vec<u8> = f64s(&case["y"]).iter().map(|&y| y as u8).collect();
        let probs: Vec<f32> = f64s(&case["p"]).iter().map(|&p| p as f32).collect();
        for (name, m) in case["metrics"].as_object().unwrap() {
            let metric = formula(name);
            let loss = BinaryLoss::new(metric.clone());
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
                nulls += 1;
                let smoothed = out.confusion.smoothed(1.0);
                let e = metric
                    .evaluate(&smoothed)
                    .expect("smoothed point is defined");
                assert_eq!(out.metric, e.value, "{id}/{name}: policy value");
                continue;
            }
            let want = m["loss"].as_f64().unwrap();
            let err = (f64::from(out.loss) - want).abs();
            worst_loss = worst_loss.max(err);
            assert!(err < 1e-5, "{id}/{name}: loss {} vs {want}", out.loss);
            for (i, (&got, want)) in grad.iter().zip(f64s(&m["grad"])).enumerate() {
                if want.abs() > 1e-30 {
                    let rel = (f64::from(got) - want).abs() / want.abs();
                    worst_grad = worst_grad.max(rel);
                    assert!(rel < 1e-3, "{id}/{name}: grad[{i}] {got} vs {want}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} gradient elements checked");
    assert!(nulls > 0);
    println!("formulas: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}, {checked} grads, {nulls} null cases");
}
