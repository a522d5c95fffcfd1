//! `anyloss eval` as a user runs it: JSON on stdout, one clear line on stderr for bad input.

mod common;
use common::{anyloss, assert_errors, csv, stderr_of};

#[test]
fn prints_the_contract_json() {
    let p = csv("ok.csv", "label,prob\n1,0.9\n0,0.2\n1,0.4\n0,0.6\n");
    let out = anyloss(&["eval", "--metric", "f1", "--input", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["metric", "loss", "tp", "fn", "fp", "tn", "grad"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["metric"], "f1");
    let (tp, fn_, fp) = (
        v["tp"].as_f64().unwrap(),
        v["fn"].as_f64().unwrap(),
        v["fp"].as_f64().unwrap(),
    );
    let f1 = 2.0 * tp / (2.0 * tp + fp + fn_);
    assert!((v["loss"].as_f64().unwrap() - (1.0 - f1)).abs() < 1e-6);
    let grad = v["grad"].as_array().unwrap();
    assert_eq!(grad.len(), 4);
    assert!(grad[2].as_f64().unwrap() < 0.0 && grad[3].as_f64().unwrap() > 0.0);
}

#[test]
fn logits_give_the_logit_gradient() {
    let z = [2.0f64, -1.5, 0.1, 0.3];
    let body: String = ["label,logit".to_string()]
        .into_iter()
        .chain(z.iter().zip([1, 0, 1, 0]).map(|(z, y)| format!("{y},{z}")))
        .collect::<Vec<_>>()
        .join("\n");
    let pz = csv("z.csv", &body);
    let probs: Vec<f64> = z.iter().map(|z| 1.0 / (1.0 + (-z).exp())).collect();
    let body: String = ["label,prob".to_string()]
        .into_iter()
        .chain(
            probs
                .iter()
                .zip([1, 0, 1, 0])
                .map(|(p, y)| format!("{y},{p}")),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let pp = csv("p.csv", &body);
    let run = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&anyloss(args).stdout).unwrap()
    };
    let vz = run(&[
        "eval",
        "--metric",
        "mcc",
        "--l",
        "10",
        "--logits",
        "--input",
        pz.to_str().unwrap(),
    ]);
    let vp = run(&[
        "eval",
        "--metric",
        "mcc",
        "--l",
        "10",
        "--input",
        pp.to_str().unwrap(),
    ]);
    for i in 0..4 {
        let gz = vz["grad"][i].as_f64().unwrap();
        let gp = vp["grad"][i].as_f64().unwrap();
        let s = probs[i] * (1.0 - probs[i]);
        assert!(
            (gz - gp * s).abs() < 1e-5 * gz.abs().max(1e-3),
            "{i}: {gz} vs {}",
            gp * s
        );
    }
}

#[test]
fn bad_input_names_file_line_and_cause() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "nan.csv",
            "label,prob\n1,0.5\n0,NaN\n",
            &[],
            ":3:2: column `prob`: `NaN` is not a finite number",
        ),
        (
            "range.csv",
            "label,prob\n1,0.5\n0,1.2\n",
            &[],
            ":3:2: probability `1.2` is outside [0, 1]",
        ),
        (
            "label.csv",
            "label,prob\n1,0.5\n3,0.2\n",
            &[],
            ":3:1: label `3` is not a class in 0..2",
        ),
        (
            "ragged.csv",
            "label,prob\n1,0.5\n0\n",
            &[],
            ":3: ragged row: 1 cells, but the header has 2 columns",
        ),
        ("empty.csv", "", &[], ": empty file"),
        (
            "header.csv",
            "label,p\n1,0.5\n",
            &[],
            ":1: expected the header `label,prob`",
        ),
        (
            "noise.csv",
            "label,prob\n1,abc\n",
            &[],
            ":2:2: column `prob`: `abc` is not a number",
        ),
        (
            "nodata.csv",
            "label,prob\n",
            &[],
            ": no data rows after the header",
        ),
        (
            "big.csv",
            "label,logit\n1,1e39\n",
            &["--logits"],
            ":2:2: `1e39` overflows f32",
        ),
    ];
    for (name, body, extra, want) in cases {
        let p = csv(name, body);
        let mut args = vec!["eval", "--metric", "f1", "--input", p.to_str().unwrap()];
        args.extend_from_slice(extra);
        let err = stderr_of(&args);
        assert!(err.contains(want), "{name}: {err}");
        assert!(err.contains(name), "{name}: the file is named: {err}");
    }
    let ok = csv("fine.csv", "label,prob\n1,0.5\n");
    let ok = ok.to_str().unwrap();
    assert_errors(
        &["eval", "--input", ok],
        &[
            (
                &["--metric", "f1", "--l=-3"],
                "amplifier L must be finite and > 0",
            ),
            (
                &["--metric", "fbeta", "--beta", "0"],
                "beta must be finite and > 0",
            ),
            (
                &["--metric", "tversky", "--alpha=-1"],
                "alpha must be finite",
            ),
            (
                &["--metric", "f1", "--beta", "2"],
                "--beta is not a parameter of `f1`",
            ),
        ],
    );
    assert!(
        stderr_of(&["eval", "--metric", "f1", "--input", "/nonexistent/x.csv"])
            .contains("/nonexistent/x.csv: cannot read")
    );
}

#[test]
fn every_subcommand_help_has_a_worked_example() {
    let top = String::from_utf8(anyloss(&["--help"]).stdout).unwrap();
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"eval"), "{top}");
    for c in commands {
        let text = String::from_utf8(anyloss(&[c, "--help"]).stdout).unwrap();
        assert!(
            text.contains("Example") && text.contains(&format!("anyloss {c} ")),
            "`anyloss {c} --help` has no worked example:\n{text}"
        );
    }
}

/// The golden float64 autograd vectors through the command line, for every metric in them,
/// by built-in name and as a formula.
#[test]
fn builtins_and_formulas_match_golden_vectors_through_the_cli() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/golden/binary.json")).unwrap();
    let spellings: &[(&str, &[&str])] = &[
        ("accuracy", &["--metric", "accuracy"]),
        ("f1", &["--metric", "f1"]),
        ("fbeta_0.5", &["--metric", "fbeta", "--beta", "0.5"]),
        ("fbeta_2", &["--metric", "fbeta", "--beta", "2"]),
        ("gmean", &["--metric", "gmean"]),
        ("balanced_accuracy", &["--metric", "balanced_accuracy"]),
        ("mcc", &["--metric", "mcc"]),
    ];
    let formulas: &[(&str, &[&str])] = &[
        ("accuracy", &["--metric", "(TP+TN)/(TP+TN+FP+FN)"]),
        ("f1", &["--metric", "2*TP/(2*TP+FP+FN)"]),
        (
            "fbeta_0.5",
            &[
                "--metric",
                "(1+beta^2)*TP/((1+beta^2)*TP+beta^2*FN+FP)",
                "--beta",
                "0.5",
            ],
        ),
        (
            "fbeta_2",
            &[
                "--metric",
                "(1+beta^2)*TP/((1+beta^2)*TP+beta^2*FN+FP)",
                "--beta",
                "2",
            ],
        ),
        (
            "gmean",
            &[
                "--metric",
                "recall = TP/(TP+FN); spec = TN/(TN+FP); sqrt(recall*spec)",
            ],
        ),
        (
            "balanced_accuracy",
            &["--metric", "(TP/(TP+FN) + TN/(TN+FP))/2"],
        ),
        (
            "mcc",
            &[
                "--metric",
                "(TP*TN-FP*FN)/sqrt((TP+FP)*(TP+FN)*(TN+FP)*(TN+FN))",
            ],
        ),
    ];
    let mut checked = 0;
    for case in golden["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let body: Vec<String> = std::iter::once("label,prob".to_string())
            .chain(
                case["y"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(case["p"].as_array().unwrap())
                    .map(|(y, p)| format!("{},{:e}", y.as_f64().unwrap(), p.as_f64().unwrap())),
            )
            .collect();
        let path = csv(&format!("golden-{id}.csv"), &body.join("\n"));
        for (key, args) in spellings.iter().chain(formulas) {
            let reference = &case["metrics"][*key];
            let mut full = vec!["eval", "--input", path.to_str().unwrap()];
            full.extend_from_slice(args);
            let out = anyloss(&full);
            assert!(
                out.status.success(),
                "{id} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let loss = v["loss"].as_f64().unwrap();
            assert!(loss.is_finite());
            if reference["loss"].is_null() {
                continue;
            }
            let want = reference["loss"].as_f64().unwrap();
            assert!(
                (loss - want).abs() < 1e-5,
                "{id} {args:?}: loss {loss} vs {want}"
            );
            for (i, (got, want)) in v["grad"]
                .as_array()
                .unwrap()
                .iter()
                .zip(reference["grad"].as_array().unwrap())
                .enumerate()
            {
                let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
                if want.abs() > 1e-30 {
                    assert!(
                        (got - want).abs() <= 1e-3 * want.abs(),
                        "{id} {args:?} grad[{i}]: {got} vs {want}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50_000, "{checked}");
}
