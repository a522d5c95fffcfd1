//! `--tune-threshold`: the decision threshold picked for the loss's target metric (F1 for
//! `bce`) on the training rows only, by an inner stratified cross-validation.
//!
//! The training rows are split into [`INNER_FOLDS`] stratified folds; each inner round
//! trains the same recipe on the other folds and predicts its held-out fold, so every
//! training row gets one out-of-fold probability. The threshold is the one that maximises
//! the metric over those pooled predictions (midway between two neighbouring
//! probabilities, so a nearby unseen probability falls on the same side). The test rows
//! are never seen.

use anyloss_core::metrics::F1;
use anyloss_core::train::{Counts, Dataset, Split};
use anyloss_core::{sigmoid, Metric};

use crate::error::CliError;

use super::fit::{self, InferenceBuffers, Model};
use super::loss::LossSpec;
use super::model::ModelArch;

/// Folds of the inner cross-validation.
pub const INNER_FOLDS: u8 = 3;

/// The threshold for `spec`'s metric (F1 for BCE), tuned on the rows `train` alone.
pub fn tune(
    data: &Dataset<'_>,
    train: &[u32],
    spec: &LossSpec,
    arch: ModelArch,
    seed: u64,
) -> Result<f32, CliError> {
    let labels: Vec<u8> = train
        .iter()
        .map(|&i| data.labels().get(i as usize).copied().unwrap_or(0))
        .collect();
    for class in 0..=1u8 {
        let count = labels.iter().filter(|&&y| y == class).count();
        if count < usize::from(INNER_FOLDS) {
            return Err(CliError::new(format!(
                "--tune-threshold: a training part has only {count} rows with label {class}, \
                 fewer than the {INNER_FOLDS} inner folds"
            )));
        }
    }
    let (mut order, mut fold_of) = (vec![0u32; train.len()], vec![0u8; train.len()]);
    Split::Folds(INNER_FOLDS)
        .assign(&labels, seed ^ INNER_STREAM, &mut order, &mut fold_of)
        .map_err(|e| CliError::new(format!("--tune-threshold: inner split: {e}")))?;
    let mut scored: Vec<(f32, u8)> = Vec::with_capacity(train.len());
    for round in 0..INNER_FOLDS {
        let mut fit_rows: Vec<u32> = Vec::new();
        let mut held: Vec<u32> = Vec::new();
        for (&row, &fold) in train.iter().zip(&fold_of) {
            if fold == round {
                held.push(row);
            } else {
                fit_rows.push(row);
            }
        }
        let model = fit::fit(data, &mut fit_rows, spec, arch, seed, &mut |_, _, _| {})?;
        scored.extend(probabilities(&model, data, &held)?);
    }
    Ok(match &spec.metric {
        Some(metric) => best_threshold(&mut scored, metric),
        None => best_threshold(&mut scored, &F1),
    })
}

/// XORed into the seed for the inner split, so it differs from the outer one.
const INNER_STREAM: u64 = 0x7468_7265_7368;

/// `(p, label)` of every row of `rows` under `model`.
fn probabilities(
    model: &Model,
    data: &Dataset<'_>,
    rows: &[u32],
) -> Result<Vec<(f32, u8)>, CliError> {
    let (head, scaler) = model.parts()?;
    let mut buffers = InferenceBuffers::new(model.shape);
    let mut inference = buffers.inference();
    rows.iter()
        .map(|&i| {
            let (row, y) = data.sample(i).map_err(core_error)?;
            let logits = inference
                .logits(&*head, scaler.scaling(), row)
                .map_err(core_error)?;
            Ok((sigmoid(logits.first().copied().unwrap_or(0.0)).0, y))
        })
        .collect()
}

/// The threshold `t` (label 1 when `p >= t`) that maximises `metric` over `scored`; the
/// first best cut from the top on ties (the fewest positives).
pub fn best_threshold<M: Metric + ?Sized>(scored: &mut [(f32, u8)], metric: &M) -> f32 {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = scored.iter().filter(|s| s.1 != 0).count() as u32;
    let negatives = scored.len() as u32 - positives;
    // Nothing predicted positive: t above every probability.
    let mut counts = Counts {
        tp: 0,
        fn_: positives,
        fp: 0,
        tn: negatives,
    };
    let top = scored.first().map_or(0.5, |s| s.0);
    let (mut best, mut best_t) = (counts.score(metric), midpoint(top, 1.0));
    let mut k = 0;
    while k < scored.len() {
        let p = scored[k].0;
        // Every row with this probability changes side together.
        while k < scored.len() && scored[k].0 == p {
            if scored[k].1 != 0 {
                counts.tp += 1;
                counts.fn_ -= 1;
            } else {
                counts.fp += 1;
                counts.tn -= 1;
            }
            k += 1;
        }
        let next = scored.get(k).map_or(0.0, |s| s.0);
        let value = counts.score(metric);
        if value > best {
            best = value;
            best_t = midpoint(next, p);
        }
    }
    best_t
}

/// Midway between two probabilities, never below the smallest positive `f32`.
fn midpoint(low: f32, high: f32) -> f32 {
    (0.5 * (low + high)).max(f32::MIN_POSITIVE)
}

fn core_error(e: anyloss_core::Error) -> CliError {
    CliError::new(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_maximises_f1_over_the_pooled_predictions() {
        // Positives at .9, .6, .3; negatives at .8, .2, .1: cutting below .3 gives
        // TP 3, FP 1 (F1 6/7), the best; any higher cut loses a positive.
        let mut scored = vec![(0.9, 1), (0.8, 0), (0.6, 1), (0.3, 1), (0.2, 0), (0.1, 0)];
        let t = best_threshold(&mut scored, &F1);
        assert!((t - 0.25).abs() < 1e-6, "{t}");
        // All negatives: no cut beats predicting nothing; t is above every probability.
        let mut none = vec![(0.4, 0), (0.2, 0)];
        assert!(best_threshold(&mut none, &F1) > 0.4);
    }
}
