//! The multi-class engine against float64 PyTorch-autograd reference vectors of the
//! error-rate objective (`ErrorRate`) and macro-F1 (`tests/golden/multiclass.json`, see
//! `tests/golden/SOURCE.md`).

use anyloss::metrics::F1;
use anyloss::multiclass::{ErrorRate, Layout, MulticlassLoss, Objective};
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

/// Largest accepted relative loss error: about 5× the worst measured, 1.21e-7.
const LOSS_TOLERANCE: f64 = 6e-7;
/// Largest accepted relative gradient error: about 5× the worst measured, 4.67e-6.
const GRAD_TOLERANCE: f64 = 2.5e-5;

struct Worst {
    loss: f64,
    grad: f64,
    checked: usize,
}

/// Runs `objective` on one case with `C` classes, as `[N][C]` and as the pixels of one
/// NCHW image (the segmentation kernels: contiguous rows for the 50-sample cases), and
/// checks both against `reference`.
fn check<const C: usize>(
    id: &str,
    objective: &dyn Objective,
    labels: &[u16],
    probs: &[f32],
    reference: &Value,
    worst: &mut Worst,
) {
    let n = labels.len();
    let loss = MulticlassLoss::new(objective);
    let mut grad = vec![0.0f32; probs.len()];
    let out = loss
        .loss_and_grad(
            &Layout::<C>::sample_major(n).unwrap(),
            labels,
            Input::Probs(probs),
            &mut grad,
        )
        .unwrap();
    let planes: Vec<f32> = (0..C)
        .flat_map(|c| (0..n).map(move |i| probs[i * C + c]))
        .collect();
    let mut plane_grad = vec![0.0f32; probs.len()];
    let plane_out = loss
        .loss_and_grad(
            &Layout::<C>::class_planes(1, n).unwrap(),
            labels,
            Input::Probs(&planes),
            &mut plane_grad,
        )
        .unwrap();
    let want_loss = reference["loss"].as_f64().unwrap();
    let want_grad = f64s(&reference["grad"]);
    assert_eq!(want_grad.len(), grad.len(), "{id}: gradient shape");
    let plane_grad: Vec<f32> = (0..n * C)
        .map(|k| plane_grad[(k % C) * n + k / C])
        .collect();
    for (layout, loss, grad) in [
        ("[N][C]", out.loss, &grad),
        ("NCHW", plane_out.loss, &plane_grad),
    ] {
        let rel = (loss as f64 - want_loss).abs() / want_loss.abs();
        worst.loss = worst.loss.max(rel);
        assert!(
            rel < LOSS_TOLERANCE,
            "{id} {layout}: loss {loss} vs {want_loss}"
        );
        for (k, &want) in want_grad.iter().enumerate() {
            let (i, c) = (k / C, k % C);
            let got = grad[k];
            assert!(got.is_finite(), "{id} {layout}: grad[{i}][{c}] not finite");
            if want.abs() > 1e-30 {
                let rel = (got as f64 - want).abs() / want.abs();
                worst.grad = worst.grad.max(rel);
                assert!(
                    rel < GRAD_TOLERANCE,
                    "{id} {layout}: grad[{i}][{c}] {got:e} vs {want:e} (p = {})",
                    probs[k]
                );
                worst.checked += 1;
            }
        }
    }
}

#[test]
fn error_rate_and_macro_f1_match_autograd() {
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
            ("seed_anyloss", &ErrorRate::Original as &dyn Objective),
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
        worst.checked > 6000,
        "only {} gradient elements checked",
        worst.checked
    );
    println!(
        "max loss rel err = {:e}, max grad rel err = {:e}, {} grads",
        worst.loss, worst.grad, worst.checked
    );
}
