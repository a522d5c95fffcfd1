//! The fixed-point path's training objective (`fixed::FixedObjective`) against the f32
//! one (`train::BinaryObjective`): the same batch gradients within the path's accuracy, and
//! the same test F1 within 0.02 after fine-tuning a logistic head on the bundled yeast3 data
//! with the firmware's recipe.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use anyloss_core::fixed::{FixedLoss, FixedObjective};
use anyloss_core::metrics::{GMean, F1};
use anyloss_core::train::*;
use anyloss_core::{Amplifier, BinaryLoss, Metric};
use support::{config, Buffers};

/// yeast3 (1484 × 8, label last), as the firmware embeds it.
fn yeast3() -> (Vec<f32>, Vec<u8>) {
    let text = include_str!("../../examples/data/yeast3.csv");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<f32> = line.split(',').map(|c| c.trim().parse().unwrap()).collect();
        let (label, features) = cells.split_last().unwrap();
        x.extend_from_slice(features);
        y.push(*label as u8);
    }
    (x, y)
}

/// Both objectives' `∂loss/∂logits` on one batch of logits.
fn batch_gradients<M: Metric + Copy>(
    metric: M,
    l: f32,
    mix: f32,
    z: &[f32],
    y: &[u8],
) -> (Vec<f32>, Vec<f32>) {
    let amp = Amplifier::new(l).unwrap();
    let float = BinaryObjective::hybrid(BinaryLoss::new(metric).with_amplifier(amp), mix).unwrap();
    let fixed = FixedObjective::hybrid(FixedLoss::new(metric).with_amplifier(amp), mix).unwrap();
    let n = y.len();
    let mut sums = Default::default();
    float.accumulate(&mut sums, z, y).unwrap();
    let (_, evaluated) = float.evaluate(&sums, n);
    let mut want = vec![0.0f32; n];
    float.gradient(&evaluated, z, y, n, &mut want).unwrap();
    let mut sums = Default::default();
    fixed.accumulate(&mut sums, z, y).unwrap();
    let (loss, evaluated) = fixed.evaluate(&sums, n);
    assert_eq!(
        loss.bce == 0.0,
        mix == 1.0,
        "BCE is computed exactly when it is weighted"
    );
    let mut got = vec![0.0f32; n];
    fixed.gradient(&evaluated, z, y, n, &mut got).unwrap();
    (want, got)
}

#[test]
fn batch_gradients_match_the_f32_objective() {
    let mut rng = SplitMix64::new(7);
    let z: Vec<f32> = (0..200)
        .map(|_| support::uniform(&mut rng, -6.0, 6.0))
        .collect();
    let y: Vec<u8> = (0..200).map(|i| u8::from(i % 5 == 0)).collect();
    for (l, mix) in [(10.0, 1.0), (73.0, 1.0), (10.0, 0.5), (10.0, 0.0)] {
        for (want, got) in [
            batch_gradients(F1, l, mix, &z, &y),
            batch_gradients(GMean, l, mix, &z, &y),
        ] {
            let largest = want.iter().fold(0.0f32, |m, g| m.max(g.abs()));
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                assert!(
                    (w - g).abs() <= 1e-2 * w.abs() + 1e-4 * largest,
                    "L={l} r={mix} [{i}]: {g} vs {w}"
                );
            }
        }
    }
}

/// Test F1 of a logistic head fine-tuned on yeast3's training part with `objective`.
fn fine_tuned_f1<O: BatchObjective>(objective: O) -> f32 {
    let (x, y) = yeast3();
    let features = x.len() / y.len();
    let data = Dataset::new(&x, &y, features).unwrap();
    let (mut order, mut fold) = (vec![0u32; y.len()], vec![0u8; y.len()]);
    Split::TestFraction(0.25)
        .assign(&y, 42, &mut order, &mut fold)
        .unwrap();
    let mut train = vec![0u32; y.len()];
    let mut test = vec![0u32; y.len()];
    let n_train = train_rows(&fold, 0, &mut train).unwrap();
    let n_test = test_rows(&fold, 0, &mut test).unwrap();
    train.truncate(n_train);
    test.truncate(n_test);
    let mut scaler = Standardizer::new(vec![0.0; features], vec![0.0; features]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let shape = HeadShape::linear(features, 1);
    let mut buffers = Buffers::new(shape, 64);
    let sgd = Sgd::new(0.3, 0.0, vec![0.0; shape.params()]).unwrap();
    let head = Logistic::new(vec![0.0; shape.params()]).unwrap();
    let mut trainer = Trainer::new(
        head,
        sgd,
        objective,
        config(100, 64, 42, 20),
        scaler.scaling(),
        buffers.scratch(),
    )
    .unwrap();
    trainer.fit(&data, &mut train, |_, _| {}).unwrap();
    trainer.counts(&data, &test, 0.5).unwrap().scores().f1
}

#[test]
fn fine_tuning_with_the_fixed_objective_matches_the_f32_one() {
    let amp = Amplifier::new(10.0).unwrap();
    let float = fine_tuned_f1(
        BinaryObjective::hybrid(BinaryLoss::new(F1).with_amplifier(amp), 1.0).unwrap(),
    );
    let fixed =
        fine_tuned_f1(FixedObjective::hybrid(FixedLoss::new(F1).with_amplifier(amp), 1.0).unwrap());
    println!("yeast3 test F1 after 100 epochs: f32 objective {float:.4}, fixed-point objective {fixed:.4}");
    assert!(float > 0.5, "the f32 fit did not learn: {float}");
    assert!(
        (float - fixed).abs() <= 0.02,
        "f32 {float} vs fixed-point {fixed}"
    );
}
