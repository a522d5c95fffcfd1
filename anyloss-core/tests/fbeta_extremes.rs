//! F-beta for every finite `β > 0`: against an `f64` evaluation of its definition, and at
//! the extremes against its limits (recall for huge `β`, precision for tiny `β`).

use anyloss_core::metrics::{FBeta, Precision, Recall};
use anyloss_core::{Confusion, Metric};

/// `(1+β²)TP/((1+β²)TP + β²FN + FP)` and its partials in f64 (β² fits f64 here).
fn reference(beta: f64, c: [f64; 4]) -> [f64; 4] {
    let [tp, fn_, fp, _] = c;
    let b2 = beta * beta;
    let k = 1.0 + b2;
    let d = k * tp + b2 * fn_ + fp;
    let v = k * tp / d;
    let rest = b2 * fn_ + fp;
    [v, k * rest / (d * d), -v * b2 / d, -v / d]
}

#[test]
fn matches_its_definition_in_f64_for_every_magnitude_of_beta() {
    let points = [
        [8.0, 2.0, 4.0, 6.0],
        [0.5, 30.0, 1e3, 7.0],
        [1e6, 3.0, 2.5, 0.0],
    ];
    for beta in [
        1e-30f32,
        1e-19,
        1e-3,
        0.5,
        1.0,
        2.0,
        1e3,
        1e19,
        1e20,
        1e30,
        f32::MAX,
    ] {
        let m = FBeta::new(beta).unwrap();
        assert_eq!(m.beta(), beta);
        for p in points {
            let c = Confusion::new(p[0] as f32, p[1] as f32, p[2] as f32, p[3] as f32);
            let e = m.evaluate(&c).unwrap();
            let want = reference(f64::from(beta), p);
            let got = [e.value, e.partials.tp, e.partials.fn_, e.partials.fp];
            for (g, w) in got.iter().zip(want) {
                let tol = 1e-5 * w.abs().max(1e-30);
                assert!(
                    (f64::from(*g) - w).abs() <= tol,
                    "beta {beta} at {p:?}: {got:?} vs {want:?}"
                );
            }
            assert_eq!(e.partials.tn, 0.0);
        }
    }
}

#[test]
fn huge_beta_is_recall_and_tiny_beta_precision() {
    let c = Confusion::new(8.0, 2.0, 4.0, 6.0);
    let recall = Recall.evaluate(&c).unwrap().value;
    let precision = Precision.evaluate(&c).unwrap().value;
    for beta in [1e19f32, 1e20, 3e38] {
        let v = FBeta::new(beta).unwrap().evaluate(&c).unwrap().value;
        assert!(
            (v - recall).abs() < 1e-6,
            "beta {beta}: {v} vs recall {recall}"
        );
    }
    for beta in [1e-19f32, 1e-30] {
        let v = FBeta::new(beta).unwrap().evaluate(&c).unwrap().value;
        assert!(
            (v - precision).abs() < 1e-6,
            "beta {beta}: {v} vs precision {precision}"
        );
    }
    for beta in [0.0f32, -1.0, f32::INFINITY, f32::NAN] {
        assert!(FBeta::new(beta).is_err(), "{beta}");
    }
}
