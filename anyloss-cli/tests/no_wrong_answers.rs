//! Numbers the CLI must never print with exit code 0: formulas that overflow f32 on the way,
//! F-beta with a huge β, and features too large for a naive standardiser.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::{anyloss, bundled, csv, failure_of, json_of, stdout_of};

const EVAL_INPUT: &str = "label,prob\n1,0.9\n0,0.2\n1,0.4\n0,0.6\n1,0.8\n";

#[test]
fn an_overflowing_formula_is_an_error_naming_the_sub_expression_in_eval() {
    let input = csv("overflow_eval.csv", EVAL_INPUT);
    let input = input.to_str().unwrap();
    for (formula, names) in [
        ("exp(1e10)*TP/(TP+FN)", "exp(10000000000)"),
        ("(TP+1)^1e9/(TP+1)^1e9", "^1000000000"),
    ] {
        let err = failure_of(&["eval", "--metric", formula, "--input", input]);
        assert!(err.contains("overflows"), "{formula}: {err}");
        assert!(
            err.contains(names),
            "{formula}: expected `{names}` in {err}"
        );
    }
}

#[test]
fn check_reports_the_overflow_that_eval_refuses() {
    let out = stdout_of(&["check", "exp(1e10)*TP/(TP+FN)"]);
    let section = out
        .split("overflow")
        .nth(1)
        .expect("check prints an overflow section");
    assert!(!section.contains("none found"), "{out}");
    assert!(out.contains("exp(10000000000)"), "{out}");
    // A formula that cannot overflow says so.
    let out = stdout_of(&["check", "2*TP/(2*TP+FP+FN)"]);
    assert!(out.contains("none found"), "{out}");
}

#[test]
fn check_compile_and_eval_agree_on_a_constant_beyond_f32() {
    let input = csv("beyond_f32.csv", EVAL_INPUT);
    let input = input.to_str().unwrap();
    for args in [
        &["check", "TP*1e39"][..],
        &["compile", "TP*1e39"][..],
        &["eval", "--metric", "TP*1e39", "--input", input][..],
    ] {
        let err = failure_of(args);
        assert!(
            err.contains("1e39") || err.contains("f32"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn train_with_an_overflowing_formula_fails_instead_of_training_the_warm_start() {
    // The header goes to stdout first (before training); the failure is exit 2 on stderr.
    let out = anyloss(&[
        "train",
        "--data",
        &bundled("yeast3.csv"),
        "--loss",
        "exp(1e10)*TP/(TP+FN)",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("exp(10000000000)"), "{err}");
}

#[test]
fn fbeta_with_a_huge_beta_is_recall() {
    let input = csv("huge_beta.csv", EVAL_INPUT);
    let input = input.to_str().unwrap();
    let recall = json_of(&["eval", "--metric", "recall", "--input", input]);
    for beta in ["1e19", "1e20", "1e30"] {
        let fbeta = json_of(&[
            "eval", "--metric", "fbeta", "--beta", beta, "--input", input,
        ]);
        let (a, b) = (
            fbeta["value"].as_f64().unwrap(),
            recall["value"].as_f64().unwrap(),
        );
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "beta {beta}: {a} vs {b}"
        );
        assert!(a > 0.0, "beta {beta}: {a}");
    }
    // Beyond f32, the message says so rather than "must be finite".
    let err = failure_of(&[
        "eval", "--metric", "fbeta", "--beta", "1e39", "--input", input,
    ]);
    assert!(err.contains("f32") && err.contains("recall"), "{err}");
}

#[test]
fn huge_but_finite_features_train_like_the_original_columns() {
    let original = std::fs::read_to_string(bundled("yeast3.csv")).unwrap();
    let mut scaled = String::new();
    for (i, line) in original.lines().enumerate() {
        if i == 0 {
            scaled.push_str(line);
        } else {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            let big = |cell: &str, k: f64| format!("{:e}", cell.parse::<f64>().unwrap() * k);
            cells[2] = big(&cells[2], 3e38); // Mcg in [0, 1]: up to 3e38
            cells[3] = big(&cells[3], 1e20); // Gvh: about 1e20
            scaled.push_str(&cells.join(","));
        }
        scaled.push('\n');
    }
    let path = csv("yeast3_huge.csv", &scaled);
    let run = |data: &str| {
        json_of(&[
            "train",
            "--data",
            data,
            "--compare",
            "bce,f1",
            "--json",
            "--quiet",
        ])
    };
    let (big, small) = (run(path.to_str().unwrap()), run(&bundled("yeast3.csv")));
    // Standardised features are the same up to rounding, so the test scores agree.
    let f1 = |v: &serde_json::Value| v.to_string();
    assert_eq!(f1(&big["losses"]), f1(&small["losses"]));
}
