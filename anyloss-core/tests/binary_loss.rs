//! The binary loss end to end: bad input, degenerate batches, additivity, logits, and
//! summation accuracy at N = 10^6.

use anyloss_core::metrics::{Builtin, BuiltinParams, FBeta, GMean, Mcc, Tversky, F1};
use anyloss_core::{Amplifier, BinaryLoss, Confusion, Degenerate, Error, Input, Metric, Parameter};
use proptest::prelude::*;

fn f1() -> BinaryLoss<F1> {
    BinaryLoss::new(F1)
}

#[test]
fn every_bad_input_is_an_error() {
    let mut g = [0.0f32; 3];
    let y = [1u8, 0, 1];
    let l = f1();
    assert_eq!(
        l.loss_and_grad(&y, Input::Probs(&[0.1, f32::NAN, 0.2]), &mut g),
        Err(Error::NonFinite { index: 1 })
    );
    assert_eq!(
        l.loss_and_grad(&y, Input::Logits(&[0.1, 0.3, f32::INFINITY]), &mut g),
        Err(Error::NonFinite { index: 2 })
    );
    assert_eq!(
        l.loss_and_grad(&y, Input::Probs(&[0.1, 1.5, 0.2]), &mut g),
        Err(Error::ProbabilityOutOfRange { index: 1 })
    );
    assert_eq!(
        l.loss_and_grad(&y, Input::Probs(&[-0.0001, 0.5, 0.2]), &mut g),
        Err(Error::ProbabilityOutOfRange { index: 0 })
    );
    assert_eq!(
        l.loss_and_grad(&[1, 2, 0], Input::Probs(&[0.1, 0.5, 0.2]), &mut g),
        Err(Error::InvalidLabel { index: 1 })
    );
    assert_eq!(
        l.loss_and_grad(&y, Input::Probs(&[0.1, 0.5]), &mut g),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        l.loss_and_grad(&y, Input::Probs(&[0.1, 0.5, 0.3]), &mut g[..2]),
        Err(Error::LengthMismatch {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        l.loss_and_grad(&[], Input::Probs(&[]), &mut []),
        Err(Error::Empty)
    );
    assert_eq!(
        Amplifier::new(f32::NAN),
        Err(Error::InvalidParameter(Parameter::L))
    );
    assert_eq!(
        FBeta::new(0.0),
        Err(Error::InvalidParameter(Parameter::Beta))
    );
    assert_eq!(
        FBeta::new(f32::INFINITY),
        Err(Error::InvalidParameter(Parameter::Beta))
    );
    assert_eq!(
        Tversky::new(-1.0, 0.5),
        Err(Error::InvalidParameter(Parameter::Alpha))
    );
    assert_eq!(
        Tversky::new(0.0, 0.0),
        Err(Error::InvalidParameter(Parameter::Alpha))
    );
    assert_eq!(
        Tversky::new(0.5, f32::NAN),
        Err(Error::InvalidParameter(Parameter::Beta))
    );
    assert_eq!(
        f1().with_degenerate(Degenerate::Smooth(0.0)),
        Err(Error::InvalidParameter(Parameter::Epsilon))
    );
    assert_eq!(
        f1().with_degenerate(Degenerate::Fallback(f32::NAN)),
        Err(Error::InvalidParameter(Parameter::Fallback))
    );
    // A bad sample far into a long input is found at its exact index.
    let n = 5000;
    let mut p = vec![0.5f32; n];
    p[4321] = 2.0;
    let mut g = vec![0.0f32; n];
    assert_eq!(
        l.loss_and_grad(&vec![0; n], Input::Probs(&p), &mut g),
        Err(Error::ProbabilityOutOfRange { index: 4321 })
    );
}

#[test]
fn error_messages_say_what_and_where() {
    assert_eq!(
        Error::ProbabilityOutOfRange { index: 7 }.to_string(),
        "probability at index 7 is outside [0, 1]"
    );
    assert_eq!(
        Error::InvalidParameter(Parameter::L).to_string(),
        "invalid parameter: amplifier L must be finite and > 0"
    );
}

/// Single-class batches, N = 1, saturated outputs: always a finite loss and gradient.
#[test]
fn degenerate_batches_are_finite_under_both_policies() {
    let cases: [(&[u8], &[f32]); 5] = [
        (&[0, 0, 0, 0], &[0.1, 0.7, 0.2, 0.9]),
        (&[1, 1, 1], &[0.1, 0.7, 0.99]),
        (&[1], &[0.5]),
        (&[0], &[0.0]),
        (&[1, 0], &[1.0, 0.0]),
    ];
    for policy in [
        Degenerate::Smooth(1.0),
        Degenerate::Smooth(1e-3),
        Degenerate::Fallback(0.0),
    ] {
        for name in Builtin::NAMES {
            let m = Builtin::from_name(name, BuiltinParams::default())
                .unwrap()
                .unwrap();
            let loss = BinaryLoss::new(m).with_degenerate(policy).unwrap();
            for (y, p) in cases {
                let mut g = vec![0.0; y.len()];
                let out = loss.loss_and_grad(y, Input::Probs(p), &mut g).unwrap();
                assert!(out.loss.is_finite(), "{name} {policy:?} {y:?}");
                assert!(
                    g.iter().all(|v| v.is_finite()),
                    "{name} {policy:?} {y:?}: {g:?}"
                );
            }
        }
    }
}

#[test]
fn smoothing_keeps_a_useful_gradient_on_a_batch_without_positives() {
    // G-mean is undefined without positives; the default policy evaluates it at the
    // smoothed point, where it still rewards lowering the false positive.
    let loss = BinaryLoss::new(GMean);
    let y = [0u8, 0, 0];
    let p = [0.2f32, 0.55, 0.45];
    let mut g = [0.0f32; 3];
    let out = loss.loss_and_grad(&y, Input::Probs(&p), &mut g).unwrap();
    let want = GMean.evaluate(&out.confusion.smoothed(1.0)).unwrap();
    assert_eq!(out.metric, want.value);
    assert!(
        g[1] > 0.0,
        "raising a negative's probability must raise the loss"
    );
    // Fallback: the batch contributes nothing.
    let loss = loss.with_degenerate(Degenerate::Fallback(0.0)).unwrap();
    let out = loss.loss_and_grad(&y, Input::Probs(&p), &mut g).unwrap();
    assert_eq!((out.metric, out.loss), (0.0, 1.0));
    assert!(g.iter().all(|&v| v == 0.0));
}

#[test]
fn summation_is_accurate_at_a_million_samples() {
    let n = 1_000_000;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let labels: Vec<u8> = (0..n).map(|_| u8::from(next() < 0.1)).collect();
    let probs: Vec<f32> = (0..n).map(|_| next()).collect();
    let amp = Amplifier::default();
    let c = Confusion::from_probs(&amp, &labels, &probs).unwrap();
    let (mut tp, mut fp, mut fn_, mut tn) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (&y, &p) in labels.iter().zip(&probs) {
        let a = 1.0 / (1.0 + (-73.0 * (p as f64 - 0.5)).exp());
        if y == 1 {
            tp += a;
            fn_ += 1.0 - a;
        } else {
            fp += a;
            tn += 1.0 - a;
        }
    }
    for (got, want) in [(c.tp, tp), (c.fn_, fn_), (c.fp, fp), (c.tn, tn)] {
        let rel = (got as f64 - want).abs() / want;
        assert!(rel < 2e-6, "entry {got} vs f64 {want}: rel {rel:e}");
    }
    // A plain sequential f32 sum drifts far more: the accuracy is the design, not luck.
    let naive: f32 = labels
        .iter()
        .zip(&probs)
        .filter(|(&y, _)| y == 0)
        .map(|(_, &p)| amp.value(p))
        .sum();
    assert!(((naive as f64 - fp) / fp).abs() > ((c.fp as f64 - fp) / fp).abs());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn outputs_are_always_finite(
        data in prop::collection::vec((0u8..2, 0.0f32..=1.0), 1..200),
        l in 0.5f32..500.0,
    ) {
        let (y, p): (Vec<u8>, Vec<f32>) = data.into_iter().unzip();
        for name in Builtin::NAMES {
            let m = Builtin::from_name(name, BuiltinParams::default()).unwrap().unwrap();
            let loss = BinaryLoss::new(m).with_amplifier(Amplifier::new(l).unwrap());
            let mut g = vec![0.0; y.len()];
            let out = loss.loss_and_grad(&y, Input::Probs(&p), &mut g).unwrap();
            prop_assert!(out.loss.is_finite() && out.metric.is_finite());
            prop_assert!(g.iter().all(|v| v.is_finite()), "{}: {:?}", name, g);
            let r = m.range();
            prop_assert!(out.metric >= r.min - 1e-5 && out.metric <= r.max + 1e-5);
        }
    }

    #[test]
    fn chunked_entries_equal_whole(
        data in prop::collection::vec((0u8..2, 0.0f32..=1.0), 2..3000),
        cut in 0.0f64..1.0,
    ) {
        let (y, p): (Vec<u8>, Vec<f32>) = data.into_iter().unzip();
        let k = ((y.len() as f64 * cut) as usize).clamp(1, y.len() - 1);
        let amp = Amplifier::default();
        let whole = Confusion::from_probs(&amp, &y, &p).unwrap();
        let parts = Confusion::from_probs(&amp, &y[..k], &p[..k]).unwrap()
            + Confusion::from_probs(&amp, &y[k..], &p[k..]).unwrap();
        for (a, b) in [(whole.tp, parts.tp), (whole.fn_, parts.fn_), (whole.fp, parts.fp), (whole.tn, parts.tn)] {
            prop_assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{} vs {}", a, b);
        }
    }

    #[test]
    fn logit_gradient_is_prob_gradient_times_sigmoid_slope(
        data in prop::collection::vec((0u8..2, -8.0f32..8.0), 1..300),
        l in 1.0f32..80.0,
    ) {
        let (y, z): (Vec<u8>, Vec<f32>) = data.into_iter().unzip();
        let p: Vec<f32> = z.iter().map(|&z| anyloss_core::sigmoid(z).0).collect();
        let loss = BinaryLoss::new(Mcc).with_amplifier(Amplifier::new(l).unwrap());
        let (mut gz, mut gp) = (vec![0.0; y.len()], vec![0.0; y.len()]);
        loss.loss_and_grad(&y, Input::Logits(&z), &mut gz).unwrap();
        loss.loss_and_grad(&y, Input::Probs(&p), &mut gp).unwrap();
        let scale = gz.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        for ((&gz, &gp), &z) in gz.iter().zip(&gp).zip(&z) {
            let slope = anyloss_core::sigmoid(z).1;
            prop_assert!((gz - gp * slope).abs() <= 1e-4 * gz.abs() + 1e-6 * scale,
                "z={}: {} vs {}", z, gz, gp * slope);
        }
    }

    #[test]
    fn streaming_gradient_equals_single_shot(
        data in prop::collection::vec((0u8..2, 0.0f32..=1.0), 2..2000),
        chunk in 1usize..300,
    ) {
        let (y, p): (Vec<u8>, Vec<f32>) = data.into_iter().unzip();
        let loss = BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0).unwrap());
        let mut whole = vec![0.0; y.len()];
        let out = loss.loss_and_grad(&y, Input::Probs(&p), &mut whole).unwrap();
        let mut c = Confusion::default();
        for (yc, pc) in y.chunks(chunk).zip(p.chunks(chunk)) {
            c += loss.confusion(yc, Input::Probs(pc)).unwrap();
        }
        let streamed = loss.evaluate(&c);
        prop_assert!((streamed.loss - out.loss).abs() < 1e-5);
        let mut g = vec![0.0; y.len()];
        for ((yc, pc), gc) in y.chunks(chunk).zip(p.chunks(chunk)).zip(g.chunks_mut(chunk)) {
            loss.gradient(&streamed, yc, Input::Probs(pc), gc).unwrap();
        }
        for (a, b) in whole.iter().zip(&g) {
            prop_assert!((a - b).abs() <= 1e-4 * a.abs() + 1e-9);
        }
    }
}

#[test]
fn typed_samples_match_the_run_time_input_bit_for_bit() {
    use anyloss_core::{Logits, Probs};
    let loss = f1();
    let labels: Vec<u8> = (0..1000).map(|i| u8::from(i % 7 < 2)).collect();
    let xs: Vec<f32> = (0..1000).map(|i| (i % 101) as f32 / 100.0).collect();
    let zs: Vec<f32> = xs.iter().map(|p| 8.0 * (p - 0.5)).collect();
    let (mut g1, mut g2) = (vec![0.0; 1000], vec![0.0; 1000]);
    let a = loss.loss_and_grad(&labels, Probs(&xs), &mut g1).unwrap();
    let b = loss
        .loss_and_grad(&labels, Input::Probs(&xs), &mut g2)
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(g1, g2);
    let a = loss.loss_and_grad(&labels, Logits(&zs), &mut g1).unwrap();
    let b = loss
        .loss_and_grad(&labels, Input::Logits(&zs), &mut g2)
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(g1, g2);
    assert_eq!(
        loss.confusion(&labels, Probs(&xs)).unwrap(),
        Confusion::from_probs(loss.amplifier(), &labels, &xs).unwrap()
    );
    // The typed forms check their input as `Input` does.
    let mut bad = labels.clone();
    bad[999] = 255;
    assert_eq!(
        loss.loss_and_grad(&bad, Probs(&xs), &mut g1),
        Err(Error::InvalidLabel { index: 999 })
    );
    assert_eq!(
        loss.loss(&labels, Logits(&zs[1..])),
        Err(Error::LengthMismatch {
            expected: 1000,
            found: 999
        })
    );
}
