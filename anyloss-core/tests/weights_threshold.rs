//! Sample weights and the decision threshold of the binary loss: the identities that tie
//! them to the unweighted, centred path (bit for bit), what a zero weight does, and the
//! errors of bad weights and thresholds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Amplifier, BinaryLoss, Error, Input, Parameter};
use proptest::prelude::*;

fn metric(k: usize) -> Builtin {
    let name = Builtin::NAMES[k % Builtin::NAMES.len()];
    Builtin::from_name(name, BuiltinParams::default())
        .unwrap()
        .unwrap()
}

/// Labels with valid probabilities and logits of the same length (long enough to cross
/// block and lane boundaries now and then).
fn batch() -> impl Strategy<Value = (Vec<u8>, Vec<f32>, Vec<f32>)> {
    (1usize..2600).prop_flat_map(|n| {
        (
            prop::collection::vec(0u8..=1, n),
            prop::collection::vec(0.0f32..=1.0, n),
            prop::collection::vec(-30.0f32..30.0, n),
        )
    })
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Weight 1 everywhere is the unweighted path, bit for bit: entries, loss, gradient.
    #[test]
    fn unit_weights_are_the_unweighted_path((y, p, z) in batch(), k in 0usize..15) {
        let loss = BinaryLoss::new(metric(k));
        let ones = vec![1.0f32; y.len()];
        for input in [Input::Probs(&p), Input::Logits(&z)] {
            let (mut g0, mut g1) = (vec![0.0; y.len()], vec![0.0; y.len()]);
            let a = loss.loss_and_grad(&y, input, &mut g0).unwrap();
            let b = loss.loss_and_grad_weighted(&y, input, &ones, &mut g1).unwrap();
            prop_assert_eq!(a.loss.to_bits(), b.loss.to_bits());
            prop_assert_eq!(a.confusion, b.confusion);
            prop_assert_eq!(bits(&g0), bits(&g1));
            prop_assert_eq!(loss.confusion(&y, input).unwrap(),
                loss.confusion_weighted(&y, input, &ones).unwrap());
            let mut g2 = vec![0.0; y.len()];
            loss.gradient_weighted(&b, &y, input, &ones, &mut g2).unwrap();
            prop_assert_eq!(bits(&g0), bits(&g2));
        }
    }

    /// Threshold 0.5 is the default amplifier, bit for bit.
    #[test]
    fn threshold_one_half_is_the_default((y, p, z) in batch(), k in 0usize..15) {
        let plain = BinaryLoss::new(metric(k));
        let centred = BinaryLoss::new(metric(k)).with_threshold(0.5).unwrap();
        for input in [Input::Probs(&p), Input::Logits(&z)] {
            let (mut g0, mut g1) = (vec![0.0; y.len()], vec![0.0; y.len()]);
            let a = plain.loss_and_grad(&y, input, &mut g0).unwrap();
            let b = centred.loss_and_grad(&y, input, &mut g1).unwrap();
            prop_assert_eq!(a.loss.to_bits(), b.loss.to_bits());
            prop_assert_eq!(bits(&g0), bits(&g1));
        }
    }

    /// A zero weight takes the sample out: zero gradient, and the entries of the others.
    #[test]
    fn zero_weight_removes_the_sample((y, p, _z) in batch(), k in 0usize..15, seed in 0usize..1000) {
        let loss = BinaryLoss::new(metric(k));
        let n = y.len();
        let w: Vec<f32> = (0..n).map(|i| if (i * 7 + seed) % 3 == 0 { 0.0 } else { 1.0 }).collect();
        let kept: Vec<usize> = (0..n).filter(|&i| w[i] != 0.0).collect();
        let mut g = vec![0.0; n];
        let out = loss.loss_and_grad_weighted(&y, Input::Probs(&p), &w, &mut g).unwrap();
        for i in 0..n {
            if w[i] == 0.0 {
                prop_assert_eq!(g[i], 0.0);
            }
        }
        if !kept.is_empty() {
            let ys: Vec<u8> = kept.iter().map(|&i| y[i]).collect();
            let ps: Vec<f32> = kept.iter().map(|&i| p[i]).collect();
            let c = loss.confusion(&ys, Input::Probs(&ps)).unwrap();
            for (a, b) in [(out.confusion.tp, c.tp), (out.confusion.fn_, c.fn_),
                           (out.confusion.fp, c.fp), (out.confusion.tn, c.tn)] {
                prop_assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
            }
        } else {
            prop_assert_eq!(out.confusion.total(), 0.0);
        }
    }

    /// Integer weights are repeated samples: entries and per-sample gradient sums agree.
    #[test]
    fn integer_weights_are_repeats((y, p, _z) in batch(), k in 0usize..15) {
        let loss = BinaryLoss::new(metric(k));
        let n = y.len().min(400);
        let (y, p) = (&y[..n], &p[..n]);
        let w: Vec<f32> = (0..n).map(|i| (i % 3) as f32).collect();
        let (mut ys, mut ps) = (Vec::new(), Vec::new());
        for i in 0..n {
            for _ in 0..(i % 3) {
                ys.push(y[i]);
                ps.push(p[i]);
            }
        }
        prop_assume!(!ys.is_empty());
        let mut g = vec![0.0; n];
        let a = loss.loss_and_grad_weighted(y, Input::Probs(p), &w, &mut g).unwrap();
        let mut gr = vec![0.0; ys.len()];
        let b = loss.loss_and_grad(&ys, Input::Probs(&ps), &mut gr).unwrap();
        prop_assert!((a.loss - b.loss).abs() <= 1e-5, "{} vs {}", a.loss, b.loss);
        let mut j = 0;
        for i in 0..n {
            let reps = i % 3;
            let sum: f32 = gr[j..j + reps].iter().sum();
            j += reps;
            prop_assert!((g[i] - sum).abs() <= 1e-3 * sum.abs().max(1e-3), "i={i}: {} vs {sum}", g[i]);
        }
    }
}

#[test]
fn bad_weights_are_reported_where_they_are() {
    let loss = BinaryLoss::new(metric(4));
    for n in [1usize, 5, 1000, 2048, 2049, 5000] {
        let y: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
        let p: Vec<f32> = (0..n).map(|i| (i % 10) as f32 / 9.0).collect();
        for at in [0, n / 2, n - 1] {
            for (bad, want) in [
                (-1.0f32, Error::NegativeWeight { index: at }),
                (-1e-30, Error::NegativeWeight { index: at }),
                (f32::NAN, Error::NonFiniteWeight { index: at }),
                (f32::INFINITY, Error::NonFiniteWeight { index: at }),
                (f32::NEG_INFINITY, Error::NonFiniteWeight { index: at }),
            ] {
                let mut w = vec![0.5f32; n];
                w[at] = bad;
                let mut g = vec![0.0; n];
                for input in [Input::Probs(&p), Input::Logits(&p)] {
                    assert_eq!(
                        loss.loss_and_grad_weighted(&y, input, &w, &mut g),
                        Err(want),
                        "n={n} at={at} w={bad}"
                    );
                    assert_eq!(loss.confusion_weighted(&y, input, &w), Err(want));
                }
            }
            // -0.0 is a valid zero weight.
            let mut w = vec![0.5f32; n];
            w[at] = -0.0;
            assert!(loss.confusion_weighted(&y, Input::Probs(&p), &w).is_ok());
        }
        let mut g = vec![0.0; n];
        assert_eq!(
            loss.loss_and_grad_weighted(&y, Input::Probs(&p), &vec![1.0; n + 1], &mut g),
            Err(Error::LengthMismatch {
                expected: n,
                found: n + 1
            })
        );
    }
}

#[test]
fn bad_thresholds_are_rejected() {
    for t in [0.0f32, 1.0, -0.5, 2.0, f32::NAN, f32::INFINITY] {
        assert_eq!(
            BinaryLoss::new(metric(4)).with_threshold(t).err(),
            Some(Error::InvalidParameter(Parameter::Threshold))
        );
        assert!(Amplifier::default().with_threshold(t).is_err());
    }
}

/// The threshold moves the decision: a sample at p = 0.6 counts as positive at t = 0.5
/// and as negative at t = 0.7.
#[test]
fn threshold_moves_the_decision() {
    let y = [1u8, 0];
    let p = [0.6f32, 0.6];
    let at = |t: f32| {
        BinaryLoss::new(metric(4))
            .with_threshold(t)
            .unwrap()
            .confusion(&y, Input::Probs(&p))
            .unwrap()
    };
    let (low, high) = (at(0.5), at(0.7));
    assert!(low.tp > 0.99 && low.fp > 0.99);
    assert!(high.fn_ > 0.99 && high.tn > 0.99);
}
