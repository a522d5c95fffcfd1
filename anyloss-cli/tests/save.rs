//! `--save` never destroys what the user has: an existing file needs `--force`, the
//! `--data` file is never replaced, a failed run leaves no file and no temporary file, and
//! the path's extension picks the encoding.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::{anyloss, bundled, json_of, read_json, scratch_dir, stderr_of, train_and_save};

use std::path::PathBuf;

/// A fresh scratch directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = scratch_dir().join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn train_args<'a>(data: &'a str, save: &'a str) -> Vec<&'a str> {
    vec![
        "train", "--data", data, "--loss", "f1", "--epochs", "5", "--folds", "2", "--quiet",
        "--json", "--save", save,
    ]
}

fn entries(d: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let d = dir("force");
    let data = bundled("ecoli3.csv");
    let path = d.join("model.json");
    std::fs::write(&path, "keep me\n").unwrap();
    let p = path.to_str().unwrap();
    let err = stderr_of(&train_args(&data, p));
    assert!(err.contains("the file exists; add --force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me\n");
    let mut args = train_args(&data, p);
    args.push("--force");
    json_of(&args);
    let model = read_json(&path);
    assert_eq!(model["format"], "anyloss-logistic-v1");
    // Twice in a row with --force, and no temporary file left behind.
    assert!(anyloss(&args).status.success());
    assert_eq!(entries(&d), ["model.json"]);
}

#[test]
fn the_data_file_is_never_replaced() {
    let d = dir("data");
    let data = d.join("train.csv");
    std::fs::copy(bundled("ecoli3.csv"), &data).unwrap();
    let before = std::fs::read(&data).unwrap();
    let link = d.join("link.csv");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    for save in [data.to_str().unwrap(), link.to_str().unwrap()] {
        for force in [false, true] {
            let mut args = train_args(data.to_str().unwrap(), save);
            if force {
                args.push("--force");
            }
            let err = stderr_of(&args);
            assert!(
                err.contains("is the --data file; refusing to overwrite it"),
                "{err}"
            );
            assert_eq!(std::fs::read(&data).unwrap(), before);
        }
    }
    assert_eq!(entries(&d), ["link.csv", "train.csv"]);
}

#[test]
fn a_bad_target_fails_before_training_and_writes_nothing() {
    let d = dir("bad-target");
    let data = bundled("ecoli3.csv");
    let missing = d.join("no/such/dir/model.json");
    let err = stderr_of(&train_args(&data, missing.to_str().unwrap()));
    assert!(err.contains("does not exist"), "{err}");
    let err = stderr_of(&train_args(&data, d.to_str().unwrap()));
    assert!(err.contains("is a directory"), "{err}");
    // --force without --save is a usage error.
    let out = anyloss(&["train", "--data", &data, "--loss", "f1", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    // A run that fails after the check (bad data) leaves nothing.
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "a,label\n1,0\n1,x\n").unwrap();
    let target = d.join("model.json");
    let err = stderr_of(&train_args(bad.to_str().unwrap(), target.to_str().unwrap()));
    assert!(err.contains("is not a number"), "{err}");
    assert_eq!(entries(&d), ["bad.csv"]);
}

#[test]
fn a_tuned_threshold_is_saved_and_predict_uses_it() {
    let d = dir("tuned");
    let data = bundled("yeast3.csv");
    let path = d.join("tuned.json");
    let p = path.to_str().unwrap();
    train_and_save(
        &data,
        "--loss bce --epochs 50 --tune-threshold --quiet",
        &path,
    );
    let m = read_json(&path);
    let t = m["threshold"].as_f64().unwrap();
    assert!(
        t > 0.0 && t < 1.0 && t != 0.5,
        "the tuned threshold is saved: {t}"
    );
    let predicted = json_of(&["predict", "--model", p, "--data", &data, "--json"]);
    for (p, label) in predicted["p"]
        .as_array()
        .unwrap()
        .iter()
        .zip(predicted["label"].as_array().unwrap())
    {
        let p = p.as_f64().unwrap();
        if (p - t).abs() > 1e-6 {
            assert_eq!(
                label.as_u64().unwrap(),
                u64::from(p >= t),
                "p {p} at threshold {t}"
            );
        }
    }
}
