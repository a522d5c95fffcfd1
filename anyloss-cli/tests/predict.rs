//! `anyloss predict` as a user runs it: probabilities that match an independent f64 forward
//! pass of the saved JSON, labels at the threshold, metrics that match the labels, columns
//! matched by name, and one clear error (exit 2, no panic, nothing on stdout) for every bad
//! model file and every bad data file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::forward::forward;
use common::{
    assert_errors, bundled, csv, json_of, read_json, scratch_dir, stderr_of, train_and_save,
};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

/// The rows (header, values) of a CSV.
fn read_csv(path: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    (header, rows)
}

/// A model trained on ecoli3 with `--model arch`, saved once per test binary.
fn model(arch: &str) -> PathBuf {
    static LINEAR: OnceLock<PathBuf> = OnceLock::new();
    static MLP: OnceLock<PathBuf> = OnceLock::new();
    let cell = if arch == "linear" { &LINEAR } else { &MLP };
    cell.get_or_init(|| {
        let path = scratch_dir().join(format!("ecoli3-{}.json", arch.replace(':', "")));
        let flags = format!("--loss f1 --model {arch} --epochs 60 --quiet");
        train_and_save(&bundled("ecoli3.csv"), &flags, &path);
        path
    })
    .clone()
}

/// The binary counts of `labels` against the true labels `y` and their F1 and accuracy.
fn f1_and_accuracy(y: &[u8], labels: &[u8]) -> (f64, f64) {
    let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
    for (&t, &p) in y.iter().zip(labels) {
        match (t, p) {
            (1, 1) => tp += 1.0,
            (0, 1) => fp += 1.0,
            (1, 0) => fn_ += 1.0,
            _ => tn += 1.0,
        }
    }
    (
        2.0 * tp / (2.0 * tp + fp + fn_),
        (tp + tn) / (tp + tn + fp + fn_),
    )
}

#[test]
fn probabilities_match_an_independent_forward_pass_and_metrics_match_the_labels() {
    let data = bundled("ecoli3.csv");
    let (header, rows) = read_csv(&data);
    let label_col = header.iter().position(|h| h == "label").unwrap();
    for arch in ["linear", "mlp:4"] {
        let path = model(arch);
        let m = read_json(&path);
        let out = json_of(&[
            "predict",
            "--model",
            path.to_str().unwrap(),
            "--data",
            &data,
            "--json",
        ]);
        let p: Vec<f64> = out["p"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let labels: Vec<u8> = out["label"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect();
        assert_eq!((p.len(), labels.len()), (rows.len(), rows.len()));
        let mut y = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let features: Vec<f64> = row
                .iter()
                .enumerate()
                .filter(|&(c, _)| c != label_col)
                .map(|(_, &v)| v)
                .collect();
            let expected = forward(&m, &features);
            assert!(
                (p[i] - expected).abs() < 1e-5,
                "{arch} row {i}: {} vs {expected}",
                p[i]
            );
            // Away from the threshold, the label is p >= 0.5.
            if (expected - 0.5).abs() > 1e-4 {
                assert_eq!(labels[i], u8::from(expected >= 0.5), "{arch} row {i}");
            }
            y.push(row[label_col] as u8);
        }
        let (f1, accuracy) = f1_and_accuracy(&y, &labels);
        assert!(
            (out["metrics"]["f1"].as_f64().unwrap() - f1).abs() < 1e-6,
            "{arch}: {out}"
        );
        assert!((out["metrics"]["accuracy"].as_f64().unwrap() - accuracy).abs() < 1e-6);
        assert!(f1 > 0.5, "{arch}: a trained model predicts: f1 {f1}");
        for name in ["precision", "recall", "balanced_accuracy", "gmean", "mcc"] {
            assert!(out["metrics"][name].is_number(), "{name}");
        }
    }
}

#[test]
fn csv_output_columns_in_any_order_threshold_and_no_label_column() {
    let path = model("linear");
    let model = path.to_str().unwrap();
    let data = bundled("ecoli3.csv");
    let base = json_of(&["predict", "--model", model, "--data", &data, "--json"]);
    // The same rows with the columns reversed and without the label: same p, no metrics.
    let (header, rows) = read_csv(&data);
    let keep: Vec<usize> = (0..header.len())
        .rev()
        .filter(|&c| header[c] != "label")
        .collect();
    let mut body = keep
        .iter()
        .map(|&c| header[c].clone())
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for row in &rows {
        body += &(keep
            .iter()
            .map(|&c| row[c].to_string())
            .collect::<Vec<_>>()
            .join(",")
            + "\n");
    }
    let reversed = csv("reversed.csv", &body);
    let out = json_of(&[
        "predict",
        "--model",
        model,
        "--data",
        reversed.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out["p"], base["p"]);
    assert_eq!(out["label"], base["label"]);
    assert!(out.get("metrics").is_none());
    // CSV output: the same numbers, one row each.
    let text = common::stdout_of(&["predict", "--model", model, "--data", &data]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("p,label"));
    for (line, (p, l)) in lines.zip(
        base["p"]
            .as_array()
            .unwrap()
            .iter()
            .zip(base["label"].as_array().unwrap()),
    ) {
        let (a, b) = line.split_once(',').unwrap();
        assert_eq!(a.parse::<f32>().unwrap(), p.as_f64().unwrap() as f32);
        assert_eq!(b, l.to_string());
    }
    // A threshold of 1 labels (almost) nothing 1, of 0 everything.
    for (t, all) in [("0", 1u64), ("1", 0)] {
        let out = json_of(&[
            "predict",
            "--model",
            model,
            "--data",
            &data,
            "--json",
            "--threshold",
            t,
        ]);
        let ones = out["label"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v.as_u64() == Some(1))
            .count();
        if all == 1 {
            assert_eq!(ones, rows.len());
        } else {
            assert!(ones <= 1, "threshold 1: {ones}");
        }
    }
}

#[test]
fn a_weight_of_zero_removes_a_row_from_the_metrics() {
    let path = model("linear");
    let model = path.to_str().unwrap();
    let data = bundled("ecoli3.csv");
    let (header, rows) = read_csv(&data);
    let (mut weighted, mut kept) = (header.join(",") + ",weight\n", header.join(",") + "\n");
    for (i, row) in rows.iter().enumerate() {
        let line = row
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let w = if i % 3 == 0 { 0 } else { 1 };
        weighted += &format!("{line},{w}\n");
        if w == 1 {
            kept += &format!("{line}\n");
        }
    }
    let a = json_of(&[
        "predict",
        "--model",
        model,
        "--data",
        csv("weighted.csv", &weighted).to_str().unwrap(),
        "--json",
    ]);
    let b = json_of(&[
        "predict",
        "--model",
        model,
        "--data",
        csv("kept.csv", &kept).to_str().unwrap(),
        "--json",
    ]);
    for (name, v) in b["metrics"].as_object().unwrap() {
        assert!(
            (a["metrics"][name].as_f64().unwrap() - v.as_f64().unwrap()).abs() < 1e-6,
            "{name}"
        );
    }
    assert_eq!(a["p"].as_array().unwrap().len(), rows.len());
}

#[test]
fn bad_data_is_one_clear_error() {
    let path = model("linear");
    let model = path.to_str().unwrap();
    let m = read_json(&path);
    let names: Vec<String> = m["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let row = vec!["0.5"; names.len()].join(",");
    let good_header = names.join(",");
    let missing = names[1..].join(",");
    let cases: Vec<(String, String, &str)> = vec![
        (
            "missing".into(),
            format!(
                "{missing},label\n{},1\n",
                vec!["0.5"; names.len() - 1].join(",")
            ),
            "is missing",
        ),
        (
            "extra".into(),
            format!("{good_header},extra\n{row},1\n"),
            "`extra` is not a feature",
        ),
        (
            "label2".into(),
            format!("{good_header},label\n{row},2\n"),
            ":2:",
        ),
        (
            "text".into(),
            format!("{good_header}\n{}x\n", "0.5,".repeat(names.len() - 1)),
            "is not a number",
        ),
        (
            "ragged".into(),
            format!("{good_header}\n0.5\n"),
            "ragged row",
        ),
        ("empty".into(), String::new(), "empty file"),
        (
            "header-only".into(),
            format!("{good_header}\n"),
            "no data rows",
        ),
        (
            "huge".into(),
            format!(
                "{good_header}\n1e39,{}\n",
                vec!["0.5"; names.len() - 1].join(",")
            ),
            "does not fit in f32",
        ),
        (
            "negative-weight".into(),
            format!("{good_header},weight\n{row},-1\n"),
            "negative",
        ),
    ];
    for (name, body, expected) in cases {
        let file = csv(&format!("bad-{name}.csv"), &body);
        let err = stderr_of(&[
            "predict",
            "--model",
            model,
            "--data",
            file.to_str().unwrap(),
            "--json",
        ]);
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in {err}"
        );
    }
    assert_errors(
        &[
            "predict",
            "--model",
            model,
            "--data",
            &bundled("ecoli3.csv"),
        ],
        &[
            (&["--threshold", "1.5"], "must be in [0, 1]"),
            (&["--threshold", "NaN"], "must be in [0, 1]"),
        ],
    );
    let err = stderr_of(&["predict", "--model", model, "--data", "/nonexistent/x.csv"]);
    assert!(err.contains("cannot read"), "{err}");
}

/// Writes `text` as a model file and returns the error `predict` gives for it.
fn model_error(name: &str, bytes: &[u8]) -> String {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = stderr_of(&[
        "predict",
        "--model",
        path.to_str().unwrap(),
        "--data",
        &bundled("ecoli3.csv"),
    ]);
    assert!(
        err.starts_with(&format!("anyloss: error: --model {}", path.display())),
        "{err}"
    );
    err
}

/// `m` with `f` applied, as bytes.
fn edited(m: &Value, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut m = m.clone();
    f(&mut m);
    serde_json::to_vec(&m).unwrap()
}

#[test]
fn every_bad_json_model_is_one_clear_error() {
    let linear = read_json(&model("linear"));
    let mlp = read_json(&model("mlp:4"));
    let text = serde_json::to_vec_pretty(&mlp).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", text[..text.len() / 2].to_vec(), "invalid JSON"),
        (
            "flipped",
            {
                let mut t = text.clone();
                let i = t.iter().position(|&b| b == b'[').unwrap();
                t[i] ^= 0x04;
                t
            },
            "invalid JSON",
        ),
        ("empty", Vec::new(), "empty file"),
        ("array", b"[1,2]".to_vec(), "not an anyloss model"),
        (
            "wrong-format",
            edited(&linear, |m| m["format"] = "anyloss-logistic-v9".into()),
            "unknown format `anyloss-logistic-v9`",
        ),
        (
            "no-format",
            edited(&linear, |m| {
                m.as_object_mut().unwrap().remove("format");
            }),
            "no `format`",
        ),
        (
            "short-weights",
            edited(&linear, |m| {
                m["weights"].as_array_mut().unwrap().pop();
            }),
            "weights has 6 values; the model needs 7",
        ),
        (
            "short-mean",
            edited(&linear, |m| {
                m["mean"].as_array_mut().unwrap().pop();
            }),
            "mean has 6 values",
        ),
        (
            "null-weight",
            edited(&linear, |m| m["weights"][2] = Value::Null),
            "weights[2] is not a number",
        ),
        (
            "huge-bias",
            edited(&linear, |m| m["bias"] = 1e39.into()),
            "bias = 1e39 is not a finite f32",
        ),
        (
            "zero-std",
            edited(&linear, |m| m["std"][0] = 0.0.into()),
            "std[0] = 0 must be > 0",
        ),
        (
            "threshold",
            edited(&linear, |m| m["threshold"] = 1.5.into()),
            "threshold 1.5 must be in [0, 1]",
        ),
        (
            "label-feature",
            edited(&linear, |m| m["features"][0] = "label".into()),
            "the label column's name",
        ),
        (
            "twice",
            edited(&linear, |m| m["features"][1] = m["features"][0].clone()),
            "listed twice",
        ),
        (
            "mlp-as-logistic",
            edited(&mlp, |m| m["format"] = "anyloss-logistic-v1".into()),
            "no `weights` field",
        ),
        (
            "wrong-width",
            edited(&mlp, |m| {
                m["layers"][1]["weights"][0].as_array_mut().unwrap().pop();
            }),
            "layers[1].weights[0] has 3 values; the model needs 4",
        ),
        (
            "wrong-activation",
            edited(&mlp, |m| m["layers"][0]["activation"] = "sigmoid".into()),
            "layers[0].activation is `sigmoid`",
        ),
        (
            "one-layer",
            edited(&mlp, |m| {
                m["layers"].as_array_mut().unwrap().remove(0);
            }),
            "has 1 layers",
        ),
        (
            "nan-layer",
            edited(&mlp, |m| m["layers"][0]["bias"][1] = "NaN".into()),
            "layers[0].bias[1] is not a number",
        ),
    ];
    for (name, bytes, expected) in cases {
        let err = model_error(&format!("{name}.json"), &bytes);
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in {err}"
        );
    }
    let err = model_error("random.bin", &[0x13, 0x37, 0, 1, 2, 3, 4, 5]);
    assert!(err.contains("model"), "{err}");
    let err = stderr_of(&[
        "predict",
        "--model",
        "/nonexistent/m.json",
        "--data",
        &bundled("ecoli3.csv"),
    ]);
    assert!(err.contains("cannot read"), "{err}");
}

/// CRC-32 (IEEE, as zlib's), bit by bit: the reference the blob's checksum is checked
/// against.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `blob` with `f` applied and its CRC-32 recomputed, so only `f`'s change is wrong.
fn resealed(blob: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = blob.to_vec();
    f(&mut b);
    let n = b.len() - 4;
    let crc = crc32(&b[..n]).to_le_bytes();
    b[n..].copy_from_slice(&crc);
    b
}

/// The ecoli3 model of `arch` saved in the binary format.
fn binary_model(arch: &str) -> Vec<u8> {
    let path = scratch_dir().join(format!("ecoli3-{}.bin", arch.replace(':', "")));
    if !path.exists() {
        let flags = format!("--loss f1 --model {arch} --epochs 60 --quiet --force");
        train_and_save(&bundled("ecoli3.csv"), &flags, &path);
    }
    std::fs::read(&path).unwrap()
}

#[test]
fn a_binary_model_predicts_the_same_bits_as_its_json_twin() {
    let data = bundled("ecoli3.csv");
    for arch in ["linear", "mlp:4"] {
        let blob = binary_model(arch);
        assert_eq!(&blob[..4], b"AnyL");
        let bin = scratch_dir().join(format!("twin-{}.bin", arch.replace(':', "")));
        std::fs::write(&bin, &blob).unwrap();
        let a = json_of(&[
            "predict",
            "--model",
            bin.to_str().unwrap(),
            "--data",
            &data,
            "--json",
        ]);
        let b = json_of(&[
            "predict",
            "--model",
            model(arch).to_str().unwrap(),
            "--data",
            &data,
            "--json",
        ]);
        assert_eq!(a, b, "{arch}");
    }
}

#[test]
fn every_bad_binary_model_is_one_clear_error() {
    let blob = binary_model("mlp:4");
    let n = blob.len();
    let features = 7usize;
    let params_at = 32 + 8 * features;
    let mut cases: Vec<(String, Vec<u8>, &str)> = vec![
        ("truncated".into(), blob[..n - 9].to_vec(), "truncated"),
        ("header-only".into(), blob[..10].to_vec(), "truncated"),
        (
            "trailing".into(),
            [blob.as_slice(), &[0u8; 3]].concat(),
            "after its end",
        ),
        (
            "magic".into(),
            {
                let mut b = blob.clone();
                b[1] ^= 0x01;
                b
            },
            "not an anyloss model",
        ),
        (
            "version".into(),
            resealed(&blob, |b| b[4] = 2),
            "version 2 is not supported",
        ),
        (
            "nan-param".into(),
            resealed(&blob, |b| {
                b[params_at + 8..params_at + 12].copy_from_slice(&f32::NAN.to_le_bytes())
            }),
            "parameter 2 is not finite",
        ),
        (
            "inf-mean".into(),
            resealed(&blob, |b| {
                b[32..36].copy_from_slice(&f32::INFINITY.to_le_bytes())
            }),
            "mean of feature 0 is not finite",
        ),
        (
            "threshold".into(),
            resealed(&blob, |b| b[28..32].copy_from_slice(&2.0f32.to_le_bytes())),
            "threshold outside [0, 1]",
        ),
        ("kind".into(), resealed(&blob, |b| b[6] = 0), "head kind"),
        (
            "hidden-width".into(),
            resealed(&blob, |b| b[16] = 5),
            "malformed",
        ),
    ];
    // Every single flipped bit past the magic is caught by the CRC.
    for byte in (4..n).step_by(7) {
        let mut b = blob.clone();
        b[byte] ^= 1 << (byte % 8);
        cases.push((format!("flip-{byte}"), b, "corrupted"));
    }
    for (name, bytes, expected) in cases {
        let err = model_error(&format!("{name}.bin"), &bytes);
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in {err}"
        );
    }
    // A valid model of another architecture: the column count names the mismatch.
    let yeast = bundled("yeast3.csv");
    let path = scratch_dir().join("ecoli-on-yeast.bin");
    std::fs::write(&path, &blob).unwrap();
    let err = stderr_of(&[
        "predict",
        "--model",
        path.to_str().unwrap(),
        "--data",
        &yeast,
    ]);
    assert!(
        err.contains("8 feature columns") && err.contains("the model has 7 inputs"),
        "{err}"
    );
    let json = model("mlp:4");
    let err = stderr_of(&[
        "predict",
        "--model",
        json.to_str().unwrap(),
        "--data",
        &yeast,
    ]);
    assert!(
        err.contains("is missing") || err.contains("are missing"),
        "{err}"
    );
}

#[test]
fn a_json_model_whose_inv_std_disagrees_with_std_is_refused() {
    let linear = read_json(&model("linear"));
    let bytes = edited(&linear, |m| m["inv_std"][3] = 123.0.into());
    let err = model_error("inv-std.json", &bytes);
    assert!(err.contains("inv_std[3] = 123 is not 1/std[3]"), "{err}");
}

#[test]
fn the_shipped_models_are_twins_and_carry_the_yeast3_features() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models");
    let data = bundled("yeast3.csv");
    let run = |name: &str| {
        let model = dir.join(name);
        json_of(&[
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--data",
            &data,
            "--json",
        ])
    };
    let (json, bin) = (run("yeast3-f1.json"), run("yeast3-f1.bin"));
    assert_eq!(json, bin);
    assert!(
        json["metrics"]["f1"].as_f64().unwrap() > 0.6,
        "{}",
        json["metrics"]
    );
    let m = read_json(&dir.join("yeast3-f1.json"));
    let (header, _) = read_csv(&data);
    let features: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|&h| h != "label")
        .collect();
    assert_eq!(m["features"], serde_json::json!(features));
}

#[test]
fn a_softmax_head_gives_each_row_its_class_probabilities() {
    use anyloss_core::model::Model;
    use anyloss_core::train::HeadShape;
    // 3 classes over 2 features: class c's logit is w_c . x + b_c.
    let shape = HeadShape::linear(2, 3);
    let params = vec![
        2.0f32, 0.0, 0.0, /* class 1 */ 0.0, 2.0, 0.0, /* class 2 */ -2.0, -2.0, 0.5,
    ];
    let model = Model::new(shape, params.clone(), vec![0.0f32; 2], vec![1.0f32; 2], 0.5).unwrap();
    let mut blob = vec![0u8; model.blob_len()];
    model.to_bytes(&mut blob).unwrap();
    let path = scratch_dir().join("softmax3.bin");
    std::fs::write(&path, &blob).unwrap();
    let rows = [
        [1.0f64, 0.0, 0.0],
        [0.0, 1.0, 1.0],
        [-1.0, -1.0, 2.0],
        [1.0, 0.1, 1.0],
    ];
    let mut body = "a,b,label\n".to_string();
    for r in &rows {
        body += &format!("{},{},{}\n", r[0], r[1], r[2]);
    }
    let data = csv("softmax3.csv", &body);
    let out = json_of(&[
        "predict",
        "--model",
        path.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]);
    let mut correct = 0;
    for (i, r) in rows.iter().enumerate() {
        let z: Vec<f64> = (0..3)
            .map(|c| {
                f64::from(params[3 * c]) * r[0]
                    + f64::from(params[3 * c + 1]) * r[1]
                    + f64::from(params[3 * c + 2])
            })
            .collect();
        let sum: f64 = z.iter().map(|v| v.exp()).sum();
        let p = out["p"][i].as_array().unwrap();
        assert_eq!(p.len(), 3);
        for c in 0..3 {
            assert!(
                (p[c].as_f64().unwrap() - z[c].exp() / sum).abs() < 1e-6,
                "row {i} class {c}"
            );
        }
        let best = (0..3).max_by(|&a, &b| z[a].total_cmp(&z[b])).unwrap();
        assert_eq!(out["label"][i], best, "row {i}");
        correct += usize::from(best == r[2] as usize);
    }
    let accuracy = correct as f64 / rows.len() as f64;
    assert!(
        (out["metrics"]["accuracy"].as_f64().unwrap() - accuracy).abs() < 1e-6,
        "{out}"
    );
    assert!(out["metrics"]["macro_f1"].is_number());
    let err = stderr_of(&[
        "predict",
        "--model",
        path.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--threshold",
        "0.3",
    ]);
    assert!(err.contains("3-class softmax head"), "{err}");
    let bad = csv("softmax3-bad.csv", "a,b,label\n0,0,3\n");
    let err = stderr_of(&[
        "predict",
        "--model",
        path.to_str().unwrap(),
        "--data",
        bad.to_str().unwrap(),
    ]);
    assert!(err.contains("not a class of the model (0..3)"), "{err}");
}
