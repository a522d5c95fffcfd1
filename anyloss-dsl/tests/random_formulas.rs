//! Random formula trees and random text never panic: compiling gives a metric or a
//! diagnostic, and a metric gives finite results, `None` or an overflow error, on the host
//! and when emitted.

use anyloss_core::{Confusion, Degenerate, Error};
use anyloss_dsl::FormulaMetric;
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "TP", "FN", "FP", "TN", "POS", "NEG", "PRED_POS", "PRED_NEG", "TOTAL", "N", "beta",
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec!["0", "1", "2", "0.5", "1e-3", "1e30", "3.25", "1e300"])
            .prop_map(str::to_string),
    ]
}

fn tree() -> impl Strategy<Value = String> {
    leaf().prop_recursive(6, 48, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "^"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a}){op}({b})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            (
                prop::sample::select(vec!["sqrt", "ln", "exp", "abs"]),
                inner.clone()
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
            (
                prop::sample::select(vec!["min", "max"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("d = {a};\nd*({b}) + d")),
        ]
    })
}

fn check(source: &str, counts: [f32; 4]) -> Result<(), TestCaseError> {
    let params: &[(&str, f64)] = if source.contains("beta") {
        &[("beta", 1.5)]
    } else {
        &[]
    };
    let Ok(m) = FormulaMetric::compile(source, params) else {
        return Ok(());
    };
    let c = Confusion::new(counts[0], counts[1], counts[2], counts[3]);
    // Defined points are finite; an overflow is an error, never a finite stand-in.
    match m.evaluate_checked(&c) {
        Ok(Some(e)) => prop_assert!(e.is_finite(), "{source}: {e:?}"),
        Ok(None) => {}
        Err(o) => prop_assert!(!o.expr.is_empty(), "{source}: {o:?}"),
    }
    match Degenerate::default().checked(&m, &c) {
        Ok(e) => prop_assert!(e.is_finite(), "{source}: {e:?}"),
        Err(e) => prop_assert!(matches!(e, Error::NonFiniteMetric(_)), "{source}: {e:?}"),
    }
    let _ = m.pretty();
    let _ = m.domain_issues();
    let _ = m.to_rust("Random");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_trees_compile_or_fail_cleanly(source in tree(), counts in prop::array::uniform4(0.0f32..100.0)) {
        check(&source, counts)?;
    }

    #[test]
    fn random_text_compiles_or_fails_cleanly(source in "[-+*/^(),;=#a-zA-Z0-9_. \n]{0,60}", counts in prop::array::uniform4(0.0f32..100.0)) {
        check(&source, counts)?;
    }
}
