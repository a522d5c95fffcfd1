//! Shared by the adapters' behaviour tests (included with `#[path]`): deterministic inputs,
//! a closeness check, an independent f64 reference (AnyLoss from its definition with the
//! metric from a formula's f64 evaluator and its gradient by central finite differences),
//! and the checks both adapters must pass, each given a closure that runs its framework's
//! loss and backward and returns the loss and `d loss / d outputs`.

use anyloss_core::metrics::{Builtin, BuiltinParams, Mcc, Recall, F1};
use anyloss_core::{BinaryLoss, Degenerate, Input, Metric};
use anyloss_dsl::FormulaMetric;

/// A loss value and its gradient with respect to the outputs.
pub type LossAndGrad = (f64, Vec<f64>);

/// The settings of one reference loss.
pub struct Reference<'a> {
    /// The metric.
    pub metric: &'a FormulaMetric,
    /// Amplifier steepness.
    pub l: f64,
    /// Decision threshold.
    pub threshold: f64,
    /// Outputs are logits.
    pub logits: bool,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Reference<'_> {
    /// `1 − M` of `outputs` against `labels`, sample `i` counted `weights[i]` times.
    pub fn loss(&self, outputs: &[f64], labels: &[u8], weights: &[f64]) -> f64 {
        let mut c = [0.0f64; 4]; // TP, FN, FP, TN
        for ((&o, &y), &w) in outputs.iter().zip(labels).zip(weights) {
            let p = if self.logits { sigmoid(o) } else { o };
            let a = sigmoid(self.l * (p - self.threshold));
            if y == 1 {
                c[0] += w * a;
                c[1] += w * (1.0 - a);
            } else {
                c[2] += w * a;
                c[3] += w * (1.0 - a);
            }
        }
        1.0 - self
            .metric
            .evaluate_f64(c)
            .expect("no overflow")
            .expect("metric defined")[0]
    }

    /// `d loss / d outputs` by central differences with step `h`.
    pub fn gradient(&self, outputs: &[f64], labels: &[u8], weights: &[f64], h: f64) -> Vec<f64> {
        (0..outputs.len())
            .map(|i| {
                let (mut up, mut down) = (outputs.to_vec(), outputs.to_vec());
                up[i] += h;
                down[i] -= h;
                (self.loss(&up, labels, weights) - self.loss(&down, labels, weights)) / (2.0 * h)
            })
            .collect()
    }
}

/// Deterministic pseudo-random numbers in [0, 1).
pub fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let step = |s: u64| {
        s.wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
    };
    let mut s = step(seed);
    (0..n)
        .map(|_| {
            s = step(s);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Deterministic 0/1 labels, 1 with probability `rate`.
pub fn labels(n: usize, seed: u64, rate: f64) -> Vec<u8> {
    uniform(n, seed)
        .iter()
        .map(|&u| u8::from(u < rate))
        .collect()
}

/// Asserts `got ≈ want` elementwise: within `rel` relative, or 1e-6 of the largest |want|.
pub fn assert_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len());
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs();
        assert!(
            err <= rel * w.abs() + 1e-6 * scale,
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

/// Logits through the adapter's f32 loss agree with anyloss's own kernel, for F1 and MCC.
/// `run(metric, logits, labels)`: the loss with `with_logits(true)`, default settings, on
/// f32 outputs.
pub fn check_logits_match_the_core_kernel(
    mut run: impl FnMut(&dyn Metric, &[f64], &[u8]) -> LossAndGrad,
) {
    let n = 500;
    let z: Vec<f64> = uniform(n, 3).iter().map(|u| (u - 0.5) * 12.0).collect();
    let y = labels(n, 4, 0.2);
    for metric in [Builtin::F1(F1), Builtin::Mcc(Mcc)] {
        let (loss, grad) = run(&metric, &z, &y);
        let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
        let mut want = vec![0.0f32; n];
        let out = BinaryLoss::new(metric)
            .loss_and_grad(&y, Input::Logits(&z32), &mut want)
            .unwrap();
        assert!(
            (loss - f64::from(out.loss)).abs() < 1e-5,
            "{loss} vs {}",
            out.loss
        );
        let want: Vec<f64> = want.into_iter().map(f64::from).collect();
        assert_close(&grad, &want, 1e-3, metric.name());
    }
}

/// Integer weights equal repeated samples: the weighted loss is that of each sample
/// repeated `w` times, and its gradient the sum of the repeats'. `run(probs, labels,
/// weights)`: F1 with L = 20 on f64 outputs; the weights are whole numbers.
pub fn check_integer_weights_equal_repeated_samples(
    mut run: impl FnMut(&[f64], &[u8], Option<&[f64]>) -> LossAndGrad,
) {
    let n = 60;
    let p = uniform(n, 7);
    let y = labels(n, 8, 0.3);
    let w: Vec<f64> = uniform(n, 9).iter().map(|u| (u * 4.0).floor()).collect();
    let (mut rp, mut ry, mut owner) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        for _ in 0..w[i] as usize {
            rp.push(p[i]);
            ry.push(y[i]);
            owner.push(i);
        }
    }
    let (lw, grad) = run(&p, &y, Some(&w));
    let (lr, rgrad) = run(&rp, &ry, None);
    assert!((lw - lr).abs() < 1e-6, "{lw} vs {lr}");
    let mut summed = vec![0.0; n];
    for (g, &i) in rgrad.iter().zip(&owner) {
        summed[i] += g;
    }
    assert_close(&grad, &summed, 1e-5, "weighted grad");
}

/// A threshold, logits and real weights together against [`Reference`] in f64, for MCC
/// as the built-in and as a formula. `run(settings, metric, logits, labels, weights)`: the
/// loss with the settings' `l`, `threshold` and `logits`, on f64 outputs.
pub fn check_threshold_logits_weights_match_f64_finite_differences(
    mut run: impl FnMut(&Reference, &dyn Metric, &[f64], &[u8], &[f64]) -> LossAndGrad,
) {
    let n = 40;
    let z: Vec<f64> = uniform(n, 11).iter().map(|u| (u - 0.5) * 4.0).collect();
    let y = labels(n, 12, 0.35);
    let w: Vec<f64> = uniform(n, 13).iter().map(|u| 0.5 + u).collect();
    let formula =
        FormulaMetric::compile("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", &[]).unwrap();
    let reference = Reference {
        metric: &formula,
        l: 8.0,
        threshold: 0.3,
        logits: true,
    };
    let want = reference.gradient(&z, &y, &w, 1e-6);
    let want_value = reference.loss(&z, &y, &w);
    for metric in [&Mcc as &dyn Metric, &formula] {
        let (value, grad) = run(&reference, metric, &z, &y, &w);
        assert!((value - want_value).abs() < 1e-6, "{value} vs {want_value}");
        // The metric and its partials are f32 in anyloss.
        assert_close(&grad, &want, 1e-4, "finite differences");
    }
}

/// Where the metric is undefined (recall without positives), the core's policy: smoothing
/// by default, a fixed value with no gradient under `Fallback`. `run(policy, probs,
/// labels)`: recall with that policy, other settings default.
pub fn check_degenerate_policy_is_the_core_one(
    mut run: impl FnMut(Degenerate, &[f64], &[u8]) -> LossAndGrad,
) {
    let p = [0.2, 0.7, 0.4];
    let y = [0u8, 0, 0];
    let (loss, grad) = run(Degenerate::default(), &p, &y);
    let p32 = p.map(|v| v as f32);
    let mut want = [0.0f32; 3];
    let out = BinaryLoss::new(Recall)
        .loss_and_grad(&y, Input::Probs(&p32), &mut want)
        .unwrap();
    assert!((loss - f64::from(out.loss)).abs() < 1e-6);
    assert_close(&grad, &want.map(f64::from), 1e-4, "smoothed");
    let (loss, grad) = run(Degenerate::Fallback(0.0), &p, &y);
    assert_eq!(loss, 1.0);
    assert!(grad.iter().all(|&g| g == 0.0));
}

/// Every built-in metric by name runs and agrees with the core's loss. `run(metric, probs,
/// labels)`: default settings, f32 outputs.
pub fn check_every_builtin_name_runs(
    mut run: impl FnMut(&dyn Metric, &[f64], &[u8]) -> LossAndGrad,
) {
    let p = uniform(50, 21);
    let y = labels(50, 22, 0.3);
    for name in Builtin::NAMES {
        let m = Builtin::from_name(name, BuiltinParams::default())
            .unwrap()
            .unwrap();
        let (loss, grad) = run(&m, &p, &y);
        assert!(grad.iter().all(|g| g.is_finite()), "{name}");
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let want = BinaryLoss::new(m)
            .loss(&y, Input::Probs(&p32))
            .unwrap()
            .loss;
        assert!(
            (loss - f64::from(want)).abs() < 1e-5,
            "{name}: {loss} vs {want}"
        );
    }
}

/// How an adapter words the two shape errors.
pub struct ShapeMessages<'a> {
    /// Outputs and targets that do not match.
    pub targets: &'a str,
    /// Weights that do not match the outputs.
    pub weights: &'a str,
}

/// Each bad input is an error naming its position (or the mismatch). `error_of(outputs,
/// targets, weights, logits)`: the error message of F1 with default settings, logits if
/// `logits`; it must fail the test if there is no error.
pub fn check_bad_input_is_an_error_naming_its_position(
    shapes: ShapeMessages,
    mut error_of: impl FnMut(&[f64], &[u8], Option<&[f64]>, bool) -> String,
) {
    let y = [1u8, 0, 1];
    let e = error_of(&[0.5, 1.5, 0.2], &y, None, false);
    assert!(e.contains("index 1") && e.contains("[0, 1]"), "{e}");
    let e = error_of(&[0.5, 0.5, f64::NAN], &y, None, false);
    assert!(e.contains("index 2"), "{e}");
    let e = error_of(&[0.5, f64::INFINITY, 3.0], &y, None, true);
    assert!(e.contains("logit at index 1"), "{e}");
    let e = error_of(&[0.5, 0.5, 0.5], &[1, 2, 0], None, false);
    assert!(e.contains("target at index 1 is 2"), "{e}");
    let e = error_of(&[0.5, 0.5], &y, None, false);
    assert!(e.contains(shapes.targets), "{e}");
    let e = error_of(&[], &[], None, false);
    assert!(e.contains("empty"), "{e}");
    let e = error_of(&[0.5, 0.5, 0.5], &y, Some(&[1.0, -1.0, 1.0]), false);
    assert!(e.contains("weight at index 1"), "{e}");
    let e = error_of(&[0.5, 0.5, 0.5], &y, Some(&[1.0, 1.0]), false);
    assert!(e.contains(shapes.weights), "{e}");
}

/// An invalid threshold, steepness or policy parameter is an error naming it.
/// `error_of(l, threshold, policy)`: the error of F1 with those settings; it must fail the
/// test if there is no error.
pub fn check_invalid_settings_are_errors(mut error_of: impl FnMut(f32, f32, Degenerate) -> String) {
    for bad in [0.0, 1.0, f32::NAN] {
        let e = error_of(73.0, bad, Degenerate::default());
        assert!(e.contains("threshold"), "{e}");
    }
    let e = error_of(-1.0, 0.5, Degenerate::default());
    assert!(e.contains("L = -1"), "{e}");
    let e = error_of(73.0, 0.5, Degenerate::Smooth(0.0));
    assert!(e.contains("invalid parameter"), "{e}");
}
