//! The metrics of predictions against a `label` column, accumulated row by row: for a
//! binary head the seven metrics `anyloss train` reports, for a softmax head the accuracy
//! and the macro-averaged one-vs-rest precision, recall and F1. A `weight` column weights
//! each row's count.

use anyloss_core::metrics::{Accuracy, BalancedAccuracy, GMean, Mcc, Precision, Recall, F1};
use anyloss_core::train::{Counts, Scores};
use anyloss_core::{Confusion, Degenerate, Metric};
use serde_json::{json, Map, Value};

use crate::train::report::round6;

/// Confusion entries so far: a `C×C` matrix (row = true class), `C = 2` for a binary head.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    classes: usize,
    matrix: Vec<f64>,
    rows: u64,
    weighted: bool,
}

impl Tally {
    /// An empty tally over `classes` classes; `weighted` when rows carry weights.
    pub fn new(classes: usize, weighted: bool) -> Self {
        Self {
            classes,
            matrix: vec![0.0; classes * classes],
            rows: 0,
            weighted,
        }
    }

    /// Counts a row of class `y` predicted as `predicted`, with weight `w`.
    pub fn add(&mut self, y: usize, predicted: usize, w: f64) {
        if let Some(cell) = self.matrix.get_mut(y * self.classes + predicted) {
            *cell += w;
        }
        self.rows += 1;
    }

    /// The rows counted.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The one-vs-rest entries of class `c`.
    fn one_vs_rest(&self, c: usize) -> Confusion {
        let k = self.classes;
        let (mut tp, mut fn_, mut fp, mut tn) = (0.0f64, 0.0, 0.0, 0.0);
        for y in 0..k {
            for p in 0..k {
                let v = self.matrix[y * k + p];
                match (y == c, p == c) {
                    (true, true) => tp += v,
                    (true, false) => fn_ += v,
                    (false, true) => fp += v,
                    (false, false) => tn += v,
                }
            }
        }
        Confusion::new(tp as f32, fn_ as f32, fp as f32, tn as f32)
    }

    /// The metrics as JSON, each rounded to 6 decimals and 0 where undefined.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if self.classes == 2 {
            let names = Scores::NAMES.iter();
            for (name, v) in names.zip(self.binary_scores().values()) {
                m.insert(name.to_string(), json!(round6(f64::from(v))));
            }
        } else {
            let total: f64 = self.matrix.iter().sum();
            let correct: f64 = (0..self.classes)
                .map(|c| self.matrix[c * self.classes + c])
                .sum();
            let accuracy = if total > 0.0 { correct / total } else { 0.0 };
            m.insert("accuracy".into(), json!(round6(accuracy)));
            for (name, metric) in [
                ("macro_precision", &Precision as &dyn Metric),
                ("macro_recall", &Recall),
                ("macro_f1", &F1),
            ] {
                let sum: f64 = (0..self.classes)
                    .map(|c| f64::from(score(metric, &self.one_vs_rest(c))))
                    .sum();
                m.insert(name.into(), json!(round6(sum / self.classes as f64)));
            }
        }
        Value::Object(m)
    }

    /// The seven binary metrics of class 1 against class 0.
    fn binary_scores(&self) -> Scores {
        if !self.weighted {
            // Unweighted counts are whole numbers: the scores of `anyloss train`, exactly.
            let [tn, fp, fn_, tp] = [0, 1, 2, 3].map(|i| self.matrix[i] as u32);
            return Counts { tp, fn_, fp, tn }.scores();
        }
        let c = self.one_vs_rest(1);
        Scores {
            accuracy: score(&Accuracy, &c),
            precision: score(&Precision, &c),
            recall: score(&Recall, &c),
            f1: score(&F1, &c),
            balanced_accuracy: score(&BalancedAccuracy, &c),
            gmean: score(&GMean, &c),
            mcc: score(&Mcc, &c),
        }
    }

    /// A readable summary, one metric per line.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "metrics over {} labelled rows{}:",
            self.rows,
            if self.weighted { " (weighted)" } else { "" }
        );
        if let Value::Object(m) = self.to_json() {
            for (name, v) in m {
                out.push_str(&format!("\n  {name:<18} {:.3}", v.as_f64().unwrap_or(0.0)));
            }
        }
        out
    }
}

/// `metric` at `c`, 0 where undefined (as [`Counts::score`]).
fn score(metric: &dyn Metric, c: &Confusion) -> f32 {
    Degenerate::Fallback(0.0).evaluate(metric, c).value
}
