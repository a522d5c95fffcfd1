//! Results over folds: means, the readable table, and the JSON.

use std::fmt::Write;

use anyloss_core::train::{Counts, Scores};
use anyloss_core::Metric;
use serde_json::{json, Map, Value};

use super::cv::{EpochPoint, RoundOutcome};
use super::loss::LossSpec;

/// The rounds of one loss.
#[derive(Debug, Clone)]
pub struct LossResult {
    /// What was trained.
    pub spec: LossSpec,
    /// One outcome per round (fold).
    pub rounds: Vec<RoundOutcome>,
}

impl LossResult {
    fn counts(&self, test: bool) -> impl Iterator<Item = &Counts> {
        self.rounds
            .iter()
            .map(move |r| if test { &r.test } else { &r.train })
    }

    /// The mean over rounds of each reported metric, in the order of [`Scores::NAMES`]
    /// (each round scored on its own, as scikit-learn's `cross_val_score`).
    pub fn means(&self, test: bool) -> [f64; 7] {
        let n = self.rounds.len().max(1) as f64;
        let mut sums = [0.0f64; 7];
        for c in self.counts(test) {
            for (sum, v) in sums.iter_mut().zip(c.scores().values()) {
                *sum += f64::from(v);
            }
        }
        sums.map(|s| s / n)
    }

    /// The mean over rounds of `metric` (0 where undefined).
    pub fn mean_metric(&self, test: bool, metric: &dyn Metric) -> f64 {
        let n = self.rounds.len().max(1) as f64;
        self.counts(test)
            .map(|c| f64::from(c.score(metric)))
            .sum::<f64>()
            / n
    }

    /// The training curve averaged over rounds.
    pub fn mean_curve(&self) -> Vec<EpochPoint> {
        let len = self.rounds.iter().map(|r| r.curve.len()).min().unwrap_or(0);
        let n = self.rounds.len().max(1) as f32;
        (0..len)
            .map(|e| EpochPoint {
                epoch: self.rounds.first().map_or(0, |r| r.curve[e].epoch),
                loss: self.rounds.iter().map(|r| r.curve[e].loss).sum::<f32>() / n,
                test_f1: self.rounds.iter().map(|r| r.curve[e].test_f1).sum::<f32>() / n,
            })
            .collect()
    }

    /// `{"accuracy": .., ..., "mcc": ..}` of the test or training part.
    pub fn scores_json(&self, test: bool) -> Value {
        let mut m = Map::new();
        for (name, v) in Scores::NAMES.iter().zip(self.means(test)) {
            m.insert(name.to_string(), json!(round6(v)));
        }
        Value::Object(m)
    }
}

/// `x` rounded to 6 decimals, as the JSON reports print metrics.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The JSON of a single-loss run: `{"test":{...},"train":{...}}`, means over rounds.
pub fn single_json(result: &LossResult) -> Value {
    json!({"test": result.scores_json(true), "train": result.scores_json(false)})
}

/// The JSON of a `--compare` run: `{"losses":[{"loss", "objective", "recipe", "test",
/// "train", "test_compared_metrics"}, ...]}`, where `test_compared_metrics` scores the loss's
/// test predictions on every metric in the comparison (so BCE gets an F2 too).
pub fn compare_json(results: &[LossResult]) -> Value {
    let losses: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut targets = Map::new();
            for other in results {
                if let Some(metric) = &other.spec.metric {
                    targets.insert(
                        other.spec.name.clone(),
                        json!(round6(r.mean_metric(true, metric))),
                    );
                }
            }
            json!({
                "loss": r.spec.name,
                "objective": r.spec.objective(),
                "recipe": r.spec.recipe,
                "test": r.scores_json(true),
                "train": r.scores_json(false),
                "test_compared_metrics": targets,
            })
        })
        .collect();
    json!({ "losses": losses })
}

/// The readable table: one row per metric (the seven reported, then any compared metric
/// outside them), one column per loss; the best test value of each row is starred.
pub fn table(results: &[LossResult]) -> String {
    let mut out = String::new();
    for r in results {
        let _ = writeln!(
            out,
            "  {:<10} minimises {}; {}",
            r.spec.name,
            r.spec.objective(),
            r.spec.recipe
        );
    }
    let test_means: Vec<[f64; 7]> = results.iter().map(|r| r.means(true)).collect();
    let train_means: Vec<[f64; 7]> = results.iter().map(|r| r.means(false)).collect();
    let mut rows: Vec<(String, Vec<f64>, Vec<f64>)> = Scores::NAMES
        .iter()
        .enumerate()
        .map(|(k, name)| {
            (
                name.to_string(),
                test_means.iter().map(|m| m[k]).collect(),
                train_means.iter().map(|m| m[k]).collect(),
            )
        })
        .collect();
    for other in results {
        if let Some(metric) = &other.spec.metric {
            if !Scores::NAMES.contains(&other.spec.name.as_str()) {
                rows.push((
                    other.spec.name.clone(),
                    results
                        .iter()
                        .map(|r| r.mean_metric(true, metric))
                        .collect(),
                    results
                        .iter()
                        .map(|r| r.mean_metric(false, metric))
                        .collect(),
                ));
            }
        }
    }
    let width = results
        .iter()
        .map(|r| r.spec.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(7)
        + 2;
    let label_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(18) + 2;
    for (title, test) in [("test", true), ("train", false)] {
        let _ = write!(
            out,
            "\n{:<label_width$}",
            format!("{title} (mean of folds)")
        );
        for r in results {
            let _ = write!(out, "{:>width$}", r.spec.name);
        }
        let _ = writeln!(out);
        for (name, test_values, train_values) in &rows {
            let values = if test { test_values } else { train_values };
            let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let _ = write!(out, "{name:<label_width$}");
            for &v in values {
                let star = if test && results.len() > 1 && v == best {
                    "*"
                } else {
                    " "
                };
                let _ = write!(out, "{:>w$}{star}", format!("{v:.3}"), w = width - 1);
            }
            let _ = writeln!(out);
        }
    }
    if results.len() > 1 {
        let _ = writeln!(out, "\n* best test value of the row");
    }
    out
}
