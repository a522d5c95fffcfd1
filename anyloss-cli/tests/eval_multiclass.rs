//! `anyloss eval --classes C` as a user runs it: the contract JSON, the golden vectors end to
//! end, logits, and one clear stderr line per bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{anyloss, argv, assert_errors, csv, f64s, golden, json_of, stderr_of};

use std::path::PathBuf;

use serde_json::Value;

/// A golden case as a CSV `label,p0,...`.
fn case_csv(case: &Value) -> (PathBuf, usize) {
    let c = case["C"].as_u64().unwrap() as usize;
    let mut body = String::from("label");
    for k in 0..c {
        body += &format!(",p{k}");
    }
    body.push('\n');
    for (y, row) in case["labels"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["p"].as_array().unwrap())
    {
        body += &y.to_string();
        for p in row.as_array().unwrap() {
            body += &format!(",{}", p.as_f64().unwrap());
        }
        body.push('\n');
    }
    (
        csv(&format!("{}.csv", case["id"].as_str().unwrap()), &body),
        c,
    )
}

#[test]
fn golden_cases_through_the_cli() {
    let g = golden("multiclass.json");
    for case in g["cases"].as_array().unwrap().iter().step_by(3) {
        let (path, c) = case_csv(case);
        let classes = c.to_string();
        for (metric, key) in [("seed", "seed_anyloss"), ("f1", "macro_f1")] {
            let v = json_of(&[
                "eval",
                "--metric",
                metric,
                "--classes",
                &classes,
                "--input",
                path.to_str().unwrap(),
            ]);
            let id = case["id"].as_str().unwrap();
            let want = case[key]["loss"].as_f64().unwrap();
            let got = v["loss"].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-5 * want.abs(),
                "{id} {metric}: {got} vs {want}"
            );
            let per_class = v["per_class"].as_array().unwrap();
            assert_eq!(per_class.len(), c);
            for (entries, want) in per_class.iter().zip(case["per_class"].as_array().unwrap()) {
                for (k, w) in [("tp", "TP"), ("fn", "FN"), ("fp", "FP"), ("tn", "TN")] {
                    let (g, w) = (entries[k].as_f64().unwrap(), want[w].as_f64().unwrap());
                    assert!(
                        (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                        "{id} {k}: {g} vs {w}"
                    );
                }
            }
            let grad = v["grad"].as_array().unwrap();
            let want_grad = case[key]["grad"].as_array().unwrap();
            assert_eq!(grad.len(), want_grad.len());
            for (row, want_row) in grad.iter().zip(want_grad) {
                let row = row.as_array().unwrap();
                assert_eq!(row.len(), c);
                for (g, w) in row.iter().zip(want_row.as_array().unwrap()) {
                    let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
                    if w.abs() > 1e-30 {
                        assert!(
                            (g - w).abs() <= 1e-3 * w.abs(),
                            "{id} {metric}: {g:e} vs {w:e}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn logits_equal_their_softmax_probabilities() {
    let zs = [
        [0.5f64, -1.0, 2.0],
        [3.0, 0.0, -2.0],
        [-0.5, 0.25, 0.1],
        [1.0, 1.5, -1.0],
    ];
    let labels = [2, 0, 1, 1];
    let mut logits = String::from("label,z0,z1,z2\n");
    let mut probs = String::from("label,p0,p1,p2\n");
    for (y, z) in labels.iter().zip(&zs) {
        let e: Vec<f64> = z.iter().map(|v| v.exp()).collect();
        let s: f64 = e.iter().sum();
        logits += &format!("{y},{},{},{}\n", z[0], z[1], z[2]);
        probs += &format!("{y},{},{},{}\n", e[0] / s, e[1] / s, e[2] / s);
    }
    let zp = csv("logits.csv", &logits);
    let pp = csv("softmax.csv", &probs);
    for average in ["macro", "micro", "weighted"] {
        let base = [
            "eval",
            "--metric",
            "mcc",
            "--classes",
            "3",
            "--average",
            average,
            "--l",
            "5",
        ];
        let a = json_of(&[&base[..], &["--logits", "--input", zp.to_str().unwrap()]].concat());
        let b = json_of(&[&base[..], &["--input", pp.to_str().unwrap()]].concat());
        let (la, lb) = (a["loss"].as_f64().unwrap(), b["loss"].as_f64().unwrap());
        assert!((la - lb).abs() < 1e-5, "{average}: {la} vs {lb}");
        assert_ne!(
            a["grad"], b["grad"],
            "{average}: logit and probability gradients differ"
        );
    }
}

#[test]
fn averages_and_seed_variants_are_distinct() {
    let p = csv(
        "avg.csv",
        "label,p0,p1,p2\n0,0.6,0.3,0.1\n0,0.45,0.5,0.05\n1,0.2,0.7,0.1\n2,0.3,0.3,0.4\n0,0.7,0.2,0.1\n",
    );
    let run = |extra: &[&str]| {
        let args = [
            &[
                "eval",
                "--classes",
                "3",
                "--l",
                "10",
                "--input",
                p.to_str().unwrap(),
            ],
            extra,
        ]
        .concat();
        json_of(&args)["loss"].as_f64().unwrap()
    };
    let losses = [
        run(&["--metric", "f1"]),
        run(&["--metric", "f1", "--average", "micro"]),
        run(&["--metric", "f1", "--average", "weighted"]),
        run(&["--metric", "seed"]),
        run(&["--metric", "seed_normalized"]),
    ];
    assert_eq!(run(&["--metric", "f1", "--average", "macro"]), losses[0]);
    for (i, a) in losses.iter().enumerate() {
        for b in &losses[i + 1..] {
            assert_ne!(a, b, "{losses:?}");
        }
    }
    // The normalised seed is the seed divided by N = 5.
    assert!((losses[4] - losses[3] / 5.0).abs() < 1e-6);
}

#[test]
fn bad_input_gives_one_clear_line() {
    let ok = csv("ok3.csv", "label,p0,p1,p2\n0,0.6,0.3,0.1\n2,0.3,0.3,0.4\n");
    let ok = ok.to_str().unwrap();
    let label = csv(
        "label.csv",
        "label,p0,p1,p2\n0,0.6,0.3,0.1\n3,0.3,0.3,0.4\n",
    );
    let err = stderr_of(&argv(
        "eval --metric f1 --classes 3 --input",
        &[label.to_str().unwrap()],
    ));
    assert!(
        err.contains("label.csv:3:1") && err.contains("not a class in 0..3"),
        "{err}"
    );
    let range = csv(
        "range.csv",
        "label,p0,p1,p2\n0,0.6,0.3,0.1\n2,0.3,1.5,0.4\n",
    );
    let err = stderr_of(&argv(
        "eval --metric f1 --classes 3 --input",
        &[range.to_str().unwrap()],
    ));
    assert!(
        err.contains("range.csv:3:3") && err.contains("outside [0, 1]"),
        "{err}"
    );
    let base = ["eval", "--input", ok];
    assert_errors(
        &base,
        &[
            (
                &["--metric", "f1", "--classes", "4"],
                "expected the header `label,p0,p1,p2,p3`",
            ),
            (
                &["--metric", "seed", "--classes", "17"],
                "at most 16 classes",
            ),
            (&["--metric", "seed", "--classes", "0"], "--classes 0"),
            (&["--metric", "f1", "--average", "micro"], "give --classes"),
            (
                &["--metric", "seed", "--classes", "3", "--average", "micro"],
                "seed objective takes no --average",
            ),
            (
                &["--metric", "seed", "--classes", "3", "--fallback", "0"],
                "seed objective takes no --fallback",
            ),
            (
                &["--metric", "f1", "--classes", "3", "--fallback", "inf"],
                "--fallback inf: invalid parameter: fallback value must be finite",
            ),
            (&["--metric", "f1", "--classes", "3", "--l", "0"], "--l 0"),
        ],
    );
    // An unknown averaging is rejected by clap, which lists the possible values.
    let out = anyloss(&argv(
        "eval --metric f1 --classes 3 --average median --input",
        &[ok],
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("'median'") && err.contains("macro, micro, weighted"),
        "{err}"
    );
}

#[test]
fn help_shows_a_multiclass_example() {
    let out = anyloss(&["eval", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--classes 3 --average macro"), "{help}");
    assert!(help.contains("--metric seed --classes 10"), "{help}");
}

#[test]
fn fallback_answers_a_class_whose_metric_is_undefined() {
    // No row of class 2: its recall TP/(TP+FN) is 0/0. The default smoothing makes it
    // (0+1)/(0+2) = 1/2; --fallback takes the given value with no gradient. The other
    // classes are defined and untouched by either policy.
    let path = csv(
        "absent_class.csv",
        "label,p0,p1,p2\n0,0.7,0.2,0.1\n1,0.1,0.8,0.1\n0,0.6,0.3,0.1\n1,0.3,0.4,0.3\n",
    );
    let input = path.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = argv("eval --metric recall --classes 3 --input", &[input]);
        args.extend_from_slice(extra);
        json_of(&args)
    };
    let smooth = run(&["--average", "none"]);
    let fallback = run(&["--average", "none", "--fallback", "0.25"]);
    let (smooth_losses, fallback_losses) = (f64s(&smooth["loss"]), f64s(&fallback["loss"]));
    assert_eq!(smooth_losses[2], 0.5);
    assert_eq!(fallback_losses[2], 0.75);
    assert_eq!(smooth_losses[..2], fallback_losses[..2]);
    assert_eq!(smooth["per_class"], fallback["per_class"]);
    assert_eq!(smooth["grad"], fallback["grad"]);
    for row in fallback["grad"].as_array().unwrap() {
        assert_eq!(row[2].as_f64(), Some(0.0), "{row}");
    }
    // Macro averaging takes the fallback value in the mean of the three recalls.
    let macro_loss = run(&["--fallback", "0.25"])["loss"].as_f64().unwrap();
    let mean = fallback_losses.iter().sum::<f64>() / 3.0;
    assert!((macro_loss - mean).abs() < 1e-6, "{macro_loss} vs {mean}");
}
