//! `anyloss train` as a user runs it: the contract JSON, the table, reproducible splits,
//! the saved model and plot, and one clear stderr line with the position for bad data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::{assert_errors, bundled, csv, read_json, scratch_dir, stderr_of, stdout_of};

/// The reported metrics: the JSON fields of `test` and `train`.
const FIELDS: [&str; 7] = anyloss_core::train::Scores::NAMES;

#[test]
fn json_has_the_contract_fields_and_is_reproducible() {
    let data = bundled("ecoli3.csv");
    let args = [
        "train", "--data", &data, "--loss", "f1", "--epochs", "40", "--json",
    ];
    let text = stdout_of(&args);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let top: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(top, ["test", "train"]);
    for part in ["test", "train"] {
        let o = v[part].as_object().unwrap();
        assert_eq!(o.len(), 7);
        for f in FIELDS {
            let x = o[f].as_f64().unwrap();
            assert!((-1.0..=1.0).contains(&x), "{part}.{f} = {x}");
        }
    }
    assert!(v["test"]["f1"].as_f64().unwrap() > 0.3, "{text}");
    assert_eq!(stdout_of(&args), text, "same seed, same output");
    let other = stdout_of(&[
        "train", "--data", &data, "--loss", "f1", "--epochs", "40", "--json", "--seed", "9",
    ]);
    assert_ne!(other, text, "another seed, another split");
}

#[test]
fn compare_trains_every_loss_on_the_same_splits() {
    let data = bundled("ecoli3.csv");
    let text = stdout_of(&[
        "train",
        "--data",
        &data,
        "--compare",
        "bce,f1,fbeta",
        "--beta",
        "2",
        "--epochs",
        "30",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let losses = v["losses"].as_array().unwrap();
    let names: Vec<&str> = losses.iter().map(|l| l["loss"].as_str().unwrap()).collect();
    assert_eq!(names, ["bce", "f1", "fbeta"]);
    for l in losses {
        assert_eq!(l["test"].as_object().unwrap().len(), 7);
        assert_eq!(l["train"].as_object().unwrap().len(), 7);
        let compared = l["test_compared_metrics"].as_object().unwrap();
        assert_eq!(compared.len(), 2, "{l}");
        // Scoring on f1 in the comparison is the reported f1.
        assert!(
            (compared["f1"].as_f64().unwrap() - l["test"]["f1"].as_f64().unwrap()).abs() < 1e-9
        );
    }
    assert_eq!(losses[0]["recipe"]["lr"].as_f64().unwrap(), 1.0);
    assert_eq!(losses[1]["recipe"]["mix"].as_f64().unwrap(), 1.0);
    // The warm start is 20 epochs, and at most a tenth of a shorter run.
    assert_eq!(losses[1]["recipe"]["warm_start"].as_u64().unwrap(), 3);
    // The comparison's bce equals a bce run alone: same split, same seed.
    let alone: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "train", "--data", &data, "--loss", "bce", "--epochs", "30", "--json",
    ]))
    .unwrap();
    assert_eq!(alone["test"], losses[0]["test"]);

    let table = stdout_of(&[
        "train",
        "--data",
        &data,
        "--compare",
        "bce,gmean",
        "--epochs",
        "20",
    ]);
    assert!(table.contains("5-fold stratified CV"), "{table}");
    assert!(table.contains("balanced_accuracy") && table.contains("gmean"));
    assert!(table.contains('*'));
}

#[test]
fn save_and_plot_write_their_files() {
    let data = bundled("ecoli3.csv");
    let dir = scratch_dir();
    let model = dir.join("model.json");
    let svg = dir.join("curves.svg");
    stdout_of(&[
        "train",
        "--data",
        &data,
        "--loss",
        "gmean",
        "--epochs",
        "15",
        "--test-fraction",
        "0.3",
        "--save",
        model.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let m = read_json(&model);
    assert_eq!(m["weights"].as_array().unwrap().len(), 7);
    assert_eq!(m["mean"].as_array().unwrap().len(), 7);
    assert_eq!(m["std"].as_array().unwrap().len(), 7);
    assert!(m["bias"].as_f64().unwrap().is_finite());
    assert_eq!(m["features"][0], "Lip");
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(
        plot.starts_with("<svg") && plot.contains("polyline"),
        "{}",
        &plot[..200.min(plot.len())]
    );
}

#[test]
fn bad_data_names_the_place() {
    let cases = [
        ("empty.csv", "", "empty.csv: empty file"),
        (
            "nolabel.csv",
            "a,b\n1,2\n3,4\n",
            "nolabel.csv:1: no `label` column",
        ),
        (
            "twolabels.csv",
            "label,a,label\n1,2,1\n0,4,0\n",
            "twolabels.csv:1:3: duplicate column name `label`",
        ),
        (
            "text.csv",
            "a,label\n1,0\nx,1\n",
            "text.csv:3:1: column `a`: `x` is not a number",
        ),
        (
            "nan.csv",
            "a,label\n1,0\nNaN,1\n",
            "nan.csv:3:1: column `a`: `NaN` is not a finite number",
        ),
        (
            "ragged.csv",
            "a,b,label\n1,2,0\n1,1\n",
            "ragged.csv:3: ragged row",
        ),
        (
            "class2.csv",
            "a,label\n1,0\n2,2\n",
            "class2.csv:3:2: label `2` is not a class",
        ),
        (
            "half.csv",
            "a,label\n1,0\n2,0.5\n",
            "half.csv:3:2: label `0.5`",
        ),
        (
            "single.csv",
            "a,label\n1,0\n2,0\n3,0\n",
            "single.csv: single-class file: all 3 rows have label 0",
        ),
        (
            "huge.csv",
            "a,label\n1,0\n1e300,1\n",
            "huge.csv:3:1: column `a`: 1e300 does not fit in f32",
        ),
        (
            "onlylabel.csv",
            "label\n1\n0\n",
            "onlylabel.csv:1: no feature columns",
        ),
    ];
    for (name, body, expected) in cases {
        let p = csv(name, body);
        let err = stderr_of(&["train", "--data", p.to_str().unwrap(), "--loss", "f1"]);
        assert!(err.contains(expected), "{name}: {err}");
    }
    let few = csv("few.csv", "a,label\n1,0\n2,0\n3,0\n4,0\n5,0\n6,1\n7,1\n");
    let err = stderr_of(&["train", "--data", few.to_str().unwrap(), "--loss", "f1"]);
    assert!(
        err.contains("only 2 rows have label 1, fewer than the 5 folds"),
        "{err}"
    );
}

#[test]
fn bad_settings_are_refused() {
    let data = bundled("ecoli3.csv");
    let cases: [(&[&str], &str); 8] = [
        (&["--loss", "nope"], "unknown metric `nope`"),
        (
            &["--loss", "bce", "--mix", "0.5"],
            "--mix has no effect on --loss bce",
        ),
        (
            &["--loss", "f1", "--mix", "1.5"],
            "--mix: 1.5 must be in [0, 1]",
        ),
        (
            &["--loss", "f1", "--lr=-1"],
            "--lr: -1 must be finite and > 0",
        ),
        (&["--loss", "f1", "--folds", "1"], "--folds 1"),
        (
            &["--loss", "f1", "--test-fraction", "1"],
            "--test-fraction 1",
        ),
        (
            &["--compare", "bce,f1", "--save", "m.json"],
            "--save writes one model",
        ),
        (&["--compare", "f1,f1"], "`f1` is listed twice"),
    ];
    assert_errors(&["train", "--data", &data], &cases);
}

#[test]
fn help_has_a_worked_example() {
    let help = stdout_of(&["train", "--help"]);
    assert!(help.contains("anyloss train --data examples/data/yeast3.csv --compare bce,f1,gmean"));
    assert!(help.contains("EVIDENCE.md"));
}

#[test]
fn a_formula_trains_like_its_built_in() {
    let data = bundled("ecoli3.csv");
    let run = |loss: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "train", "--data", &data, "--loss", loss, "--epochs", "30", "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout_of(&args)).unwrap()
    };
    let builtin = run("fbeta", &["--beta", "2"]);
    let formula = run(
        "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)",
        &["--beta", "2"],
    );
    for f in FIELDS {
        let (a, b) = (
            builtin["test"][f].as_f64().unwrap(),
            formula["test"][f].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 0.02, "{f}: built-in {a}, formula {b}");
    }
    let err = stderr_of(&["train", "--data", &data, "--loss", "f1", "--beta", "2"]);
    assert!(err.contains("--beta: no loss here takes it"), "{err}");
}
