//! `anyloss eval --classes C` with a `weight` column, `--class-weights` and `--average
//! none`: the multi-class float64 autograd vectors of `tests/golden/features.json` end to
//! end (an `[N, C, H, W]` case is its `N·H·W` positions as rows), and each bad weight or
//! option as one clear line with exit status 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{argv, assert_errors, csv, f64s, failure_of, golden, json_of};

use serde_json::Value;

/// The case as CSV rows, one per position: `label,p0..` (or `z0..`), then `weight`; and
/// the flat index of `x` of each (row, class), to compare the gradient.
fn case_csv(case: &Value) -> (String, Vec<Vec<usize>>) {
    let shape: Vec<usize> = case["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let (n, c, pixels) = (shape[0], shape[1], shape[2..].iter().product::<usize>());
    let prefix = if case["input"] == "logits" { "z" } else { "p" };
    let (y, x) = (f64s(&case["y"]), f64s(&case["x"]));
    let w = (!case["w"].is_null()).then(|| f64s(&case["w"]));
    let mut body = String::from("label");
    for k in 0..c {
        body += &format!(",{prefix}{k}");
    }
    if w.is_some() {
        body += ",weight";
    }
    body.push('\n');
    let mut at = Vec::new();
    for i in 0..n * pixels {
        let (sample, pixel) = (i / pixels, i % pixels);
        let index: Vec<usize> = (0..c).map(|k| (sample * c + k) * pixels + pixel).collect();
        body += &format!("{}", y[i]);
        for &j in &index {
            body += &format!(",{}", x[j]);
        }
        if let Some(w) = &w {
            body += &format!(",{}", w[i]);
        }
        body.push('\n');
        at.push(index);
    }
    (body, at)
}

#[test]
fn multiclass_features_match_autograd_through_the_cli() {
    let g = golden("features.json");
    let cases = g["multiclass"].as_array().unwrap();
    assert!(cases.len() >= 60);
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let (body, at) = case_csv(case);
        let path = csv(&format!("mc-{id}.csv"), &body);
        let classes = at[0].len().to_string();
        let mut args = vec![
            "eval",
            "--metric",
            case["metric"].as_str().unwrap(),
            "--classes",
            &classes,
            "--average",
            case["average"].as_str().unwrap(),
            "--input",
            path.to_str().unwrap(),
        ];
        if case["input"] == "logits" {
            args.push("--logits");
        }
        let class_weights = (!case["class_weights"].is_null()).then(|| {
            f64s(&case["class_weights"])
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        });
        if let Some(v) = &class_weights {
            args.extend(["--class-weights", v]);
        }
        let out = json_of(&args);

        // The loss: one number, or with `none` the list of per-class losses.
        let (got, want): (Vec<f64>, Vec<f64>) = if case["average"] == "none" {
            (f64s(&out["loss"]), f64s(&case["per_class"]))
        } else {
            (
                vec![out["loss"].as_f64().unwrap()],
                vec![case["loss"].as_f64().unwrap()],
            )
        };
        assert_eq!(got.len(), want.len(), "{id}");
        for (g, w) in got.iter().zip(&want) {
            worst_loss = worst_loss.max((g - w).abs());
            assert!((g - w).abs() < 1e-5, "{id}: loss {g} vs {w}");
        }
        for (entries, want) in out["per_class"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["entries"].as_array().unwrap())
        {
            for (k, w) in ["tp", "fn", "fp", "tn"].iter().zip(f64s(want)) {
                let g = entries[k].as_f64().unwrap();
                assert!(
                    (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                    "{id} {k}: {g} vs {w}"
                );
            }
        }

        // The gradient, row by row, at the tolerance of the library's test.
        let want = f64s(&case["grad"]);
        let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let rows = out["grad"].as_array().unwrap();
        assert_eq!(rows.len(), at.len(), "{id}");
        for (row, index) in rows.iter().zip(&at) {
            for (g, &j) in f64s(row).iter().zip(index) {
                let (err, w) = ((g - want[j]).abs(), want[j]);
                if w.abs() > 1e-30 && err / w.abs() < 1e-3 {
                    worst_grad = worst_grad.max(err / w.abs());
                } else {
                    assert!(err <= 1e-7 * scale, "{id}: grad {g:e} vs {w:e}");
                }
            }
        }
    }
    println!("cli multiclass: max |loss err| = {worst_loss:e}, max grad rel err = {worst_grad:e}");
}

#[test]
fn zero_weight_rows_get_zero_gradients_and_no_entries() {
    let weighted = csv(
        "mc-zero.csv",
        "label,p0,p1,p2,weight\n0,0.7,0.2,0.1,1\n1,0.2,0.5,0.3,0\n2,0.1,0.3,0.6,2\n1,0.3,0.4,0.3,1\n",
    );
    let kept = csv(
        "mc-kept.csv",
        "label,p0,p1,p2,weight\n0,0.7,0.2,0.1,1\n2,0.1,0.3,0.6,2\n1,0.3,0.4,0.3,1\n",
    );
    for average in ["macro", "micro", "weighted", "none"] {
        let run = |path: &std::path::Path| {
            json_of(&argv(
                "eval --metric f1 --classes 3 --average",
                &[average, "--input", path.to_str().unwrap()],
            ))
        };
        let (a, b) = (run(&weighted), run(&kept));
        assert_eq!(
            a["grad"][1],
            serde_json::json!([0.0, 0.0, 0.0]),
            "{average}"
        );
        for (x, y) in [(&a["loss"], &b["loss"])] {
            let (x, y) = (f64s_or_one(x), f64s_or_one(y));
            for (x, y) in x.iter().zip(&y) {
                assert!((x - y).abs() < 1e-6, "{average}: {x} vs {y}");
            }
        }
        for (ga, gb) in [(0, 0), (2, 1), (3, 2)] {
            for (x, y) in f64s(&a["grad"][ga]).iter().zip(f64s(&b["grad"][gb])) {
                assert!((x - y).abs() <= 1e-6 * y.abs().max(1e-3), "{average}");
            }
        }
    }
}

fn f64s_or_one(v: &Value) -> Vec<f64> {
    match v.as_f64() {
        Some(x) => vec![x],
        None => f64s(v),
    }
}

#[test]
fn bad_weights_and_class_weights_are_clear_errors() {
    let probs = |name: &str, weights: [&str; 3]| {
        let body = format!(
            "label,p0,p1,weight\n0,0.8,0.2,{}\n1,0.3,0.7,{}\n1,0.4,0.6,{}\n",
            weights[0], weights[1], weights[2]
        );
        csv(name, &body).to_str().unwrap().to_string()
    };
    let negative = probs("mc-neg.csv", ["1", "-0.5", "1"]);
    let huge = probs("mc-huge.csv", ["1", "1", "1e39"]);
    let good = probs("mc-good.csv", ["1", "0", "2"]);
    let base = ["eval", "--metric", "f1", "--classes", "2"];
    assert_errors(
        &base,
        &[
            (
                &["--input", &negative],
                "mc-neg.csv:3:4: weight `-0.5` is negative",
            ),
            (
                &["--input", &huge],
                "mc-huge.csv:4:4: weight `1e39` overflows f32",
            ),
            (
                &["--input", &good, "--class-weights", "1,2,3"],
                "--class-weights: 3 weights for 2 classes",
            ),
            (
                &[
                    "--input",
                    &good,
                    "--average",
                    "micro",
                    "--class-weights",
                    "1,2",
                ],
                "--class-weights apply to --average macro or weighted, not micro",
            ),
            (
                &[
                    "--input",
                    &good,
                    "--average",
                    "none",
                    "--class-weights",
                    "1,2",
                ],
                "--class-weights apply to --average macro or weighted, not none",
            ),
        ],
    );
    assert_errors(
        &[
            "eval",
            "--metric",
            "seed",
            "--classes",
            "2",
            "--input",
            &good,
        ],
        &[
            (
                &["--class-weights", "1,2"],
                "the seed objective takes no --class-weights",
            ),
            (
                &["--average", "none"],
                "the seed objective takes no --average",
            ),
        ],
    );
    let mut args = base.to_vec();
    args.extend(["--input", &good, "--class-weights", "1,-2"]);
    assert!(failure_of(&args).contains("weight 1 `-2` is negative"));
    // The same file is fine without the bad options, with its weights applied.
    let out = json_of(&["eval", "--metric", "f1", "--classes", "2", "--input", &good]);
    assert_eq!(out["grad"][1], serde_json::json!([0.0, 0.0]));
}
