//! Every built-in metric written as a formula agrees with the hand-written one, and every
//! formula's partials agree with f64 central finite differences.

mod common;

use anyloss_core::{Confusion, Metric};
use anyloss_dsl::FormulaMetric;
use proptest::prelude::*;

/// Relative difference, with differences within four f32 epsilons (a few roundings) of
/// `max(1, largest output)`
/// counted as agreement: the built-ins compute in f32, and results that cancel to near zero
/// (informedness is `recall + specificity - 1`) carry the rounding of the unit-sized terms
/// they came from, while the formula computes in f64.
fn rel(a: f32, b: f32, scale: f32) -> f64 {
    let (a, b) = (f64::from(a), f64::from(b));
    let diff = (a - b).abs();
    if diff <= 4.0 * f64::from(f32::EPSILON) * f64::from(scale.max(1.0)) {
        0.0
    } else {
        diff / b.abs().max(f64::MIN_POSITIVE)
    }
}

fn counts() -> impl Strategy<Value = [f32; 4]> {
    prop::array::uniform4(0.05f32..500.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_builtin_as_a_formula_matches_the_builtin(c in counts()) {
        let conf = Confusion::new(c[0], c[1], c[2], c[3]);
        for case in common::builtins() {
            let formula = FormulaMetric::compile(case.formula, case.params).unwrap();
            let want = case.builtin.evaluate(&conf).unwrap();
            let got = formula.evaluate(&conf).unwrap();
            let w = [want.value, want.partials.tp, want.partials.fn_, want.partials.fp, want.partials.tn];
            let g = [got.value, got.partials.tp, got.partials.fn_, got.partials.fp, got.partials.tn];
            let scale = w.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            for (k, (&g, &w)) in g.iter().zip(&w).enumerate() {
                let err = rel(g, w, scale);
                prop_assert!(err <= 1e-6, "{} output {k}: formula {g} vs built-in {w} (rel {err:e}) at {c:?}", case.name);
            }
        }
    }

    #[test]
    fn partials_match_central_differences(c in prop::array::uniform4(0.5f64..200.0)) {
        let all = common::builtins()
            .into_iter()
            .map(|c| (c.formula, c.params))
            .chain(common::EXTRA);
        for (source, params) in all {
            let m = FormulaMetric::compile(source, params).unwrap();
            // Points where a formula overflows f32 (`TP^TN`) are errors, not samples.
            let Ok(Some(out)) = m.evaluate_f64(c) else { continue };
            for k in 0..4 {
                let h = 1e-6 * c[k].max(1.0);
                let (mut up, mut down) = (c, c);
                up[k] += h;
                down[k] -= h;
                let (Ok(Some(u)), Ok(Some(d))) = (m.evaluate_f64(up), m.evaluate_f64(down)) else { continue };
                let fd = (u[0] - d[0]) / (2.0 * h);
                let analytic = out[k + 1];
                let tol = 1e-6 * analytic.abs().max(out[0].abs()).max(1e-3);
                prop_assert!((fd - analytic).abs() <= tol,
                    "{source}: ∂/∂{k} analytic {analytic} vs central difference {fd} at {c:?}");
            }
        }
    }
}

/// Built-ins and formulas agree on where they are undefined, for the single-class and
/// empty batches the degenerate policy exists for.
#[test]
fn formulas_are_undefined_where_the_builtins_are() {
    let degenerate = [
        [0.0, 0.0, 3.0, 5.0],
        [4.0, 2.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 3.0, 0.0, 5.0],
    ];
    for c in degenerate {
        let conf = Confusion::new(c[0], c[1], c[2], c[3]);
        for case in common::builtins() {
            let formula = FormulaMetric::compile(case.formula, case.params).unwrap();
            let want = case.builtin.evaluate(&conf);
            let got = formula.evaluate(&conf);
            assert_eq!(
                want.is_some(),
                got.is_some(),
                "{} at {c:?}: built-in {want:?}, formula {got:?}",
                case.name
            );
        }
    }
}

#[test]
fn operation_count_of_mcc_is_within_sympys() {
    let m = FormulaMetric::compile("(TP*TN - FP*FN)/sqrt((TP+FP)*(TP+FN)*(TN+FP)*(TN+FN))", &[])
        .unwrap();
    let ops = m.operation_count();
    println!(
        "MCC value + gradient: {} operations ({} for the value)",
        ops.total, ops.value
    );
    // SymPy's count after cse() is 51.
    assert!(ops.total <= 51, "{ops:?}");
}
