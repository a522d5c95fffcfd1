//! Sample weights (zero weights included), decision thresholds 0.3 and 0.7, logits, and
//! multi-label macro / micro / weighted / per-label losses against float64 PyTorch-autograd
//! vectors (`tests/golden/features.json`, made by `tests/golden/features.py`), at the binary
//! golden tolerances: loss within 1e-5, gradient within 1e-3 relative wherever the
//! reference is above 1e-30 in magnitude (and within 1e-6 absolute elsewhere, which
//! covers the exact zeros of zero-weight samples).

use anyloss::metrics::Builtin;
use anyloss::multilabel::MultilabelLoss;
use anyloss::{Average, BinaryLoss, Input};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/features.json");

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn labels(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect()
}

/// Largest relative gradient error, asserting both tolerances on every element.
fn check_grad(id: &str, got: &[f32], want: &Value) -> f64 {
    let want: Vec<f64> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), want.len(), "{id}");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        if w.abs() > 1e-30 {
            let rel = (f64::from(g) - w).abs() / w.abs();
            worst = worst.max(rel);
            assert!(rel < 1e-3, "{id}: grad[{i}] {g} vs {w}");
        } else {
            assert!(f64::from(g).abs() < 1e-6, "{id}: grad[{i}] {g} vs {w}");
        }
    }
    worst
}

fn input<'a>(case: &Value, x: &'a [f32]) -> Input<'a> {
    match case["input"].as_str().unwrap() {
        "probs" => Input::Probs(x),
        "logits" => Input::Logits(x),
        other => panic!("unknown input kind {other}"),
    }
}

#[test]
fn binary_weights_thresholds_and_logits_match_autograd() {
    let g: Value = serde_json::from_str(GOLDEN).unwrap();
    let (mut worst_loss, mut worst_grad, mut zero_weights) = (0.0f64, 0.0f64, 0);
    let cases = g["binary"].as_array().unwrap();
    assert!(cases.len() >= 64);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let metric: Builtin = case["metric"].as_str().unwrap().parse().unwrap();
        let t = case["threshold"].as_f64().unwrap() as f32;
        let loss = BinaryLoss::new(metric).with_threshold(t).unwrap();
        let (y, x) = (labels(&case["y"]), f32s(&case["x"]));
        let mut grad = vec![0.0f32; y.len()];
        let out = if case["w"].is_null() {
            loss.loss_and_grad(&y, input(case, &x), &mut grad)
        } else {
            let w = f32s(&case["w"]);
            zero_weights += w.iter().filter(|&&v| v == 0.0).count();
            for (i, &wi) in w.iter().enumerate() {
                if wi == 0.0 {
                    assert_eq!(case["grad"][i].as_f64(), Some(0.0), "{id}: reference");
                }
            }
            loss.loss_and_grad_weighted(&y, input(case, &x), &w, &mut grad)
        }
        .unwrap();
        let err = (f64::from(out.loss) - case["loss"].as_f64().unwrap()).abs();
        worst_loss = worst_loss.max(err);
        assert!(err < 1e-5, "{id}: loss {} vs {}", out.loss, case["loss"]);
        for (got, key) in [
            (out.confusion.tp, "tp"),
            (out.confusion.fn_, "fn"),
            (out.confusion.fp, "fp"),
            (out.confusion.tn, "tn"),
        ] {
            let want = case[key].as_f64().unwrap();
            assert!(
                (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{id}: {key}"
            );
        }
        worst_grad = worst_grad.max(check_grad(id, &grad, &case["grad"]));
    }
    assert!(zero_weights > 10, "the vectors must exercise zero weights");
    println!("binary: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}

#[test]
fn multilabel_averages_match_autograd() {
    const C: usize = 4;
    let g: Value = serde_json::from_str(GOLDEN).unwrap();
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    let cases = g["multilabel"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        assert_eq!(case["classes"].as_u64(), Some(C as u64));
        let metric: Builtin = case["metric"].as_str().unwrap().parse().unwrap();
        let average = match case["average"].as_str().unwrap() {
            "none" => None,
            name => Some(Average::from_name(name).unwrap()),
        };
        let t = case["threshold"].as_f64().unwrap() as f32;
        let mut loss = MultilabelLoss::<_, C>::new(metric, average)
            .with_threshold(t)
            .unwrap();
        if !case["class_weights"].is_null() {
            let v = f32s(&case["class_weights"]);
            loss = loss.with_class_weights(v.try_into().unwrap()).unwrap();
        }
        let (y, x) = (labels(&case["y"]), f32s(&case["x"]));
        let mut grad = vec![0.0f32; y.len()];
        let out = if case["w"].is_null() {
            loss.loss_and_grad(&y, input(case, &x), &mut grad)
        } else {
            let w = f32s(&case["w"]);
            loss.loss_and_grad_weighted(&y, input(case, &x), &w, &mut grad)
        }
        .unwrap();
        let err = (f64::from(out.loss) - case["loss"].as_f64().unwrap()).abs();
        worst_loss = worst_loss.max(err);
        assert!(err < 1e-5, "{id}: loss {} vs {}", out.loss, case["loss"]);
        for (c, want) in case["per_class"].as_array().unwrap().iter().enumerate() {
            let want = want.as_f64().unwrap();
            assert!(
                (f64::from(out.per_class[c]) - want).abs() < 1e-5,
                "{id}: per_class[{c}] {} vs {want}",
                out.per_class[c]
            );
        }
        worst_grad = worst_grad.max(check_grad(id, &grad, &case["grad"]));
    }
    println!("multilabel: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}
