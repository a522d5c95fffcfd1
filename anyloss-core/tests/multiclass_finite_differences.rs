//! Multi-class gradients against f64 central finite differences of an independent f64
//! implementation: micro and weighted (and macro) averages of several metrics, the error-rate
//! objectives, and the softmax-logit path, with ignored samples mixed in.

use anyloss_core::metrics::{Accuracy, GMean, Mcc, Recall, F1};
use anyloss_core::multiclass::{Averaged, ErrorRate, Layout, MulticlassLoss, Objective};
use anyloss_core::{Amplifier, Average, Input, Metric};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

const IGNORE: u8 = 255;

/// The metrics checked, written out in f64 independently of the crate.
fn metric_f64(name: &str, [tp, fn_, fp, tn]: [f64; 4]) -> f64 {
    match name {
        "f1" => 2.0 * tp / (2.0 * tp + fp + fn_),
        "mcc" => (tp * tn - fp * fn_) / ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt(),
        "recall" => tp / (tp + fn_),
        "accuracy" => (tp + tn) / (tp + fn_ + fp + tn),
        "gmean" => (tp / (tp + fn_) * tn / (tn + fp)).sqrt(),
        other => panic!("no reference for {other}"),
    }
}

#[derive(Clone, Copy)]
enum RefObjective {
    Averaged(&'static str, Average),
    ErrorRate(ErrorRate),
}

/// The loss in f64 over `p` in `[n][C]` layout (probabilities, or logits through softmax).
fn loss_f64(
    objective: RefObjective,
    l: f64,
    c: usize,
    labels: &[u8],
    values: &[f64],
    logits: bool,
) -> f64 {
    let mut entries = vec![[0.0f64; 4]; c];
    let mut support = vec![0.0f64; c];
    for (y, row) in labels.iter().zip(values.chunks(c)) {
        if *y == IGNORE {
            continue;
        }
        support[*y as usize] += 1.0;
        let probs: Vec<f64> = if logits {
            let max = row.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = row.iter().map(|z| (z - max).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|x| x / s).collect()
        } else {
            row.to_vec()
        };
        for (k, p) in probs.iter().enumerate() {
            let a = 1.0 / (1.0 + (-l * (p - 0.5)).exp());
            let e = &mut entries[k];
            if usize::from(*y) == k {
                e[0] += a;
                e[1] += 1.0 - a;
            } else {
                e[2] += a;
                e[3] += 1.0 - a;
            }
        }
    }
    let n: f64 = support.iter().sum();
    match objective {
        RefObjective::ErrorRate(s) => {
            let errors: f64 = entries.iter().map(|e| e[1] + e[2]).sum();
            match s {
                ErrorRate::Original => errors / c as f64,
                _ => errors / (c as f64 * n),
            }
        }
        RefObjective::Averaged(name, Average::Macro) => {
            1.0 - entries.iter().map(|e| metric_f64(name, *e)).sum::<f64>() / c as f64
        }
        RefObjective::Averaged(name, Average::Weighted) => {
            1.0 - entries
                .iter()
                .zip(&support)
                .map(|(e, s)| s / n * metric_f64(name, *e))
                .sum::<f64>()
        }
        RefObjective::Averaged(name, _) => {
            let mut pooled = [0.0f64; 4];
            for e in &entries {
                for (p, x) in pooled.iter_mut().zip(e) {
                    *p += x;
                }
            }
            1.0 - metric_f64(name, pooled)
        }
    }
}

fn builtin(name: &str) -> Box<dyn Metric> {
    match name {
        "f1" => Box::new(F1),
        "mcc" => Box::new(Mcc),
        "recall" => Box::new(Recall),
        "accuracy" => Box::new(Accuracy),
        "gmean" => Box::new(GMean),
        other => panic!("{other}"),
    }
}

/// A batch of `n` samples and 4 classes where every class is present and a few samples are
/// ignored; probabilities near 0.5 so that the amplifier's slope is not negligible.
fn batch(rng: &mut TestRng, n: usize, spread: f64, logits: bool) -> (Vec<u8>, Vec<f64>) {
    let labels: Vec<u8> = (0..n)
        .map(|i| {
            if i % 11 == 5 {
                IGNORE
            } else if i < 4 {
                i as u8
            } else {
                rng.random_range(0..4u8)
            }
        })
        .collect();
    let values = (0..n * 4)
        .map(|_| {
            let u: f64 = rng.random_range(-1.0..1.0);
            if logits {
                3.0 * u
            } else {
                0.5 + spread * u
            }
        })
        .collect();
    (labels, values)
}

/// Checks the analytic gradient of `objective` against central differences of `reference`.
fn check(
    what: &str,
    objective: &dyn Objective,
    reference: RefObjective,
    l: f32,
    spread: f64,
    logits: bool,
) {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    for n in [7usize, 40] {
        let (labels, values) = batch(&mut rng, n, spread, logits);
        let values32: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        // Differentiate at exactly the f32 point the crate sees.
        let values: Vec<f64> = values32.iter().map(|&v| f64::from(v)).collect();
        let input = if logits {
            Input::Logits(&values32)
        } else {
            Input::Probs(&values32)
        };
        let loss = MulticlassLoss::new(objective)
            .with_amplifier(Amplifier::new(l).unwrap())
            .with_ignore(u32::from(IGNORE));
        let layout = Layout::<4>::sample_major(n).unwrap();
        let mut grad = vec![0.0f32; values.len()];
        let out = loss
            .loss_and_grad(&layout, &labels, input, &mut grad)
            .unwrap();
        let l = f64::from(l);
        let want = loss_f64(reference, l, 4, &labels, &values, logits);
        assert!(
            (f64::from(out.loss) - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{what} n={n}: loss {} vs {want}",
            out.loss
        );
        let h = 1e-6;
        let fd: Vec<f64> = (0..values.len())
            .map(|i| {
                let mut v = values.clone();
                v[i] += h;
                let up = loss_f64(reference, l, 4, &labels, &v, logits);
                v[i] -= 2.0 * h;
                let down = loss_f64(reference, l, 4, &labels, &v, logits);
                (up - down) / (2.0 * h)
            })
            .collect();
        let scale = fd.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        assert!(
            scale > 1e-3,
            "{what} n={n}: the check needs a live gradient"
        );
        for (i, (&got, &want)) in grad.iter().zip(&fd).enumerate() {
            let err = (f64::from(got) - want).abs();
            assert!(
                err <= 1e-3 * want.abs() + 1e-5 * scale,
                "{what} n={n}: grad[{}][{}] {got:e} vs {want:e} (label {})",
                i / 4,
                i % 4,
                labels[i / 4]
            );
            if labels[i / 4] == IGNORE {
                assert_eq!(got, 0.0, "{what}: an ignored sample got a gradient");
            }
        }
    }
}

fn check_metric(name: &'static str, average: Average, l: f32, spread: f64, logits: bool) {
    let metric = builtin(name);
    let objective = Averaged::new(metric.as_ref(), average);
    let what = format!("{} {name} L={l} logits={logits}", average.name());
    check(
        &what,
        &objective,
        RefObjective::Averaged(name, average),
        l,
        spread,
        logits,
    );
}

#[test]
fn micro_average_matches_central_differences() {
    for name in ["f1", "mcc", "accuracy", "gmean"] {
        check_metric(name, Average::Micro, 10.0, 0.3, false);
        check_metric(name, Average::Micro, 73.0, 0.04, false);
    }
}

#[test]
fn weighted_average_matches_central_differences() {
    for name in ["f1", "mcc", "recall", "gmean"] {
        check_metric(name, Average::Weighted, 10.0, 0.3, false);
        check_metric(name, Average::Weighted, 73.0, 0.04, false);
    }
}

#[test]
fn macro_average_matches_central_differences() {
    for name in ["f1", "mcc", "recall"] {
        check_metric(name, Average::Macro, 10.0, 0.3, false);
    }
}

#[test]
fn error_rate_objectives_match_central_differences() {
    for objective in [ErrorRate::Original, ErrorRate::Normalized] {
        check(
            &format!("{objective:?}"),
            &objective,
            RefObjective::ErrorRate(objective),
            10.0,
            0.3,
            false,
        );
    }
}

#[test]
fn softmax_logit_gradient_matches_central_differences() {
    for average in Average::ALL {
        check_metric("f1", average, 10.0, 0.0, true);
        check_metric("mcc", average, 5.0, 0.0, true);
    }
    for objective in [ErrorRate::Original, ErrorRate::Normalized] {
        check(
            &format!("{objective:?} logits"),
            &objective,
            RefObjective::ErrorRate(objective),
            10.0,
            0.0,
            true,
        );
    }
}
