//! The multi-label loss: one label column is the binary loss, columns are independent
//! binary problems, weights and shapes are checked, and every output is finite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

use anyloss_core::metrics::{Builtin, BuiltinParams, F1};
use anyloss_core::multilabel::MultilabelLoss;
use anyloss_core::{Average, BinaryLoss, Degenerate, Error, Input, Parameter};
use proptest::prelude::*;

fn metric(k: usize) -> Builtin {
    let name = Builtin::NAMES[k % Builtin::NAMES.len()];
    Builtin::from_name(name, BuiltinParams::default())
        .unwrap()
        .unwrap()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0)
}

fn averages() -> [Option<Average>; 4] {
    [
        Some(Average::Macro),
        Some(Average::Micro),
        Some(Average::Weighted),
        None,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// With one label column every averaging is the binary loss: same loss and gradient (up
    /// to summation order), with and without weights, on probabilities and logits.
    #[test]
    fn one_column_is_binary(
        n in 1usize..1200,
        k in 0usize..15,
        seed in any::<u64>(),
        t in prop_oneof![Just(0.5f32), Just(0.3), Just(0.7)],
    ) {
        let mut s = seed | 1;
        let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 40) as f32 / (1u64 << 24) as f32 };
        let y: Vec<u8> = (0..n).map(|_| u8::from(next() < 0.4)).collect();
        let p: Vec<f32> = (0..n).map(|_| next()).collect();
        let z: Vec<f32> = p.iter().map(|v| 20.0 * (v - 0.5)).collect();
        let w: Vec<f32> = (0..n).map(|_| if next() < 0.2 { 0.0 } else { 2.0 * next() }).collect();
        let binary = BinaryLoss::new(metric(k)).with_threshold(t).unwrap();
        for average in averages() {
            let multi = MultilabelLoss::<_, 1>::new(metric(k), average).with_threshold(t).unwrap();
            for input in [Input::Probs(&p), Input::Logits(&z)] {
                for weights in [None, Some(&w)] {
                    let (mut gb, mut gm) = (vec![0.0; n], vec![0.0; n]);
                    let (b, m) = match weights {
                        None => (binary.loss_and_grad(&y, input, &mut gb).unwrap(),
                                 multi.loss_and_grad(&y, input, &mut gm).unwrap()),
                        Some(w) => (binary.loss_and_grad_weighted(&y, input, w, &mut gb).unwrap(),
                                    multi.loss_and_grad_weighted(&y, input, w, &mut gm).unwrap()),
                    };
                    prop_assert!(close(b.loss, m.loss), "{:?}: {} vs {}", average, b.loss, m.loss);
                    prop_assert!(close(b.loss, m.per_class[0]));
                    let c = m.confusion.classes[0];
                    for (x, y) in [(b.confusion.tp, c.tp), (b.confusion.fn_, c.fn_),
                                   (b.confusion.fp, c.fp), (b.confusion.tn, c.tn)] {
                        prop_assert!(close(x, y), "{x} vs {y}");
                    }
                    let scale = gb.iter().fold(0.0f32, |a, g| a.max(g.abs()));
                    for i in 0..n {
                        prop_assert!((gb[i] - gm[i]).abs() <= 1e-4 * scale.max(1e-20),
                            "{:?} i={i}: {} vs {}", average, gb[i], gm[i]);
                    }
                }
            }
        }
    }

    /// Columns are independent: without averaging, each label's loss and gradient are
    /// those of the binary loss on that column alone.
    #[test]
    fn columns_are_independent_binary_problems(rows in 1usize..300, k in 0usize..15, seed in any::<u64>()) {
        const C: usize = 3;
        let mut s = seed | 1;
        let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 40) as f32 / (1u64 << 24) as f32 };
        let y: Vec<u8> = (0..rows * C).map(|_| u8::from(next() < 0.5)).collect();
        let p: Vec<f32> = (0..rows * C).map(|_| next()).collect();
        let multi = MultilabelLoss::<_, C>::new(metric(k), None);
        let mut g = vec![0.0; rows * C];
        let out = multi.loss_and_grad(&y, Input::Probs(&p), &mut g).unwrap();
        prop_assert!(out.loss.is_finite() && g.iter().all(|v| v.is_finite()));
        for c in 0..C {
            let yc: Vec<u8> = (0..rows).map(|i| y[i * C + c]).collect();
            let pc: Vec<f32> = (0..rows).map(|i| p[i * C + c]).collect();
            let mut gc = vec![0.0; rows];
            let b = BinaryLoss::new(metric(k)).loss_and_grad(&yc, Input::Probs(&pc), &mut gc).unwrap();
            prop_assert!(close(b.loss, out.per_class[c]));
            let scale = gc.iter().fold(0.0f32, |a, v| a.max(v.abs()));
            for i in 0..rows {
                prop_assert!((gc[i] - g[i * C + c]).abs() <= 1e-4 * scale.max(1e-20));
            }
        }
    }
}

#[test]
fn shapes_weights_and_class_weights_are_checked() {
    let loss = MultilabelLoss::<_, 2>::new(F1, Some(Average::Macro));
    let y = [1u8, 0, 0, 1];
    let p = [0.9f32, 0.1, 0.2, 0.8];
    let mut g = [0.0f32; 4];
    assert_eq!(
        loss.loss(&y[..3], Input::Probs(&p[..3])).err(),
        Some(Error::LengthMismatch {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        loss.loss(&y, Input::Probs(&p[..3])).err(),
        Some(Error::LengthMismatch {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(loss.loss(&[], Input::Probs(&[])).err(), Some(Error::Empty));
    assert_eq!(
        loss.loss_and_grad_weighted(&y, Input::Probs(&p), &[1.0], &mut g)
            .err(),
        Some(Error::LengthMismatch {
            expected: 2,
            found: 1
        })
    );
    assert_eq!(
        loss.loss_and_grad_weighted(&y, Input::Probs(&p), &[1.0, -2.0], &mut g)
            .err(),
        Some(Error::NegativeWeight { index: 1 })
    );
    assert_eq!(
        loss.loss_and_grad_weighted(&y, Input::Probs(&p), &[f32::NAN, 1.0], &mut g)
            .err(),
        Some(Error::NonFiniteWeight { index: 0 })
    );
    let mut bad = p;
    bad[3] = 1.5;
    assert_eq!(
        loss.loss(&y, Input::Probs(&bad)).err(),
        Some(Error::ProbabilityOutOfRange { index: 3 })
    );
    bad[2] = f32::NAN;
    assert_eq!(
        loss.loss(&y, Input::Probs(&bad)).err(),
        Some(Error::NonFinite { index: 2 })
    );
    assert_eq!(
        loss.loss(&[1, 2, 0, 1], Input::Probs(&p)).err(),
        Some(Error::InvalidLabel { index: 1 })
    );
    assert_eq!(
        loss.loss_and_grad(&y, Input::Probs(&p), &mut g[..3]).err(),
        Some(Error::LengthMismatch {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        loss.with_class_weights([0.0, 0.0]).err(),
        Some(Error::InvalidParameter(Parameter::ClassWeights))
    );
    assert_eq!(
        loss.with_class_weights([1.0, -1.0]).err(),
        Some(Error::NegativeWeight { index: 1 })
    );
    assert_eq!(
        MultilabelLoss::<_, 2>::new(F1, Some(Average::Micro))
            .with_class_weights([1.0, 2.0])
            .err(),
        Some(Error::InvalidParameter(Parameter::ClassWeights))
    );
    assert!(MultilabelLoss::<_, 2>::new(F1, None)
        .with_class_weights([1.0, 1.0])
        .is_ok());
}

/// A zero weight removes its row; a label with no positive row follows the policy and
/// gets weight 0 in the weighted average.
#[test]
fn zero_weights_and_degenerate_labels() {
    let y = [1u8, 0, 0, 0, 1, 0];
    let p = [0.9f32, 0.6, 0.2, 0.1, 0.4, 0.3];
    let w = [1.0f32, 0.0, 2.0];
    let mut g = [0.0f32; 6];
    for average in averages() {
        let loss = MultilabelLoss::<_, 2>::new(F1, average);
        let out = loss
            .loss_and_grad_weighted(&y, Input::Probs(&p), &w, &mut g)
            .unwrap();
        assert!(out.loss.is_finite());
        assert_eq!(&g[2..4], &[0.0, 0.0], "{average:?}");
        assert_eq!(out.confusion.support, [3.0, 0.0]);
        if average == Some(Average::Weighted) {
            // Label 1 has no positives: weight 0, no gradient for its column.
            assert_eq!(out.coefficients[1].positive, 0.0);
            assert_eq!(out.coefficients[1].negative, 0.0);
        }
    }
    let fixed = MultilabelLoss::<_, 2>::new(F1, Some(Average::Weighted))
        .with_degenerate(Degenerate::Fallback(0.0))
        .unwrap();
    let none = fixed
        .loss_and_grad(
            &[0, 0, 0, 0],
            Input::Probs(&[0.1, 0.2, 0.3, 0.4]),
            &mut g[..4],
        )
        .unwrap();
    assert_eq!(none.loss, 1.0);
    assert!(g[..4].iter().all(|&v| v == 0.0));
}

/// Chunks of rows stream: summed entries and per-chunk gradients equal the one-shot call.
#[test]
fn chunks_of_rows_stream() {
    const C: usize = 3;
    let rows = 700;
    let y: Vec<u8> = (0..rows * C).map(|i| u8::from(i * 7 % 5 < 2)).collect();
    let p: Vec<f32> = (0..rows * C).map(|i| (i * 31 % 97) as f32 / 96.0).collect();
    let w: Vec<f32> = (0..rows).map(|i| (i % 4) as f32 * 0.5).collect();
    let loss = MultilabelLoss::<_, C>::new(F1, Some(Average::Weighted));
    let mut g = vec![0.0; rows * C];
    let whole = loss
        .loss_and_grad_weighted(&y, Input::Probs(&p), &w, &mut g)
        .unwrap();
    let cut = 333;
    let a = loss
        .confusion_weighted(&y[..cut * C], Input::Probs(&p[..cut * C]), &w[..cut])
        .unwrap();
    let b = loss
        .confusion_weighted(&y[cut * C..], Input::Probs(&p[cut * C..]), &w[cut..])
        .unwrap();
    let out = loss.evaluate(&(a + b));
    assert!(close(out.loss, whole.loss));
    let mut g2 = vec![0.0; rows * C];
    loss.gradient(
        &out,
        &y[..cut * C],
        Input::Probs(&p[..cut * C]),
        Some(&w[..cut]),
        &mut g2[..cut * C],
    )
    .unwrap();
    loss.gradient(
        &out,
        &y[cut * C..],
        Input::Probs(&p[cut * C..]),
        Some(&w[cut..]),
        &mut g2[cut * C..],
    )
    .unwrap();
    let scale = g.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    for (x, y) in g.iter().zip(&g2) {
        assert!((x - y).abs() <= 1e-4 * scale);
    }
}

/// Multi-class per-class losses: their mean is the macro loss, and each is the binary
/// one-vs-rest loss of its class.
#[test]
fn multiclass_per_class_losses() {
    use anyloss_core::multiclass::{Averaged, Layout, MulticlassLoss};
    const C: usize = 3;
    let n = 200;
    let y: Vec<u8> = (0..n).map(|i| (i * 7 % 3) as u8).collect();
    let p: Vec<f32> = (0..n * C).map(|i| (i * 13 % 29) as f32 / 28.0).collect();
    let layout = Layout::<C>::sample_major(n).unwrap();
    let averaged = Averaged::new(F1, Average::Macro);
    let loss = MulticlassLoss::new(averaged);
    let out = loss.loss(&layout, &y, Input::Probs(&p)).unwrap();
    let per_class = averaged.per_class(&out.confusion);
    let mean = per_class.iter().sum::<f32>() / C as f32;
    assert!(close(mean, out.loss), "{mean} vs {}", out.loss);
    for c in 0..C {
        let yc: Vec<u8> = y.iter().map(|&v| u8::from(usize::from(v) == c)).collect();
        let pc: Vec<f32> = (0..n).map(|i| p[i * C + c]).collect();
        let b = BinaryLoss::new(F1).loss(&yc, Input::Probs(&pc)).unwrap();
        assert!(close(b.loss, per_class[c]), "class {c}");
    }
}
