//! Multi-class sample weights, class weights and the per-class sum: a weight of 1
//! everywhere is the unweighted path bit for bit, equal class weights are no class weights
//! bit for bit, a zero weight removes its position, the per-class sum is `C ×` macro, and
//! bad weights are errors that name their position.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

use anyloss_core::metrics::{Builtin, BuiltinParams, F1};
use anyloss_core::multiclass::{
    Averaged, ErrorRate, Layout, MulticlassLoss, MulticlassOutput, Objective,
};
use anyloss_core::{Average, Error, Input, Parameter};
use proptest::prelude::*;

const C: usize = 4;
const IGNORE: u8 = 9;

fn metric(k: usize) -> Builtin {
    let name = Builtin::NAMES[k % Builtin::NAMES.len()];
    Builtin::from_name(name, BuiltinParams::default())
        .unwrap()
        .unwrap()
}

fn averages() -> [Option<Average>; 4] {
    [
        Some(Average::Macro),
        Some(Average::Micro),
        Some(Average::Weighted),
        None,
    ]
}

/// The layouts of every pass-1 path: rows of samples (the general path), class planes
/// with pixel rows (the lane and tile paths), and channels last.
fn layouts(samples: usize, pixels: usize) -> [Layout<C>; 3] {
    [
        Layout::<C>::sample_major(samples * pixels).unwrap(),
        Layout::<C>::class_planes(samples, pixels).unwrap(),
        Layout::<C>::channels_last(samples, pixels).unwrap(),
    ]
}

/// Labels (some ignored), softmax-like probabilities, logits and weights (a fifth 0) of
/// `positions` positions, from one xorshift stream.
fn batch(positions: usize, seed: u64) -> (Vec<u8>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut s = seed | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f32 / (1u64 << 24) as f32
    };
    let y: Vec<u8> = (0..positions)
        .map(|_| {
            let u = next();
            if u < 0.05 {
                IGNORE
            } else {
                (u * C as f32) as u8 % C as u8
            }
        })
        .collect();
    let z: Vec<f32> = (0..positions * C).map(|_| 8.0 * (next() - 0.5)).collect();
    let p: Vec<f32> = z
        .chunks(C)
        .flat_map(|r| {
            let e: Vec<f32> = r.iter().map(|v| v.exp()).collect();
            let t: f32 = e.iter().sum();
            e.into_iter().map(move |v| v / t)
        })
        .collect();
    let w: Vec<f32> = (0..positions)
        .map(|_| if next() < 0.2 { 0.0 } else { 2.0 * next() })
        .collect();
    (y, p, z, w)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn same<const K: usize>(a: &MulticlassOutput<K>, b: &MulticlassOutput<K>) -> bool {
    a.loss.to_bits() == b.loss.to_bits()
        && a.confusion.classes() == b.confusion.classes()
        && bits(a.confusion.support()) == bits(b.confusion.support())
        && a.coefficients == b.coefficients
}

fn close(a: f32, b: f32, tol: f32) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A weight of 1 everywhere gives the unweighted loss, entries, support, coefficients
    /// and gradient bit for bit, on every layout path, probabilities and logits, every
    /// averaging, in one call and streamed.
    #[test]
    fn unit_weights_are_the_unweighted_path(
        samples in 1usize..4,
        pixels in prop_oneof![Just(1usize), 1usize..70],
        k in 0usize..15,
        seed in any::<u64>(),
    ) {
        let positions = samples * pixels;
        let (y, p, z, _) = batch(positions, seed);
        let ones = vec![1.0f32; positions];
        for layout in layouts(samples, pixels) {
            for average in averages() {
                let loss = MulticlassLoss::averaged(metric(k), average).with_ignore(u32::from(IGNORE));
                for input in [Input::Probs(&p), Input::Logits(&z)] {
                    let (mut g1, mut g2) = (vec![0.0; p.len()], vec![0.0; p.len()]);
                    let a = loss.loss_and_grad(&layout, &y, input, &mut g1).unwrap();
                    let b = loss.loss_and_grad_weighted(&layout, &y, input, &ones, &mut g2).unwrap();
                    prop_assert!(same(&a, &b), "{:?}: {:?} vs {:?}", average, a, b);
                    prop_assert_eq!(bits(&g1), bits(&g2));
                    loss.gradient_weighted(&a, &layout, &y, input, &ones, &mut g2).unwrap();
                    prop_assert_eq!(bits(&g1), bits(&g2));
                    let c = loss.confusion_weighted(&layout, &y, input, &ones).unwrap();
                    prop_assert_eq!(c, loss.confusion(&layout, &y, input).unwrap());
                }
            }
        }
    }

    /// Equal class weights, whatever their value, are no class weights bit for bit.
    #[test]
    fn equal_class_weights_are_no_class_weights(
        samples in 1usize..4,
        pixels in 1usize..40,
        k in 0usize..15,
        v in prop_oneof![Just(1.0f32), 1e-30f32..1e30, Just(f32::MAX)],
        weighted in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let positions = samples * pixels;
        let (y, p, z, w) = batch(positions, seed);
        let layout = Layout::<C>::class_planes(samples, pixels).unwrap();
        for average in [Average::Macro, Average::Weighted] {
            let plain = MulticlassLoss::averaged(metric(k), average).with_ignore(u32::from(IGNORE));
            let classed = plain.with_class_weights([v; C]).unwrap();
            for input in [Input::Probs(&p), Input::Logits(&z)] {
                let (mut g1, mut g2) = (vec![0.0; p.len()], vec![0.0; p.len()]);
                let (a, b) = if weighted {
                    (plain.loss_and_grad_weighted(&layout, &y, input, &w, &mut g1).unwrap(),
                     classed.loss_and_grad_weighted(&layout, &y, input, &w, &mut g2).unwrap())
                } else {
                    (plain.loss_and_grad(&layout, &y, input, &mut g1).unwrap(),
                     classed.loss_and_grad(&layout, &y, input, &mut g2).unwrap())
                };
                prop_assert!(same(&a, &b), "{:?} v={}: {} vs {}", average, v, a.loss, b.loss);
                prop_assert_eq!(bits(&g1), bits(&g2));
            }
        }
    }

    /// A zero weight removes its position: the same loss as without it (up to summation
    /// order), and a zero gradient for all its class values.
    #[test]
    fn zero_weight_removes_the_position(
        samples in 2usize..40,
        k in 0usize..15,
        seed in any::<u64>(),
    ) {
        let (y, p, z, w) = batch(samples, seed);
        let kept: Vec<usize> = (0..samples).filter(|&i| w[i] != 0.0).collect();
        prop_assume!(!kept.is_empty());
        let pick = |v: &[f32]| -> Vec<f32> { kept.iter().flat_map(|&i| v[i * C..i * C + C].to_vec()).collect() };
        let (yk, pk, zk) = (kept.iter().map(|&i| y[i]).collect::<Vec<u8>>(), pick(&p), pick(&z));
        let wk: Vec<f32> = kept.iter().map(|&i| w[i]).collect();
        for average in averages() {
            let loss = MulticlassLoss::averaged(metric(k), average).with_ignore(u32::from(IGNORE));
            for (all, some) in [(Input::Probs(&p), Input::Probs(&pk)), (Input::Logits(&z), Input::Logits(&zk))] {
                let mut g = vec![0.0; p.len()];
                let mut gk = vec![0.0; pk.len()];
                let layout = Layout::<C>::sample_major(samples).unwrap();
                let a = loss.loss_and_grad_weighted(&layout, &y, all, &w, &mut g).unwrap();
                let b = loss
                    .loss_and_grad_weighted(&Layout::<C>::sample_major(kept.len()).unwrap(), &yk, some, &wk, &mut gk)
                    .unwrap();
                prop_assert!(close(a.loss, b.loss, 1e-5), "{:?}: {} vs {}", average, a.loss, b.loss);
                for i in (0..samples).filter(|&i| w[i] == 0.0) {
                    prop_assert!(g[i * C..i * C + C].iter().all(|&v| v == 0.0));
                }
                let scale = gk.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-20);
                for (j, &i) in kept.iter().enumerate() {
                    for c in 0..C {
                        prop_assert!((g[i * C + c] - gk[j * C + c]).abs() <= 1e-4 * scale);
                    }
                }
            }
        }
    }

    /// Without averaging, the loss is the sum of the per-class losses and the gradient is
    /// `C ×` the macro gradient (macro is their mean).
    #[test]
    fn per_class_sum_is_c_times_macro(
        samples in 1usize..4,
        pixels in 1usize..40,
        k in 0usize..15,
        seed in any::<u64>(),
    ) {
        let positions = samples * pixels;
        let (y, p, z, w) = batch(positions, seed);
        let layout = Layout::<C>::class_planes(samples, pixels).unwrap();
        let none = MulticlassLoss::averaged(metric(k), None).with_ignore(u32::from(IGNORE));
        let mean = MulticlassLoss::averaged(metric(k), Average::Macro).with_ignore(u32::from(IGNORE));
        for input in [Input::Probs(&p), Input::Logits(&z)] {
            let (mut gn, mut gm) = (vec![0.0; p.len()], vec![0.0; p.len()]);
            let n = none.loss_and_grad_weighted(&layout, &y, input, &w, &mut gn).unwrap();
            let m = mean.loss_and_grad_weighted(&layout, &y, input, &w, &mut gm).unwrap();
            let per_class = none.objective().per_class(&n.confusion);
            let sum: f32 = per_class.iter().sum();
            prop_assert!(close(n.loss, sum, 1e-6), "{} vs {}", n.loss, sum);
            prop_assert!(close(n.loss, C as f32 * m.loss, 1e-5), "{} vs {}", n.loss, m.loss);
            let scale = gn.iter().fold(0.0f32, |a, v| a.max(v.abs())).max(1e-20);
            for i in 0..gn.len() {
                prop_assert!((gn[i] - C as f32 * gm[i]).abs() <= 1e-4 * scale, "i={}", i);
            }
        }
    }
}

#[test]
fn bad_weights_are_reported_by_position() {
    let (samples, pixels) = (3, 20);
    let (y, p, z, w) = batch(samples * pixels, 7);
    let loss = MulticlassLoss::averaged(F1, Average::Macro).with_ignore(u32::from(IGNORE));
    for layout in layouts(samples, pixels) {
        for input in [Input::Probs(&p), Input::Logits(&z)] {
            for at in [0, 17, samples * pixels - 1] {
                for (bad, want) in [
                    (-1e-30, Error::NegativeWeight { index: at }),
                    (-2.0, Error::NegativeWeight { index: at }),
                    (f32::NAN, Error::NonFiniteWeight { index: at }),
                    (f32::INFINITY, Error::NonFiniteWeight { index: at }),
                ] {
                    let mut w = w.clone();
                    w[at] = bad;
                    let mut g = vec![0.0; p.len()];
                    assert_eq!(
                        loss.loss_and_grad_weighted(&layout, &y, input, &w, &mut g),
                        Err(want)
                    );
                    assert_eq!(loss.confusion_weighted(&layout, &y, input, &w), Err(want));
                }
            }
            // -0.0 is a zero weight, not a negative one.
            let mut w0 = w.clone();
            w0[5] = -0.0;
            assert!(loss.confusion_weighted(&layout, &y, input, &w0).is_ok());
            assert_eq!(
                loss.confusion_weighted(&layout, &y, input, &w[1..]),
                Err(Error::LengthMismatch {
                    expected: samples * pixels,
                    found: samples * pixels - 1
                })
            );
        }
    }
}

#[test]
fn class_weights_follow_the_multilabel_rules() {
    let loss = |a: Option<Average>| MulticlassLoss::averaged(F1, a);
    let invalid = Err(Error::InvalidParameter(Parameter::ClassWeights));
    assert_eq!(
        loss(Some(Average::Macro)).with_class_weights([1.0, -1.0, 1.0]),
        Err(Error::NegativeWeight { index: 1 })
    );
    assert_eq!(
        loss(Some(Average::Weighted)).with_class_weights([1.0, 1.0, f32::NAN]),
        Err(Error::NonFiniteWeight { index: 2 })
    );
    assert_eq!(
        loss(Some(Average::Macro)).with_class_weights([0.0; 3]),
        invalid
    );
    for a in [Some(Average::Micro), None] {
        assert_eq!(loss(a).with_class_weights([1.0, 2.0, 1.0]), invalid);
        assert!(loss(a).with_class_weights([3.0; 3]).is_ok());
    }
    // Weights for 3 classes do not fit 4: an error, not a silent NaN.
    let three = loss(Some(Average::Macro))
        .with_class_weights([1.0, 2.0, 3.0])
        .unwrap();
    let layout = Layout::<4>::sample_major(2).unwrap();
    let p = [0.7f32, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.7];
    assert_eq!(
        three.loss(&layout, &[0u8, 3], Input::Probs(&p)),
        Err(Error::InvalidParameter(Parameter::ClassWeights))
    );
    let out = three.evaluate::<4>(&Default::default());
    assert!(out.loss.is_nan());
    assert_eq!(
        three.checked_evaluate::<4>(&Default::default()),
        Err(Error::InvalidParameter(Parameter::ClassWeights))
    );
}

/// Class weights move the macro loss towards the heavy class, exactly as the normalised
/// weighted mean of the per-class losses.
#[test]
fn class_weights_weight_the_per_class_losses() {
    let (y, p, _, w) = batch(200, 11);
    let layout = Layout::<C>::sample_major(200).unwrap();
    let v = [1.0f32, 2.0, 0.5, 4.0];
    let macro_loss = MulticlassLoss::averaged(F1, Average::Macro)
        .with_ignore(u32::from(IGNORE))
        .with_class_weights(v)
        .unwrap();
    let out = macro_loss
        .loss_weighted(&layout, &y, Input::Probs(&p), &w)
        .unwrap();
    let per_class = Averaged::new(F1, None).per_class(&out.confusion);
    let want = (0..C).map(|c| v[c] * per_class[c]).sum::<f32>() / v.iter().sum::<f32>();
    assert!(close(out.loss, want, 1e-6), "{} vs {want}", out.loss);
    // Weighted: class weight times weighted support.
    let support = out.confusion.support();
    let weighted = MulticlassLoss::averaged(F1, Average::Weighted)
        .with_ignore(u32::from(IGNORE))
        .with_class_weights(v)
        .unwrap();
    let got = weighted
        .loss_weighted(&layout, &y, Input::Probs(&p), &w)
        .unwrap();
    let u: Vec<f32> = (0..C).map(|c| v[c] * support[c]).collect();
    let want = (0..C).map(|c| u[c] * per_class[c]).sum::<f32>() / u.iter().sum::<f32>();
    assert!(close(got.loss, want, 1e-6), "{} vs {want}", got.loss);
    let total: f32 = (0..200).filter(|&i| y[i] != IGNORE).map(|i| w[i]).sum();
    assert!(close(out.confusion.samples(), total, 1e-6));
}

/// The reference code's normalised objective divides by the weighted number of samples.
#[test]
fn normalized_error_rate_uses_the_weighted_count() {
    let (y, p, _, w) = batch(100, 5);
    let layout = Layout::<C>::sample_major(100).unwrap();
    let loss = MulticlassLoss::new(ErrorRate::Normalized).with_ignore(u32::from(IGNORE));
    let out = loss
        .loss_weighted(&layout, &y, Input::Probs(&p), &w)
        .unwrap();
    let errors: f32 = out.confusion.classes().iter().map(|c| c.fp + c.fn_).sum();
    let want = errors / (C as f32 * out.confusion.samples());
    assert!(close(out.loss, want, 1e-6));
    assert!(out.loss <= 1.0);
    let _: &dyn Objective = loss.objective();
}
