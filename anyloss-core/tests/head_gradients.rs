//! Every head's parameter gradient, through every objective, against f64 central finite
//! differences of an objective written out independently of the crate (tests/support's
//! f64 forward pass), streamed through a small chunk or in one.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{Average, MulticlassLoss};
use anyloss_core::train::*;
use anyloss_core::{Amplifier, BinaryLoss};
use support::{batch_gradient, logits_f64, mlp_shape, uniform};

const BINARY_SHAPES: [HeadShape; 3] = [
    HeadShape::linear(3, 1),
    mlp_shape(3, [5, 0], 1),
    mlp_shape(3, [4, 3], 1),
];
const CLASS_SHAPES: [HeadShape; 3] = [
    HeadShape::linear(3, 3),
    mlp_shape(3, [5, 0], 3),
    mlp_shape(3, [4, 3], 3),
];

/// `n` samples of 3 features in [−1.5, 1.5) and labels `0..classes` in turn.
fn data(n: usize, classes: u8, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = SplitMix64::new(seed);
    let x = (0..3 * n).map(|_| uniform(&mut rng, -1.5, 1.5)).collect();
    let y = (0..n)
        .map(|i| (i % usize::from(classes)) as u8 ^ u8::from(i % 7 == 0 && classes == 2))
        .collect();
    (x, y)
}

fn random_params(shape: HeadShape, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..shape.params())
        .map(|_| uniform(&mut rng, -0.8, 0.8))
        .collect()
}

/// The crate's loss and gradient over all rows (in reverse order), in chunks of `chunk`.
fn crate_gradient<O: BatchObjective>(
    shape: HeadShape,
    params: &[f32],
    objective: O,
    x: &[f32],
    y: &[u8],
    chunk: usize,
) -> (f32, Vec<f32>) {
    let data = Dataset::new(x, y, 3).unwrap();
    let rows: Vec<u32> = (0..y.len() as u32).rev().collect();
    batch_gradient(shape, params, objective, &data, &rows, chunk)
}

/// Checks the crate's gradient against central differences of `reference` at `params`.
fn check(label: &str, params: &[f32], grad: &[f32], loss: f32, reference: impl Fn(&[f64]) -> f64) {
    let p64: Vec<f64> = params.iter().map(|&v| v as f64).collect();
    let value = reference(&p64);
    assert!(
        (loss as f64 - value).abs() < 1e-5,
        "{label}: loss {loss} vs {value}"
    );
    for k in 0..p64.len() {
        let (mut up, mut down) = (p64.clone(), p64.clone());
        up[k] += 1e-6;
        down[k] -= 1e-6;
        let fd = (reference(&up) - reference(&down)) / 2e-6;
        let err = (grad[k] as f64 - fd).abs() / fd.abs().max(1e-3);
        assert!(err < 1e-3, "{label}, parameter {k}: {} vs {fd}", grad[k]);
    }
}

/// `(1 − r)·mean BCE + r·(1 − F1)` over amplified sigmoid probabilities, in f64.
fn binary_reference(p: &[f64], shape: HeadShape, x: &[f32], y: &[u8], l: f64, r: f64) -> f64 {
    let (mut tp, mut fp, mut fn_, mut bce) = (0.0, 0.0, 0.0, 0.0);
    for (row, &label) in x.chunks(3).zip(y) {
        let xr: Vec<f64> = row.iter().map(|&v| v as f64).collect();
        let z = logits_f64(p, shape, &xr)[0];
        let prob = 1.0 / (1.0 + (-z).exp());
        let a = 1.0 / (1.0 + (-l * (prob - 0.5)).exp());
        let yf = label as f64;
        tp += yf * a;
        fn_ += yf * (1.0 - a);
        fp += (1.0 - yf) * a;
        bce += -(yf * prob.ln() + (1.0 - yf) * (1.0 - prob).ln());
    }
    let f1 = 2.0 * tp / (2.0 * tp + fp + fn_);
    (1.0 - r) * bce / y.len() as f64 + r * (1.0 - f1)
}

/// Per-sample softmax probabilities of a 3-class head, in f64.
fn softmax_f64(p: &[f64], shape: HeadShape, row: &[f32]) -> Vec<f64> {
    let xr: Vec<f64> = row.iter().map(|&v| v as f64).collect();
    let z = logits_f64(p, shape, &xr);
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
    z.iter().map(|v| (v - max).exp() / sum).collect()
}

fn cross_entropy_reference(p: &[f64], shape: HeadShape, x: &[f32], y: &[u8]) -> f64 {
    let total: f64 = x
        .chunks(3)
        .zip(y)
        .map(|(row, &c)| -softmax_f64(p, shape, row)[c as usize].ln())
        .sum();
    total / y.len() as f64
}

fn macro_f1_reference(p: &[f64], shape: HeadShape, x: &[f32], y: &[u8], l: f64) -> f64 {
    let (mut tp, mut fp, mut fn_) = ([0.0f64; 3], [0.0f64; 3], [0.0f64; 3]);
    for (row, &label) in x.chunks(3).zip(y) {
        let probs = softmax_f64(p, shape, row);
        for c in 0..3 {
            let a = 1.0 / (1.0 + (-l * (probs[c] - 0.5)).exp());
            let yc = f64::from(u8::from(label as usize == c));
            tp[c] += yc * a;
            fn_[c] += yc * (1.0 - a);
            fp[c] += (1.0 - yc) * a;
        }
    }
    1.0 - (0..3)
        .map(|c| 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn_[c]))
        .sum::<f64>()
        / 3.0
}

#[test]
fn binary_heads_match_f64_central_differences_for_bce_hybrid_and_f1() {
    let (x, y) = data(40, 2, 9);
    for (s, shape) in BINARY_SHAPES.into_iter().enumerate() {
        let params = random_params(shape, 100 + s as u64);
        for r in [0.0f32, 0.5, 1.0] {
            for chunk in [64usize, 7] {
                let loss = BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0).unwrap());
                let objective = BinaryObjective::hybrid(loss, r).unwrap();
                let (value, grad) = crate_gradient(shape, &params, objective, &x, &y, chunk);
                check(
                    &format!("{shape:?} r={r} chunk={chunk}"),
                    &params,
                    &grad,
                    value,
                    |p| binary_reference(p, shape, &x, &y, 10.0, r as f64),
                );
            }
        }
    }
}

#[test]
fn class_heads_match_f64_central_differences_for_cross_entropy_and_macro_f1() {
    let (x, y) = data(30, 3, 4);
    for (s, shape) in CLASS_SHAPES.into_iter().enumerate() {
        let params = random_params(shape, 200 + s as u64);
        for chunk in [64usize, 7] {
            let (value, grad) =
                crate_gradient(shape, &params, CrossEntropy::new(3).unwrap(), &x, &y, chunk);
            check(
                &format!("{shape:?} CE chunk={chunk}"),
                &params,
                &grad,
                value,
                |p| cross_entropy_reference(p, shape, &x, &y),
            );
            let loss = MulticlassLoss::averaged(F1, Average::Macro)
                .with_amplifier(Amplifier::new(4.0).unwrap());
            let objective = ClassMetric::<3, _>::new(loss).unwrap();
            let (value, grad) = crate_gradient(shape, &params, objective, &x, &y, chunk);
            check(
                &format!("{shape:?} macro-F1 chunk={chunk}"),
                &params,
                &grad,
                value,
                |p| macro_f1_reference(p, shape, &x, &y, 4.0),
            );
        }
    }
}
