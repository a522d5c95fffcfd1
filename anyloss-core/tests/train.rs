//! The trainer's building blocks against independent references: the SplitMix64 reference
//! outputs, f64 central finite differences of the objectives, hand-computed optimizer
//! steps, and the safe-step guarantee (rejected updates leave every bit unchanged).

use anyloss_core::metrics::F1;
use anyloss_core::train::*;
use anyloss_core::{Amplifier, BinaryLoss, Error};

/// A small deterministic, non-separable binary dataset: 2 features, label 1 in ~30%.
fn blobs(n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = SplitMix64::new(seed);
    let mut unit = move || (rng.next_u32() as f64 / u32::MAX as f64) as f32;
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let label = u8::from(i % 10 < 3);
        let shift = if label == 1 { 1.0 } else { -0.5 };
        x.push(3.0 * shift + 4.0 * unit() + 10.0);
        x.push(-2.0 * shift + 3.0 * unit() - 5.0);
        y.push(label);
    }
    (x, y)
}

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

/// The f64 reference objective `(1−r)·BCE + r·(1−F1)` with amplifier `L`, written out
/// independently of the crate.
fn reference_objective(params: &[f64], x: &[f32], y: &[u8], rows: &[u32], l: f64, r: f64) -> f64 {
    let f = params.len() - 1;
    let (mut tp, mut fp, mut fn_, mut bce) = (0.0, 0.0, 0.0, 0.0);
    for &i in rows {
        let i = i as usize;
        let z: f64 = params[f] + (0..f).map(|j| params[j] * x[i * f + j] as f64).sum::<f64>();
        let p = 1.0 / (1.0 + (-z).exp());
        let a = 1.0 / (1.0 + (-l * (p - 0.5)).exp());
        let yf = y[i] as f64;
        tp += yf * a;
        fn_ += yf * (1.0 - a);
        fp += (1.0 - yf) * a;
        bce += -(yf * p.ln() + (1.0 - yf) * (1.0 - p).ln());
    }
    let f1 = 2.0 * tp / (2.0 * tp + fp + fn_);
    (1.0 - r) * bce / rows.len() as f64 + r * (1.0 - f1)
}

fn gradient_with_chunk(
    chunk: usize,
    params: &[f32],
    x: &[f32],
    y: &[u8],
    rows: &[u32],
    r: f32,
) -> (Vec<f32>, BatchLoss) {
    let data = Dataset::new(x, y, 2).unwrap();
    let identity = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    let head = LogisticHead::new(params.to_vec()).unwrap();
    let loss = BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0).unwrap());
    let objective = BinaryObjective::hybrid(loss, r).unwrap();
    let (mut z, mut dz, mut lab) = (vec![0.0; chunk], vec![0.0; chunk], vec![0u8; chunk]);
    let mut scratch = ChunkScratch {
        logits: &mut z,
        dz: &mut dz,
        labels: &mut lab,
    };
    let mut grad = vec![0.0; 3];
    let out = binary_gradient(
        &head,
        &objective,
        &data,
        identity.scaling(),
        rows,
        &mut scratch,
        &mut grad,
    )
    .unwrap();
    (grad, out)
}

#[test]
fn hybrid_gradient_matches_f64_central_differences_streamed_or_not() {
    let (x, y) = blobs(40, 9);
    // Standardise by hand so logits stay in the amplifier's sensitive range.
    let xs: Vec<f32> = x
        .chunks(2)
        .flat_map(|r| [(r[0] - 12.5) / 2.0, (r[1] + 3.5) / 1.5])
        .collect();
    let rows: Vec<u32> = (0..40).rev().collect();
    let params = [0.4f32, -0.3, 0.1];
    for r in [0.0f32, 0.5, 1.0] {
        let (g_one, out_one) = gradient_with_chunk(64, &params, &xs, &y, &rows, r);
        let (g_streamed, out_streamed) = gradient_with_chunk(7, &params, &xs, &y, &rows, r);
        let p64: Vec<f64> = params.iter().map(|&v| v as f64).collect();
        let reference = reference_objective(&p64, &xs, &y, &rows, 10.0, r as f64);
        assert!(
            (out_one.loss as f64 - reference).abs() < 1e-5,
            "r={r}: {} vs {reference}",
            out_one.loss
        );
        assert!((out_streamed.loss - out_one.loss).abs() < 1e-5);
        for k in 0..3 {
            let h = 1e-6;
            let mut up = p64.clone();
            up[k] += h;
            let mut down = p64.clone();
            down[k] -= h;
            let fd = (reference_objective(&up, &xs, &y, &rows, 10.0, r as f64)
                - reference_objective(&down, &xs, &y, &rows, 10.0, r as f64))
                / (2.0 * h);
            for g in [g_one[k], g_streamed[k]] {
                let err = (g as f64 - fd).abs() / fd.abs().max(1e-3);
                assert!(err < 1e-3, "r={r} k={k}: {g} vs {fd}");
            }
        }
    }
}

#[test]
fn softmax_cross_entropy_gradient_matches_f64_central_differences() {
    let x = [0.5f32, -1.0, 1.5, 0.2, -0.7, 0.9, 0.0, 1.1];
    let y = [0u8, 2, 1, 2];
    let data = Dataset::new(&x, &y, 2).unwrap();
    let identity = Standardizer::new([0.0f32; 2], [0.0f32; 2]).unwrap();
    let params: Vec<f32> = (0..9).map(|i| (i as f32 * 0.37).sin()).collect();
    let head = SoftmaxHead::new(params.clone(), 3).unwrap();
    let mut grad = [0.0f32; 9];
    let loss = softmax_gradient(
        &head,
        &data,
        identity.scaling(),
        &[0, 1, 2, 3],
        &mut [0.0; 3],
        &mut grad,
    )
    .unwrap();
    let reference = |p: &[f64]| -> f64 {
        let mut total = 0.0;
        for i in 0..4 {
            let z: Vec<f64> = (0..3)
                .map(|c| {
                    p[c * 3 + 2] + p[c * 3] * x[2 * i] as f64 + p[c * 3 + 1] * x[2 * i + 1] as f64
                })
                .collect();
            let lse = z.iter().map(|v| v.exp()).sum::<f64>().ln();
            total += lse - z[y[i] as usize];
        }
        total / 4.0
    };
    let p64: Vec<f64> = params.iter().map(|&v| v as f64).collect();
    assert!((loss as f64 - reference(&p64)).abs() < 1e-5);
    for k in 0..9 {
        let (mut up, mut down) = (p64.clone(), p64.clone());
        up[k] += 1e-6;
        down[k] -= 1e-6;
        let fd = (reference(&up) - reference(&down)) / 2e-6;
        assert!(
            (grad[k] as f64 - fd).abs() < 1e-4,
            "k={k}: {} vs {fd}",
            grad[k]
        );
    }
    assert_eq!(
        softmax_gradient(
            &head,
            &data,
            identity.scaling(),
            &[0],
            &mut [0.0; 3],
            &mut [0.0; 8]
        ),
        Err(Error::LengthMismatch {
            expected: 9,
            found: 8
        })
    );
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
fn a_batch_that_overflows_the_logits_is_rejected_by_train_step() {
    // A "sensor glitch": one feature of one sample is huge; its logit overflows to infinity.
    let x = [0.5f32, 1.0, 3e38, 1.0, -0.5, 0.0];
    let y = [1u8, 0, 0];
    let data = Dataset::new(&x, &y, 2).unwrap();
    let identity = Standardizer::new([0.0f32; 2], [0.0f32; 2]).unwrap();
    let mut head = LogisticHead::new([2.0f32, 0.5, -0.25]).unwrap();
    let before = head.clone();
    let mut sgd = Sgd::new(1.0, 0.9, [0.0f32; 3]).unwrap();
    let sgd_before = sgd.clone();
    let objective = BinaryObjective::hybrid(BinaryLoss::new(F1), 0.5).unwrap();
    let (mut z, mut dz, mut lab, mut grad) = ([0.0f32; 4], [0.0f32; 4], [0u8; 4], [0.0f32; 3]);
    let mut scratch = Scratch {
        chunk: ChunkScratch {
            logits: &mut z,
            dz: &mut dz,
            labels: &mut lab,
        },
        grad: &mut grad,
    };
    let got = train_step(
        &mut head,
        &mut sgd,
        &objective,
        &data,
        identity.scaling(),
        &[0, 1, 2],
        &mut scratch,
    );
    assert_eq!(got, Err(Error::NonFiniteUpdate));
    assert_eq!(bits(head.params()), bits(before.params()));
    assert_eq!(sgd, sgd_before);
    // The good rows still train.
    train_step(
        &mut head,
        &mut sgd,
        &objective,
        &data,
        identity.scaling(),
        &[0, 2],
        &mut scratch,
    )
    .unwrap();
    assert_ne!(bits(head.params()), bits(before.params()));
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    assert_eq!(
        Dataset::new(&[1.0, 2.0], &[0, 1], 2).unwrap_err(),
        Error::LengthMismatch {
            expected: 4,
            found: 2
        }
    );
    assert_eq!(
        Dataset::new(&[1.0, f32::NAN], &[0], 2).unwrap_err(),
        Error::NonFinite { index: 1 }
    );
    assert_eq!(Dataset::new(&[], &[], 2).unwrap_err(), Error::Empty);
    let x = [1.0f32, 2.0];
    let y = [3u8];
    let data = Dataset::new(&x, &y, 2).unwrap();
    assert!(data.sample(1).is_err());
    let identity = Standardizer::new([0.0f32; 2], [0.0f32; 2]).unwrap();
    let head = LogisticHead::new([0.0f32; 3]).unwrap();
    let (mut z, mut dz, mut lab, mut grad) = ([0.0f32; 2], [0.0f32; 2], [0u8; 2], [0.0f32; 3]);
    let mut chunk = ChunkScratch {
        logits: &mut z,
        dz: &mut dz,
        labels: &mut lab,
    };
    let objective = BinaryObjective::<F1>::bce();
    assert_eq!(
        binary_gradient(
            &head,
            &objective,
            &data,
            identity.scaling(),
            &[0],
            &mut chunk,
            &mut grad
        ),
        Err(Error::InvalidLabel { index: 0 })
    );
    assert!(binary_gradient(
        &head,
        &objective,
        &data,
        identity.scaling(),
        &[5],
        &mut chunk,
        &mut grad
    )
    .is_err());
    assert_eq!(
        binary_gradient(
            &head,
            &objective,
            &data,
            identity.scaling(),
            &[],
            &mut chunk,
            &mut grad
        ),
        Err(Error::Empty)
    );
    assert!(LogisticHead::new([0.0f32; 1]).is_err());
    assert!(SoftmaxHead::new([0.0f32; 7], 3).is_err());
    assert!(BinaryObjective::hybrid(BinaryLoss::new(F1), 1.5).is_err());
}

fn fit(
    x: &[f32],
    y: &[u8],
    objective: &BinaryObjective<F1>,
    config: &FitConfig,
    chunk: usize,
) -> (Vec<f32>, Counts, Vec<EpochReport>) {
    let data = Dataset::new(x, y, 2).unwrap();
    let mut train: Vec<u32> = (0..y.len() as u32).collect();
    let mut scaler = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let mut head = LogisticHead::new(vec![0.0; 3]).unwrap();
    let mut sgd = Sgd::new(0.3, 0.0, vec![0.0; 3]).unwrap();
    let (mut z, mut dz, mut lab, mut grad) = (
        vec![0.0; chunk],
        vec![0.0; chunk],
        vec![0u8; chunk],
        vec![0.0; 3],
    );
    let mut scratch = Scratch {
        chunk: ChunkScratch {
            logits: &mut z,
            dz: &mut dz,
            labels: &mut lab,
        },
        grad: &mut grad,
    };
    let mut reports = Vec::new();
    fit_binary(
        &mut head,
        &mut sgd,
        objective,
        &data,
        scaler.scaling(),
        &mut train,
        config,
        &mut scratch,
        |r, _| reports.push(*r),
    )
    .unwrap();
    let all: Vec<u32> = (0..y.len() as u32).collect();
    let counts = evaluate_binary(&head, &data, scaler.scaling(), &all).unwrap();
    (head.params().to_vec(), counts, reports)
}

#[test]
fn fits_are_reproducible_learn_and_follow_the_warm_start() {
    let (x, y) = blobs(300, 5);
    let loss = BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0).unwrap());
    let objective = BinaryObjective::hybrid(loss, 0.5).unwrap();
    let config = FitConfig {
        epochs: 30,
        batching: Batching { size: 32 },
        seed: 11,
        warm_start_epochs: 5,
    };
    let (a, counts, reports) = fit(&x, &y, &objective, &config, 16);
    let (b, _, _) = fit(&x, &y, &objective, &config, 16);
    assert_eq!(bits(&a), bits(&b), "same seed, same bits");
    let (c, _, _) = fit(&x, &y, &objective, &FitConfig { seed: 12, ..config }, 16);
    assert_ne!(bits(&a), bits(&c));
    assert_eq!(reports.len(), 30);
    assert!(reports[..5].iter().all(|r| r.warm_start && r.loss == r.bce));
    assert!(reports[5..].iter().all(|r| !r.warm_start));
    assert!(reports[29].loss < reports[5].loss);
    let f1 = counts.scores().f1;
    assert!(f1 > 0.8, "F1 {f1} on nearly separable blobs");

    // Full-dataset epochs streamed through a 7-sample chunk agree with a one-chunk batch.
    let full = FitConfig {
        epochs: 20,
        batching: Batching { size: 0 },
        seed: 1,
        warm_start_epochs: 0,
    };
    let (s, _, _) = fit(&x, &y, &objective, &full, 7);
    let (o, _, _) = fit(&x, &y, &objective, &full, 512);
    for (u, v) in s.iter().zip(&o) {
        assert!((u - v).abs() < 1e-4, "{s:?} vs {o:?}");
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

#[test]
fn softmax_head_learns_three_blobs() {
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut rng = SplitMix64::new(2);
    for i in 0..150 {
        let c = (i % 3) as u8;
        let centre = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][c as usize];
        x.push(centre.0 + (rng.next_u32() as f32 / u32::MAX as f32));
        x.push(centre.1 + (rng.next_u32() as f32 / u32::MAX as f32));
        y.push(c);
    }
    let data = Dataset::new(&x, &y, 2).unwrap();
    let mut train: Vec<u32> = (0..150).collect();
    let mut scaler = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let mut head = SoftmaxHead::new(vec![0.0; 9], 3).unwrap();
    let mut adam = Adam::new(0.05, vec![0.0; 9], vec![0.0; 9]).unwrap();
    let config = FitConfig {
        epochs: 40,
        batching: Batching { size: 16 },
        seed: 3,
        warm_start_epochs: 0,
    };
    let mut losses = Vec::new();
    fit_softmax(
        &mut head,
        &mut adam,
        &data,
        scaler.scaling(),
        &mut train,
        &config,
        &mut [0.0; 3],
        &mut [0.0; 9],
        |r, _| losses.push(r.loss),
    )
    .unwrap();
    let mut matrix = [0u32; 9];
    let all: Vec<u32> = (0..150).collect();
    let correct = evaluate_softmax(
        &head,
        &data,
        scaler.scaling(),
        &all,
        &mut [0.0; 3],
        &mut matrix,
    )
    .unwrap();
    assert!(correct >= 145, "{correct}/150, {matrix:?}");
    assert_eq!(matrix.iter().sum::<u32>(), 150);
    assert!(losses[39] < losses[0]);
}

/// The f64 reference of `1 − macro-F1` over amplified softmax probabilities of a linear
/// head, written out independently of the crate.
fn reference_macro_f1_loss(p: &[f64], x: &[f32], y: &[u8], l: f64) -> f64 {
    let n = y.len();
    let mut tp = [0.0f64; 3];
    let mut fp = [0.0f64; 3];
    let mut fn_ = [0.0f64; 3];
    for i in 0..n {
        let z: Vec<f64> = (0..3)
            .map(|c| p[c * 3 + 2] + p[c * 3] * x[2 * i] as f64 + p[c * 3 + 1] * x[2 * i + 1] as f64)
            .collect();
        let sum: f64 = z.iter().map(|v| v.exp()).sum();
        for c in 0..3 {
            let a = 1.0 / (1.0 + (-l * (z[c].exp() / sum - 0.5)).exp());
            let yc = f64::from(u8::from(y[i] as usize == c));
            tp[c] += yc * a;
            fn_[c] += yc * (1.0 - a);
            fp[c] += (1.0 - yc) * a;
        }
    }
    let macro_f1: f64 = (0..3)
        .map(|c| 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn_[c]))
        .sum::<f64>()
        / 3.0;
    1.0 - macro_f1
}

#[test]
fn softmax_metric_gradient_matches_f64_central_differences_streamed_or_not() {
    use anyloss_core::multiclass::{Average, MulticlassLoss};
    let mut rng = SplitMix64::new(4);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..30 {
        x.push(rng.next_u32() as f32 / u32::MAX as f32 * 2.0 - 1.0);
        x.push(rng.next_u32() as f32 / u32::MAX as f32 * 2.0 - 1.0);
        y.push((i % 3) as u8);
    }
    let data = Dataset::new(&x, &y, 2).unwrap();
    let identity = Standardizer::new([0.0f32; 2], [0.0f32; 2]).unwrap();
    let params: Vec<f32> = (0..9).map(|i| (i as f32 * 0.7).cos() * 0.8).collect();
    let head = SoftmaxHead::new(params.clone(), 3).unwrap();
    let loss =
        MulticlassLoss::averaged(F1, Average::Macro).with_amplifier(Amplifier::new(4.0).unwrap());
    let rows: Vec<u32> = (0..30).collect();
    let p64: Vec<f64> = params.iter().map(|&v| v as f64).collect();
    let reference = reference_macro_f1_loss(&p64, &x, &y, 4.0);
    for chunk in [64usize, 7] {
        let (mut z, mut dz, mut lab) =
            (vec![0.0; chunk * 3], vec![0.0; chunk * 3], vec![0u8; chunk]);
        let mut scratch = ClassChunkScratch {
            logits: &mut z,
            dz: &mut dz,
            labels: &mut lab,
        };
        let mut grad = [0.0f32; 9];
        let value = softmax_metric_gradient::<3, _, _>(
            &head,
            &loss,
            &data,
            identity.scaling(),
            &rows,
            &mut scratch,
            &mut grad,
        )
        .unwrap();
        assert!(
            (value as f64 - reference).abs() < 1e-5,
            "chunk {chunk}: {value} vs {reference}"
        );
        for k in 0..9 {
            let (mut up, mut down) = (p64.clone(), p64.clone());
            up[k] += 1e-6;
            down[k] -= 1e-6;
            let fd = (reference_macro_f1_loss(&up, &x, &y, 4.0)
                - reference_macro_f1_loss(&down, &x, &y, 4.0))
                / 2e-6;
            let err = (grad[k] as f64 - fd).abs() / fd.abs().max(1e-3);
            assert!(err < 1e-3, "chunk {chunk}, k={k}: {} vs {fd}", grad[k]);
        }
    }
}

#[test]
fn softmax_head_learns_three_blobs_with_a_macro_f1_loss() {
    use anyloss_core::multiclass::{Average, MulticlassLoss};
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut rng = SplitMix64::new(8);
    for i in 0..150 {
        let c = (i % 3) as u8;
        let centre = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][c as usize];
        x.push(centre.0 + (rng.next_u32() as f32 / u32::MAX as f32));
        x.push(centre.1 + (rng.next_u32() as f32 / u32::MAX as f32));
        y.push(c);
    }
    let data = Dataset::new(&x, &y, 2).unwrap();
    let mut train: Vec<u32> = (0..150).collect();
    let mut scaler = Standardizer::new(vec![0.0; 2], vec![0.0; 2]).unwrap();
    scaler.fit(&data, &train).unwrap();
    let mut head = SoftmaxHead::new(vec![0.0; 9], 3).unwrap();
    let mut sgd = Sgd::new(0.5, 0.0, vec![0.0; 9]).unwrap();
    let loss =
        MulticlassLoss::averaged(F1, Average::Macro).with_amplifier(Amplifier::new(10.0).unwrap());
    let config = FitConfig {
        epochs: 40,
        batching: Batching { size: 32 },
        seed: 3,
        warm_start_epochs: 0,
    };
    let (mut z, mut dz, mut lab) = (vec![0.0; 32 * 3], vec![0.0; 32 * 3], vec![0u8; 32]);
    let mut scratch = ClassChunkScratch {
        logits: &mut z,
        dz: &mut dz,
        labels: &mut lab,
    };
    let mut losses = Vec::new();
    fit_softmax_metric::<3, _, _, _>(
        &mut head,
        &mut sgd,
        &loss,
        &data,
        scaler.scaling(),
        &mut train,
        &config,
        &mut scratch,
        &mut [0.0; 9],
        |r, _| losses.push(r.loss),
    )
    .unwrap();
    let mut matrix = [0u32; 9];
    let all: Vec<u32> = (0..150).collect();
    let correct = evaluate_softmax(
        &head,
        &data,
        scaler.scaling(),
        &all,
        &mut [0.0; 3],
        &mut matrix,
    )
    .unwrap();
    assert!(correct >= 145, "{correct}/150, {matrix:?}");
    assert!(losses[39] < losses[0]);
}
