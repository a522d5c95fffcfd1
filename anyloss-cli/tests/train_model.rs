//! `anyloss train --model` and `--tune-threshold` as a user runs them: MLP heads for every
//! loss and for `--compare`, the saved `anyloss-mlp-v1` model that predicts what the run
//! measured, the tuned threshold, and clear errors for a bad architecture.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::forward::forward;
use common::{argv, bundled, failure_of, json_of, read_json, scratch_dir, train_and_save};

#[test]
fn an_mlp_trains_compares_and_saves_a_model_that_predicts() {
    let data = bundled("ecoli3.csv");
    let v = json_of(&argv(
        "train --compare bce,f1 --model mlp:8 --epochs 30 --json --data",
        &[&data],
    ));
    let losses = v["losses"].as_array().unwrap();
    assert_eq!(losses.len(), 2);
    for l in losses {
        let f1 = l["test"]["f1"].as_f64().unwrap();
        assert!(f1 > 0.3, "{}: test F1 {f1}", l["loss"]);
    }

    let model = scratch_dir().join("mlp.json");
    let flags = "--loss gmean --model mlp:6,3 --epochs 30 --tune-threshold";
    train_and_save(&data, flags, &model);
    let m = read_json(&model);
    assert_eq!(m["format"], "anyloss-mlp-v1");
    assert_eq!(m["model"], "mlp:6,3");
    let shapes: Vec<(usize, usize, &str)> = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let w = l["weights"].as_array().unwrap();
            (
                w.len(),
                w[0].as_array().unwrap().len(),
                l["activation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(shapes, [(6, 7, "relu"), (3, 6, "relu"), (1, 3, "sigmoid")]);
    let t = m["threshold"].as_f64().unwrap();
    assert!(t > 0.0 && t < 1.0, "threshold {t}");
    // The model predicts from the JSON alone: probabilities in (0, 1), both classes occur.
    let text = std::fs::read_to_string(&data).unwrap();
    let mut predicted = [0usize; 2];
    for line in text.lines().skip(1) {
        let row: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let p = forward(&m, &row[..7]);
        assert!(p > 0.0 && p < 1.0);
        predicted[usize::from(p >= t)] += 1;
    }
    assert!(predicted[0] > 0 && predicted[1] > 0, "{predicted:?}");
}

#[test]
fn a_linear_model_keeps_its_saved_format_and_gains_the_threshold() {
    let model = scratch_dir().join("linear.json");
    train_and_save(&bundled("pima.csv"), "--loss f1 --epochs 20", &model);
    let m = read_json(&model);
    assert_eq!(m["format"], "anyloss-logistic-v1");
    assert_eq!(m["model"], "linear");
    assert_eq!(m["threshold"].as_f64(), Some(0.5));
    assert_eq!(m["weights"].as_array().unwrap().len(), 8);
}

#[test]
fn a_bad_architecture_is_a_clear_error() {
    let data = bundled("ecoli3.csv");
    for (model, why) in [
        ("mlp:0", "width 0"),
        ("mlp:4,4,4", "at most 2"),
        ("mlp:x", "`x` is not a layer width"),
        ("cnn", "unknown model"),
    ] {
        let err = failure_of(&["train", "--data", &data, "--loss", "f1", "--model", model]);
        assert!(
            err.contains("--model") && err.contains(why),
            "{model}: {err}"
        );
    }
}
