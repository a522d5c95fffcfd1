//! The trainer's building blocks against independent references: the SplitMix64 reference
//! outputs, stratified splits, the standardiser's f64 statistics, hand-computed optimizer
//! steps, the safe-step guarantee (rejected updates leave every bit unchanged), and the
//! reported scores. The heads' gradients are in `head_gradients.rs`, the loop in
//! `trainer.rs`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use anyloss_core::train::*;
use anyloss_core::Error;

#[test]
fn splitmix64_matches_the_reference_outputs() {
    // Vigna's splitmix64.c from x = 1234567 (recomputed with Python integers).
    let mut rng = SplitMix64::new(1234567);
    assert_eq!(rng.next_u64(), 6457827717110365317);
    assert_eq!(rng.next_u64(), 3203168211198807973);
    assert_eq!(rng.next_u64(), 9817491932198370423);
}

#[test]
fn below_is_in_range_and_shuffle_is_a_permutation() {
    let mut rng = SplitMix64::new(3);
    let mut hist = [0u32; 7];
    for _ in 0..70_000 {
        let v = rng.below(7) as usize;
        hist[v] += 1;
    }
    // Each bin expects 10 000; 5 sigma is about 450.
    assert!(
        hist.iter().all(|&h| (9_500..10_500).contains(&h)),
        "{hist:?}"
    );
    assert_eq!(rng.below(0), 0);
    let mut v: Vec<u32> = (0..100).collect();
    rng.shuffle(&mut v);
    assert_ne!(v, (0..100).collect::<Vec<_>>());
    v.sort_unstable();
    assert_eq!(v, (0..100).collect::<Vec<_>>());
}

#[test]
fn folds_are_stratified_balanced_and_seeded() {
    let labels: Vec<u8> = (0..103).map(|i| u8::from(i % 7 == 0)).collect();
    let positives = labels.iter().filter(|&&y| y == 1).count();
    let mut order = vec![0u32; 103];
    let mut fold_of = vec![0u8; 103];
    Split::Folds(5)
        .assign(&labels, 42, &mut order, &mut fold_of)
        .unwrap();
    for fold in 0..5u8 {
        let size = fold_of.iter().filter(|&&f| f == fold).count();
        let pos = (0..103)
            .filter(|&i| fold_of[i] == fold && labels[i] == 1)
            .count();
        assert!((20..=21).contains(&size), "fold {fold}: {size}");
        assert!(
            pos == positives / 5 || pos == positives / 5 + 1,
            "fold {fold}: {pos}"
        );
    }
    let mut again = vec![0u8; 103];
    Split::Folds(5)
        .assign(&labels, 42, &mut order, &mut again)
        .unwrap();
    assert_eq!(fold_of, again);
    Split::Folds(5)
        .assign(&labels, 43, &mut order, &mut again)
        .unwrap();
    assert_ne!(fold_of, again);

    let mut train = vec![0u32; 103];
    let mut test = vec![0u32; 103];
    let a = train_rows(&fold_of, 2, &mut train).unwrap();
    let b = test_rows(&fold_of, 2, &mut test).unwrap();
    assert_eq!(a + b, 103);
    assert!(train[..a].iter().all(|&i| fold_of[i as usize] != 2));
    assert_eq!(
        train_rows(&fold_of, 2, &mut [0u32; 10]),
        Err(Error::LengthMismatch {
            expected: a,
            found: 10
        })
    );
}

#[test]
fn test_fraction_takes_each_class_share() {
    let labels: Vec<u8> = (0..200).map(|i| u8::from(i < 20)).collect();
    let mut order = vec![0u32; 200];
    let mut fold_of = vec![0u8; 200];
    Split::TestFraction(0.25)
        .assign(&labels, 1, &mut order, &mut fold_of)
        .unwrap();
    let test_pos = (0..200)
        .filter(|&i| fold_of[i] == 0 && labels[i] == 1)
        .count();
    let test_neg = (0..200)
        .filter(|&i| fold_of[i] == 0 && labels[i] == 0)
        .count();
    assert_eq!((test_pos, test_neg), (5, 45));
    for bad in [
        Split::Folds(1),
        Split::TestFraction(0.0),
        Split::TestFraction(1.0),
    ] {
        assert_eq!(
            bad.assign(&labels, 1, &mut order, &mut fold_of),
            Err(Error::InvalidParameter(anyloss_core::Parameter::Training))
        );
    }
}

#[test]
fn standardizer_matches_f64_statistics_of_the_training_rows_only() {
    let x = [1.0f32, 5.0, 2.0, 5.0, 4.0, 5.0, 100.0, 5.0];
    let y = [0u8, 1, 0, 1];
    let data = Dataset::new(&x, &y, 2).unwrap();
    let mut s = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    s.fit(&data, &[0, 1, 2]).unwrap();
    let mean = 7.0 / 3.0;
    let std =
        (((1.0 - mean) * (1.0 - mean) + (2.0 - mean) * (2.0 - mean) + (4.0 - mean) * (4.0 - mean))
            / 3.0f64)
            .sqrt();
    assert!((s.scaling().mean()[0] as f64 - mean).abs() < 1e-6);
    assert!((1.0 / s.scaling().inv_std()[0] as f64 - std).abs() < 1e-5);
    // The constant feature standardises to 0, not NaN.
    let mut row = [100.0f32, 5.0];
    s.transform(&mut row).unwrap();
    assert!((row[0] as f64 - (100.0 - mean) / std).abs() < 1e-4);
    assert_eq!(row[1], 0.0);
}

#[test]
fn sgd_and_adam_steps_match_hand_computation() {
    let mut p = [1.0f32, -2.0];
    let mut sgd = Sgd::new(0.5, 0.9, [0.0f32; 2]).unwrap();
    sgd.step(&mut p, &[0.2, -0.4]).unwrap();
    assert_eq!(p, [0.9, -1.8]);
    sgd.step(&mut p, &[0.2, -0.4]).unwrap();
    // v = 0.9·0.2 + 0.2 = 0.38, p = 0.9 − 0.19.
    assert!(
        (p[0] - 0.71).abs() < 1e-6 && (p[1] + 1.42).abs() < 1e-6,
        "{p:?}"
    );

    let mut q = [1.0f32];
    let mut adam = Adam::new(0.1, [0.0f32], [0.0f32]).unwrap();
    adam.step(&mut q, &[3.0]).unwrap();
    // First step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ 0.1.
    assert!((q[0] - 0.9).abs() < 1e-6);
    adam.step(&mut q, &[-1.0]).unwrap();
    let (m, v) = (0.9 * 0.3 - 0.1, 0.999 * 0.009 + 0.001);
    let expected = 0.9 - 0.1 * (m / (1.0 - 0.81)) / ((v / (1.0 - 0.998001f64)).sqrt() + 1e-8);
    assert!(
        (q[0] as f64 - expected).abs() < 1e-6,
        "{} vs {expected}",
        q[0]
    );
    assert_eq!(adam.steps(), 2);
    assert!(Sgd::new(0.0, 0.0, [0.0f32; 1]).is_err());
    assert!(Sgd::new(0.1, 1.0, [0.0f32; 1]).is_err());
    assert!(Adam::new(f32::NAN, [0.0f32; 1], [0.0f32; 1]).is_err());
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn non_finite_steps_are_rejected_and_leave_every_bit_unchanged() {
    // A NaN gradient, an infinite one, and a finite one whose update overflows.
    let p0 = [0.25f32, -1.5, 3.0];
    for grad in [
        [0.1, f32::NAN, 0.0],
        [f32::INFINITY, 0.0, 0.0],
        [0.0, 0.0, 3e38],
    ] {
        let mut p = p0;
        let mut sgd = Sgd::new(10.0, 0.5, [0.0f32; 3]).unwrap();
        sgd.step(&mut p, &[0.5, 0.5, 0.5]).unwrap();
        let (before, state) = (p, sgd.clone());
        assert_eq!(sgd.step(&mut p, &grad), Err(Error::NonFiniteUpdate));
        assert_eq!(bits(&p), bits(&before));
        assert_eq!(sgd, state);

        let mut adam = Adam::new(0.1, [0.0f32; 3], [0.0f32; 3]).unwrap();
        adam.step(&mut p, &[0.5, 0.5, 0.5]).unwrap();
        let (before, state) = (p, adam.clone());
        let overflow = grad.map(|g| if g == 3e38 { f32::MAX } else { g });
        assert_eq!(adam.step(&mut p, &overflow), Err(Error::NonFiniteUpdate));
        assert_eq!(bits(&p), bits(&before));
        assert_eq!(adam, state);
    }
}

#[test]
fn scores_use_zero_division_zero() {
    let c = Counts {
        tp: 0,
        fn_: 5,
        fp: 0,
        tn: 95,
    };
    let s = c.scores();
    assert_eq!((s.precision, s.recall, s.f1, s.gmean), (0.0, 0.0, 0.0, 0.0));
    assert!((s.accuracy - 0.95).abs() < 1e-6 && (s.balanced_accuracy - 0.5).abs() < 1e-6);
    let c = Counts {
        tp: 8,
        fn_: 2,
        fp: 4,
        tn: 86,
    };
    let s = c.scores();
    assert!((s.f1 - 16.0 / 22.0).abs() < 1e-6);
    let mcc = (8.0 * 86.0 - 4.0 * 2.0) / ((12.0f64 * 10.0 * 90.0 * 88.0).sqrt());
    assert!((s.mcc as f64 - mcc).abs() < 1e-6);
}
