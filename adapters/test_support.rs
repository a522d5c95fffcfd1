//! Shared by the adapters' behaviour tests (included with `#[path]`): deterministic inputs,
//! a closeness check, and an independent f64 reference, AnyLoss from its definition with
//! the metric from a formula's f64 evaluator and its gradient by central finite differences.

use anyloss_dsl::FormulaMetric;

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
