//! The multi-class engine against float64 PyTorch-autograd reference vectors of the seed
//! objective and macro-F1 (`tests/golden/multiclass.json`, see `tests/golden/SOURCE.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyloss::metrics::F1;
use anyloss::multiclass::{Layout, MulticlassLoss, Objective, Seed};
use anyloss::{Average, Input};
use serde_json::Value;

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/multiclass.json")).expect("valid JSON")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(row) => row.iter().map(|y| y.as_f64().unwrap()).collect(),
            None => vec![x.as_f64().unwrap()],
        })
        .collect()
}

struct Worst {
    loss: f64,
    grad: f64,
    checked: usize,
}

/// Runs `objective` on one case with `C` classes and checks it against `reference`.
fn check<const C: usize>(
    id: &str,
    objective: &dyn Objective,
    labels: &[u16],
    probs: &[f32],
    reference: &Value,
    worst: &mut Worst,
) {
    let layout = Layout::<C>::sample_major(labels.len()).unwrap();
    let mut grad = vec![0.0f32; probs.len()];
    let out = MulticlassLoss::new(objective)
        .loss_and_grad(&layout, labels, Input::Probs(probs), &mut grad)
        .unwrap();
    let want = reference["loss"].as_f64().unwrap();
    let rel = (out.loss as f64 - want).abs() / want.abs();
    worst.loss = worst.loss.max(rel);
    assert!(rel < 1e-5, "{id}: loss {} vs {want}", out.loss);
    let want_grad = f64s(&reference["grad"]);
    assert_eq!(want_grad.len(), grad.len(), "{id}: gradient shape");
    for (i, (&got, &want)) in grad.iter().zip(&want_grad).enumerate() {
        assert!(got.is_finite(), "{id}: grad[{i}] not finite");
        if want.abs() > 1e-30 {
            let rel = (got as f64 - want).abs() / want.abs();
            worst.grad = worst.grad.max(rel);
            assert!(
                rel < 1e-3,
                "{id}: grad[{}][{}] {got:e} vs {want:e} (p = {})",
                i / C,
                i % C,
                probs[i]
            );
            worst.checked += 1;
        }
    }
}

#[test]
fn seed_and_macro_f1_match_autograd() {
    let g = golden();
    assert_eq!(
        g["L"].as_f64(),
        Some(73.0),
        "the default amplifier is L = 73"
    );
    let macro_f1 = anyloss::multiclass::Averaged::new(F1, Average::Macro);
    let mut worst = Worst {
        loss: 0.0,
        grad: 0.0,
        checked: 0,
    };
    let mut cases = 0;
    for case in g["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let labels: Vec<u16> = f64s(&case["labels"]).iter().map(|&y| y as u16).collect();
        let probs: Vec<f32> = f64s(&case["p"]).iter().map(|&p| p as f32).collect();
        for (name, objective) in [
            ("seed_anyloss", &Seed::Original as &dyn Objective),
            ("macro_f1", &macro_f1),
        ] {
            let reference = &case[name];
            match case["C"].as_u64().unwrap() {
                3 => check::<3>(id, objective, &labels, &probs, reference, &mut worst),
                10 => check::<10>(id, objective, &labels, &probs, reference, &mut worst),
                other => panic!("{id}: no test instance for C = {other}"),
            }
        }
        cases += 1;
    }
    assert_eq!(cases, 20);
    assert!(
        worst.checked > 3000,
        "only {} gradient elements checked",
        worst.checked
    );
    println!(
        "max loss rel err = {:e}, max grad rel err = {:e}, {} grads",
        worst.loss, worst.grad, worst.checked
    );
}
