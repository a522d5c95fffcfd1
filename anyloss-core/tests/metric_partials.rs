//! Every built-in metric's analytic partials against f64 central finite differences of an
//! independent f64 implementation of its formula, plus proptest invariants on the values.

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Metric};
use proptest::prelude::*;

/// The textbook formulas in f64, written independently of the crate.
fn reference(name: &str, beta: f64, alpha: f64, c: [f64; 4]) -> f64 {
    let [tp, fn_, fp, tn] = c;
    let recall = tp / (tp + fn_);
    let spec = tn / (tn + fp);
    let prec = tp / (tp + fp);
    let npv = tn / (tn + fn_);
    match name {
        "accuracy" => (tp + tn) / (tp + tn + fp + fn_),
        "precision" => prec,
        "recall" => recall,
        "specificity" => spec,
        "f1" => 2.0 * prec * recall / (prec + recall),
        "fbeta" => (1.0 + beta * beta) * prec * recall / (beta * beta * prec + recall),
        "jaccard" => tp / (tp + fp + fn_),
        "tversky" => tp / (tp + alpha * fp + beta * fn_),
        "balanced_accuracy" => (recall + spec) / 2.0,
        "gmean" => (recall * spec).sqrt(),
        "informedness" => recall + spec - 1.0,
        "markedness" => prec + npv - 1.0,
        "fowlkes_mallows" => (prec * recall).sqrt(),
        "mcc" => (tp * tn - fp * fn_) / ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt(),
        "cohen_kappa" => {
            let n = tp + tn + fp + fn_;
            let po = (tp + tn) / n;
            let pe = ((tp + fp) * (tp + fn_) + (fn_ + tn) * (fp + tn)) / (n * n);
            (po - pe) / (1.0 - pe)
        }
        other => panic!("no reference for {other}"),
    }
}

fn builtin(name: &str, beta: f64, alpha: f64) -> Builtin {
    let params = match name {
        "fbeta" => BuiltinParams {
            beta: Some(beta as f32),
            alpha: None,
        },
        "tversky" => BuiltinParams {
            beta: Some(beta as f32),
            alpha: Some(alpha as f32),
        },
        _ => BuiltinParams::default(),
    };
    Builtin::from_name(name, params).unwrap().unwrap()
}

/// Relative error with a floor so that partials near 0 are compared absolutely.
fn close(got: f32, want: f64, scale: f64) -> bool {
    (got as f64 - want).abs() <= 2e-3 * want.abs() + 1e-5 * scale
}

fn check_point(name: &str, beta: f64, alpha: f64, c: [f64; 4]) {
    let m = builtin(name, beta, alpha);
    let cf = Confusion::new(c[0] as f32, c[1] as f32, c[2] as f32, c[3] as f32);
    let e = m
        .evaluate(&cf)
        .unwrap_or_else(|| panic!("{name} undefined at {c:?}"));
    let v = reference(name, beta, alpha, c);
    assert!(
        (e.value as f64 - v).abs() < 1e-5 * (1.0 + v.abs()),
        "{name} value {} vs {v} at {c:?}",
        e.value
    );
    let got = [e.partials.tp, e.partials.fn_, e.partials.fp, e.partials.tn];
    let fd: Vec<f64> = (0..4)
        .map(|k| {
            let h = 1e-6 * c[k].max(1.0);
            let (mut up, mut dn) = (c, c);
            up[k] += h;
            dn[k] -= h;
            (reference(name, beta, alpha, up) - reference(name, beta, alpha, dn)) / (2.0 * h)
        })
        .collect();
    let scale = fd.iter().fold(0.0f64, |a, d| a.max(d.abs()));
    for k in 0..4 {
        assert!(
            close(got[k], fd[k], scale),
            "{name} ∂/∂{} = {} but central difference gives {} at {c:?}",
            ["TP", "FN", "FP", "TN"][k],
            got[k],
            fd[k]
        );
    }
}

#[test]
fn partials_match_central_differences_on_fixed_points() {
    let points = [
        [10.0, 3.0, 5.0, 82.0],
        [0.5, 0.5, 0.25, 0.75],
        [123.4, 56.7, 8.9, 1000.0],
        [3.0, 40.0, 2.0, 1.0],
        [1e-3, 2.0, 3.0, 4.0],
    ];
    for name in Builtin::NAMES {
        for c in points {
            check_point(name, 2.0, 0.3, c);
            if matches!(name, "fbeta" | "tversky") {
                check_point(name, 0.5, 0.7, c);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn partials_match_central_differences(
        tp in 0.01f64..500.0, fn_ in 0.01f64..500.0, fp in 0.01f64..500.0, tn in 0.01f64..500.0,
        beta in 0.2f64..4.0, alpha in 0.0f64..2.0,
    ) {
        for name in Builtin::NAMES {
            check_point(name, beta, alpha, [tp, fn_, fp, tn]);
        }
    }

    #[test]
    fn values_stay_in_range_and_finite(
        tp in 0.0f32..1e6, fn_ in 0.0f32..1e6, fp in 0.0f32..1e6, tn in 0.0f32..1e6,
    ) {
        let c = Confusion::new(tp, fn_, fp, tn);
        for name in Builtin::NAMES {
            let m = builtin(name, 1.5, 0.5);
            if let Some(e) = m.evaluate(&c) {
                let r = m.range();
                prop_assert!(e.is_finite(), "{} not finite at {:?}", name, c);
                prop_assert!(e.value >= r.min - 1e-5 && e.value <= r.max + 1e-5,
                    "{} = {} outside [{}, {}]", name, e.value, r.min, r.max);
            }
        }
    }
}

#[test]
fn undefined_points_say_so() {
    // No positives: recall, G-mean, balanced accuracy, MCC are undefined.
    let no_pos = Confusion::new(0.0, 0.0, 3.0, 5.0);
    for name in [
        "recall",
        "gmean",
        "balanced_accuracy",
        "informedness",
        "mcc",
        "fowlkes_mallows",
    ] {
        assert!(
            builtin(name, 1.0, 0.5).evaluate(&no_pos).is_none(),
            "{name}"
        );
    }
    // ... but F1 is defined (0) there, and its partial still lowers FP.
    let e = builtin("f1", 1.0, 0.5).evaluate(&no_pos).unwrap();
    assert_eq!(e.value, 0.0);
    // Nothing at all to score: F1 undefined.
    assert!(builtin("f1", 1.0, 0.5)
        .evaluate(&Confusion::new(0.0, 0.0, 0.0, 9.0))
        .is_none());
    // G-mean at zero recall has an infinite slope: undefined, handed to the policy.
    assert!(builtin("gmean", 1.0, 0.5)
        .evaluate(&Confusion::new(0.0, 4.0, 1.0, 5.0))
        .is_none());
}
