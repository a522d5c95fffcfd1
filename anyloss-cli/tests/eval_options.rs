//! `eval --threshold`, the `weight` column, `--multilabel`, `--class-weights`, `--param`
//! and values that start with `-`: equivalences that must hold exactly, agreement with the
//! library across chunk boundaries, and bad input refused with exit code 2.

mod common;

use anyloss_core::multilabel::MultilabelLoss;
use anyloss_core::{metrics::F1, Average, BinaryLoss, Input};
use common::{
    argv, assert_errors, bundled, csv, failure_of, json_of, read_json, stderr_of, train_and_save,
};
use serde_json::Value;

const BINARY: &str = "../examples/eval/binary.csv";

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|x| match x {
            Value::Array(_) => numbers(x),
            _ => vec![x.as_f64().unwrap()],
        })
        .collect()
}

/// The rows of the shipped binary example with a third column from `weight(i)`.
fn weighted_copy(name: &str, weight: impl Fn(usize) -> &'static str) -> String {
    let text = std::fs::read_to_string(BINARY).unwrap();
    let mut lines = text.lines();
    let header = format!("{},weight", lines.next().unwrap());
    let body: Vec<String> = std::iter::once(header)
        .chain(
            lines
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| format!("{l},{}", weight(i))),
        )
        .collect();
    csv(name, &body.join("\n")).to_str().unwrap().to_string()
}

#[test]
fn unit_weights_equal_no_weights_bit_for_bit() {
    let ones = weighted_copy("ones.csv", |_| "1");
    for t in ["0.5", "0.3"] {
        let plain = json_of(&argv(
            "eval --metric mcc --threshold",
            &[t, "--input", BINARY],
        ));
        let weighted = json_of(&argv(
            "eval --metric mcc --threshold",
            &[t, "--input", &ones],
        ));
        assert_eq!(plain, weighted);
    }
}

#[test]
fn zero_weights_remove_their_rows() {
    let text = std::fs::read_to_string(BINARY).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
    let kept: Vec<&str> = rows.iter().step_by(2).copied().collect();
    let fewer = csv(
        "fewer.csv",
        &format!("{}\n{}", text.lines().next().unwrap(), kept.join("\n")),
    );
    let halved = weighted_copy("halved.csv", |i| if i % 2 == 0 { "1" } else { "0" });
    let a = json_of(&["eval", "--metric", "f1", "--input", fewer.to_str().unwrap()]);
    let b = json_of(&["eval", "--metric", "f1", "--input", &halved]);
    for key in ["loss", "tp", "fn", "fp", "tn"] {
        let (x, y) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
        assert!(
            (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            "{key}: {x} vs {y}"
        );
    }
    let (ga, gb) = (numbers(&a["grad"]), numbers(&b["grad"]));
    assert_eq!(gb.len(), rows.len());
    for (i, g) in gb.iter().enumerate() {
        if i % 2 == 1 {
            assert_eq!(*g, 0.0, "row {i} has weight 0");
        } else {
            let want = ga[i / 2];
            assert!((g - want).abs() <= 1e-5 * want.abs().max(1e-12), "row {i}");
        }
    }
}

#[test]
fn threshold_half_is_the_default_and_other_thresholds_move_the_entries() {
    let default = json_of(&["eval", "--metric", "f1", "--input", BINARY]);
    let half = json_of(&argv("eval --metric f1 --threshold 0.5 --input", &[BINARY]));
    assert_eq!(default, half);
    let low = json_of(&argv("eval --metric f1 --threshold 0.3 --input", &[BINARY]));
    let high = json_of(&argv("eval --metric f1 --threshold 0.7 --input", &[BINARY]));
    // A lower threshold calls more rows positive: TP + FP grows.
    let predicted = |v: &Value| v["tp"].as_f64().unwrap() + v["fp"].as_f64().unwrap();
    assert!(predicted(&low) > predicted(&half) && predicted(&half) > predicted(&high));
}

#[test]
fn params_bind_formulas_and_builtins_like_the_shorthands() {
    let by_flag = json_of(&[
        "eval", "--metric", "fbeta", "--beta", "2", "--input", BINARY,
    ]);
    let by_param = json_of(&[
        "eval", "--metric", "fbeta", "--param", "beta=2", "--input", BINARY,
    ]);
    assert_eq!(by_flag, by_param);
    let both = json_of(&[
        "eval", "--metric", "fbeta", "--beta", "2", "--param", "beta=2", "--input", BINARY,
    ]);
    assert_eq!(by_flag, both);
    let formula = json_of(&argv(
        "eval --metric (1+gamma^2)*TP/((1+gamma^2)*TP+gamma^2*FN+FP) --param gamma=2 --input",
        &[BINARY],
    ));
    assert!((formula["loss"].as_f64().unwrap() - by_flag["loss"].as_f64().unwrap()).abs() < 1e-6);
    // Negative values and formulas that start with `-`.
    let neg = json_of(&["eval", "--metric", "-FN/N", "--input", BINARY]);
    let pos = json_of(&["eval", "--metric", "FN/N", "--input", BINARY]);
    assert_eq!(neg["tp"], pos["tp"]);
    assert!((neg["loss"].as_f64().unwrap() - (2.0 - pos["loss"].as_f64().unwrap())).abs() < 1e-6);
    let shifted = json_of(&[
        "eval",
        "--metric",
        "TP/(TP+FN) + shift",
        "--param",
        "shift=-0.5",
        "--input",
        BINARY,
    ]);
    let recall = json_of(&["eval", "--metric", "recall", "--input", BINARY]);
    let (a, b) = (
        shifted["loss"].as_f64().unwrap(),
        recall["loss"].as_f64().unwrap(),
    );
    assert!((a - (b + 0.5)).abs() < 1e-6, "{a} vs {b} + 0.5");
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    assert_errors(
        &["eval", "--metric", "f1", "--input", BINARY],
        &[
            (
                &["--l", "-5"],
                "--l -5: invalid parameter: amplifier L must be finite and > 0",
            ),
            (&["--threshold", "-0.2"], "--threshold -0.2:"),
            (&["--threshold", "1"], "--threshold 1:"),
        ],
    );
    assert_errors(
        &["eval", "--metric", "fbeta", "--input", BINARY],
        &[
            (&["--beta", "-2"], "beta must be finite and > 0"),
            (&["--param", "beta=-2"], "beta must be finite and > 0"),
            (
                &["--beta", "2", "--param", "beta=3"],
                "--beta 2 and --param beta=3",
            ),
            (
                &["--param", "beta=1", "--param", "beta=2"],
                "--param beta: given twice",
            ),
            (
                &["--param", "gamma=1"],
                "--param gamma is not a parameter of `fbeta`",
            ),
        ],
    );
    let checked = common::stdout_of(&["check", "-FN/N + offset", "--param", "offset=-1"]);
    assert!(
        checked.contains("formula: -FN/N + offset") && checked.contains("offset = -1"),
        "{checked}"
    );
    let compiled = common::stdout_of(&["compile", "-FN/N", "--name", "NegFnRate"]);
    assert!(compiled.contains("pub struct NegFnRate;"), "{compiled}");
    let fallback = json_of(&argv(
        "eval --metric TP/(TP+FN) --fallback -1 --input",
        &[BINARY],
    ));
    assert!(fallback["loss"].is_f64());
    let data = bundled("ecoli3.csv");
    assert_errors(
        &["train", "--data", &data, "--loss", "f1"],
        &[
            (&["--l", "-5"], "--l: -5 must be finite and > 0"),
            (
                &["--threshold", "-0.5"],
                "--threshold: -0.5 must be in (0, 1)",
            ),
            (
                &["--param", "gamma=1"],
                "--param gamma: no loss here takes it",
            ),
        ],
    );
    for flag in ["--loss", "--compare"] {
        let v = json_of(&[
            "train", "--data", &data, flag, "-FN/N", "--epochs", "5", "--quiet", "--json",
        ]);
        assert!(v.is_object(), "{v}");
    }
    let err = failure_of(&[
        "train",
        "--data",
        &data,
        "--loss",
        "f1",
        "--threshold",
        "0.3",
        "--tune-threshold",
    ]);
    assert!(
        err.contains("'--threshold <THRESHOLD>' cannot be used with '--tune-threshold'"),
        "{err}"
    );
}

#[test]
fn train_threshold_moves_the_hard_decisions_and_is_saved() {
    let data = bundled("ecoli3.csv");
    let dir = common::scratch_dir();
    let run = |t: &str, name: &str| {
        let path = dir.join(name);
        let flags = format!("--loss f1 --epochs 30 --quiet --threshold {t}");
        let v = train_and_save(&data, &flags, &path);
        (v, read_json(&path))
    };
    let (low, low_model) = run("0.2", "low.json");
    let (high, high_model) = run("0.8", "high.json");
    assert_eq!(low_model["threshold"].as_f64().unwrap() as f32, 0.2);
    assert_eq!(high_model["threshold"].as_f64().unwrap() as f32, 0.8);
    let recall = |v: &Value| v["train"]["recall"].as_f64().unwrap();
    assert!(recall(&low) >= recall(&high), "{low} {high}");
    assert_ne!(low, high);
}

#[test]
fn one_label_multilabel_equals_binary() {
    let text = std::fs::read_to_string(BINARY).unwrap();
    let one = csv("one-label.csv", &text.replacen("label,prob", "y0,p0", 1));
    for average in ["macro", "micro", "weighted"] {
        let binary = json_of(&argv(
            "eval --metric gmean --threshold 0.4 --input",
            &[BINARY],
        ));
        let multi = json_of(&argv(
            "eval --metric gmean --threshold 0.4 --multilabel 1 --average",
            &[average, "--input", one.to_str().unwrap()],
        ));
        // The same sums in another order: equal up to f32 rounding.
        let close = |a: &Value, b: &Value, what: &str| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-6 * a.abs().max(1.0),
                "{average} {what}: {a} vs {b}"
            );
        };
        close(&binary["loss"], &multi["loss"], "loss");
        for key in ["tp", "fn", "fp", "tn"] {
            close(&binary[key], &multi["per_class"][0][key], key);
        }
        let (a, b) = (numbers(&binary["grad"]), numbers(&multi["grad"]));
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-5 * x.abs() + 1e-30,
                "{average} grad {i}: {x} vs {y}"
            );
        }
    }
}

/// A file longer than a chunk (32768 rows), weighted, on logits: the streamed two passes
/// agree with the library's in-memory loss and gradient.
#[test]
fn streamed_multilabel_and_binary_agree_with_the_library_across_chunks() {
    const C: usize = 3;
    let n = 70_001;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut y, mut z, mut w) = (Vec::new(), Vec::new(), Vec::new());
    let mut body = String::from("y0,y1,y2,z0,z1,z2,weight\n");
    let mut binary = String::from("label,logit,weight\n");
    for _ in 0..n {
        let labels: [u8; C] = std::array::from_fn(|_| u8::from(next() < 0.3));
        let logits: [f32; C] =
            std::array::from_fn(|c| ((next() - 0.5) * 8.0 + f64::from(labels[c])) as f32);
        let weight = [0.0f32, 0.5, 1.0, 2.0][(next() * 4.0) as usize];
        let cells: Vec<String> = labels
            .iter()
            .map(|l| l.to_string())
            .chain(logits.iter().map(|v| format!("{v:e}")))
            .chain(std::iter::once(weight.to_string()))
            .collect();
        body.push_str(&cells.join(","));
        body.push('\n');
        binary.push_str(&format!("{},{:e},{weight}\n", labels[0], logits[0]));
        y.extend(labels);
        z.extend(logits);
        w.push(weight);
    }
    let path = csv("long-multilabel.csv", &body);
    let out = json_of(&argv("eval --metric f1 --multilabel 3 --average weighted --logits --threshold 0.6 --class-weights 1,2,0.5 --input", &[path.to_str().unwrap()]));
    let loss = MultilabelLoss::<_, C>::new(F1, Some(Average::Weighted))
        .with_threshold(0.6)
        .unwrap()
        .with_class_weights([1.0, 2.0, 0.5])
        .unwrap();
    let mut grad = vec![0.0f32; y.len()];
    let want = loss
        .loss_and_grad_weighted(&y, Input::Logits(&z), &w, &mut grad)
        .unwrap();
    assert!((out["loss"].as_f64().unwrap() - f64::from(want.loss)).abs() < 1e-6);
    let got = numbers(&out["grad"]);
    assert_eq!(got.len(), n * C);
    for (i, (&g, &e)) in got.iter().zip(&grad).enumerate() {
        let e = f64::from(e);
        assert!(
            (g - e).abs() <= 1e-4 * e.abs() + 1e-12,
            "grad {i}: {g} vs {e}"
        );
    }
    let path = csv("long-binary.csv", &binary);
    let out = json_of(&argv(
        "eval --metric f1 --logits --input",
        &[path.to_str().unwrap()],
    ));
    let labels: Vec<u8> = y.iter().step_by(C).copied().collect();
    let logits: Vec<f32> = z.iter().step_by(C).copied().collect();
    let mut grad = vec![0.0f32; n];
    let want = BinaryLoss::new(F1)
        .loss_and_grad_weighted(&labels, Input::Logits(&logits), &w, &mut grad)
        .unwrap();
    assert!((out["loss"].as_f64().unwrap() - f64::from(want.loss)).abs() < 1e-6);
    for (i, (&g, &e)) in numbers(&out["grad"]).iter().zip(&grad).enumerate() {
        let e = f64::from(e);
        assert!(
            (g - e).abs() <= 1e-4 * e.abs() + 1e-12,
            "grad {i}: {g} vs {e}"
        );
    }
}

#[test]
fn per_class_output_lists_each_class_loss() {
    let path = bundled("pima_multilabel.csv");
    let none = json_of(&argv(
        "eval --metric f1 --multilabel 4 --average none --input",
        &[&path],
    ));
    let per_class = numbers(&none["loss"]);
    assert_eq!(per_class.len(), 4);
    let mac = json_of(&argv("eval --metric f1 --multilabel 4 --input", &[&path]));
    let mean = per_class.iter().sum::<f64>() / 4.0;
    assert!((mac["loss"].as_f64().unwrap() - mean).abs() < 1e-6);
    // Class weights shift the macro mean toward the weighted classes.
    let weighted = json_of(&argv(
        "eval --metric f1 --multilabel 4 --class-weights 0,0,0,1 --input",
        &[&path],
    ));
    assert!((weighted["loss"].as_f64().unwrap() - per_class[3]).abs() < 1e-6);
}

#[test]
fn bad_weights_columns_and_classes_name_the_line() {
    let neg = csv("neg.csv", "label,prob,weight\n1,0.9,1\n0,0.2,-0.5\n");
    let nan = csv("nan.csv", "label,prob,weight\n1,0.9,NaN\n0,0.2,1\n");
    let huge = csv("huge.csv", "label,logit,weight\n1,0.9,1e39\n");
    let ragged = csv("ragged.csv", "label,prob,weight\n1,0.9,1\n0,0.2\n");
    let misnamed = csv("misnamed.csv", "label,prob,w\n1,0.9,1\n");
    for (path, logits, expected) in [
        (&neg, false, ":3:3: weight `-0.5` is negative"),
        (
            &nan,
            false,
            ":2:3: column `weight`: `NaN` is not a finite number",
        ),
        (&huge, true, ":2:3: weight `1e39` overflows f32"),
        (
            &ragged,
            false,
            ":3: ragged row: 2 cells, but the header has 3 columns",
        ),
        (
            &misnamed,
            false,
            "expected the header `label,prob` or `label,prob,weight`",
        ),
    ] {
        let mut args = vec!["eval", "--metric", "f1", "--input", path.to_str().unwrap()];
        if logits {
            args.push("--logits");
        }
        let err = stderr_of(&args);
        assert!(err.contains(expected), "{expected}: {err}");
    }
    let ml = csv(
        "ml.csv",
        "y0,y1,p0,p1,weight\n1,0,0.9,0.2,1\n0,2,0.1,0.8,1\n1,1,0.7,0.6,-1\n",
    );
    let ml_path = ml.to_str().unwrap();
    assert_errors(
        &["eval", "--metric", "f1", "--input", ml_path],
        &[
            (&["--multilabel", "2"], ":3:2: label `2` of y1 is not 0 or 1"),
            (
                &["--multilabel", "3"],
                "expected the header `y0,y1,y2,p0,p1,p2`, then optionally `weight`, for --multilabel 3",
            ),
            (&["--multilabel", "0"], "--multilabel 0: at least one label is needed"),
            (&["--multilabel", "17"], "--multilabel 17: the CLI supports at most 16 labels"),
            (&["--multilabel", "2", "--class-weights", "1,2,3"], "--class-weights: 3 weights for 2 classes"),
            (
                &["--multilabel", "2", "--average", "micro", "--class-weights", "1,2"],
                "--class-weights apply to --average macro or weighted, not micro",
            ),
            (&["--class-weights", "1,2"], "--class-weights applies to --classes or --multilabel"),
            (&["--average", "micro"], "--average applies to --classes or --multilabel"),
        ],
    );
    // Refused while parsing the arguments (clap's own message and usage lines).
    for (extra, expected) in [
        (
            &["--class-weights", "-1,2"][..],
            "weight 0 `-1` is negative",
        ),
        (&["--class-weights", "0,0"][..], "the weights are all 0"),
        (
            &["--class-weights", "1,x"][..],
            "weight 1 `x` is not a number",
        ),
        (&["--classes", "2"][..], "cannot be used with"),
    ] {
        let mut args = vec![
            "eval",
            "--metric",
            "f1",
            "--multilabel",
            "2",
            "--input",
            ml_path,
        ];
        args.extend_from_slice(extra);
        let err = failure_of(&args);
        assert!(err.contains(expected), "{expected}: {err}");
    }
    let ml = csv(
        "ml-neg.csv",
        "y0,y1,p0,p1,weight\n1,0,0.9,0.2,1\n1,1,0.7,0.6,-1\n",
    );
    let err = stderr_of(&argv(
        "eval --metric f1 --multilabel 2 --input",
        &[ml.to_str().unwrap()],
    ));
    assert!(err.contains(":3:5: weight `-1` is negative"), "{err}");
    let zs = csv("ml-z.csv", "y0,z0\n1,2.5\n");
    let err = stderr_of(&argv(
        "eval --metric f1 --multilabel 1 --input",
        &[zs.to_str().unwrap()],
    ));
    assert!(err.contains("add --logits"), "{err}");
    let err = stderr_of(&argv(
        "eval --metric f1 --classes 3 --threshold 0.3 --input ../examples/eval/probs3.csv",
        &[],
    ));
    assert!(
        err.contains("--threshold 0.3: applies to binary and --multilabel data"),
        "{err}"
    );
}
