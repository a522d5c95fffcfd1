//! The CLI never answers wrong silently and stays bounded on any input: endless lines,
//! standard input, inputs longer than one chunk, huge cells, misleading hints, and the
//! progress and warnings a user must see.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::{anyloss, argv, bundled, csv, failure_of, json_of, scratch_dir, stderr_of, stdout_of};

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{Averaged, Layout, MulticlassLoss};
use anyloss_core::{Average, BinaryLoss, Input};

/// Runs `anyloss args` with `stdin` as standard input.
fn with_stdin(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyloss"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn an_endless_line_stops_at_the_cap_naming_the_line() {
    for args in [
        &["eval", "--metric", "f1", "--input", "/dev/zero"][..],
        &["train", "--loss", "f1", "--data", "/dev/zero"][..],
    ] {
        let err = stderr_of(args);
        assert!(
            err.contains("/dev/zero:1: line longer than 1048576 bytes (1 MiB)"),
            "{err}"
        );
    }
    let long = format!("label,prob\n1,0.5\n0,{}\n", "1".repeat(2 << 20));
    let p = csv("longline.csv", &long);
    let err = stderr_of(&["eval", "--metric", "f1", "--input", p.to_str().unwrap()]);
    assert!(err.contains("longline.csv:3: line longer than"), "{err}");
}

#[test]
fn standard_input_reads_like_a_file() {
    let body =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/eval/binary.csv"))
            .unwrap();
    let from_file = stdout_of(&[
        "eval",
        "--metric",
        "gmean",
        "--input",
        "../examples/eval/binary.csv",
    ]);
    let out = with_stdin(&["eval", "--metric", "gmean", "--input", "-"], &body);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), from_file);
    let data = std::fs::read(bundled("ecoli3.csv")).unwrap();
    let args = ["--loss", "f1", "--epochs", "20", "--json", "--quiet"];
    let from_file = stdout_of(&[&["train", "--data", &bundled("ecoli3.csv")][..], &args].concat());
    let out = with_stdin(&[&["train", "--data", "-"][..], &args].concat(), &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), from_file);
    let out = with_stdin(
        &["eval", "--metric", "f1", "--input", "-"],
        b"label,prob\n1,2\n",
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("<stdin>:2:2: probability `2` is outside [0, 1]"),
        "{err}"
    );
}

/// Deterministic values in (0, 1).
fn uniform(i: usize, salt: u64) -> f32 {
    let x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    let x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((x >> 40) as f32 + 0.5) / (1u64 << 24) as f32
}

#[test]
fn many_chunks_give_the_in_memory_answer() {
    let n = 70_001; // more than two chunks of eval's two passes
    let labels: Vec<u8> = (0..n).map(|i| u8::from(uniform(i, 1) < 0.3)).collect();
    let probs: Vec<f32> = (0..n).map(|i| uniform(i, 2)).collect();
    let mut body = String::from("label,prob\n");
    for (y, p) in labels.iter().zip(&probs) {
        body.push_str(&format!("{y},{p}\n"));
    }
    let path = csv("chunks.csv", &body);
    let got = json_of(&["eval", "--metric", "f1", "--input", path.to_str().unwrap()]);
    let mut grad = vec![0.0f32; n];
    let want = BinaryLoss::new(F1)
        .loss_and_grad(&labels, Input::Probs(&probs), &mut grad)
        .unwrap();
    let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs().max(1e-30);
    assert!(close(
        got["loss"].as_f64().unwrap(),
        f64::from(want.loss),
        1e-5
    ));
    assert!(close(
        got["tp"].as_f64().unwrap(),
        f64::from(want.confusion.tp),
        1e-5
    ));
    let g = got["grad"].as_array().unwrap();
    assert_eq!(g.len(), n);
    for (i, (a, b)) in g.iter().zip(&grad).enumerate() {
        assert!(close(a.as_f64().unwrap(), f64::from(*b), 1e-4), "grad[{i}]");
    }

    // Multi-class, three classes of softmax-like rows.
    let ys: Vec<u16> = (0..n).map(|i| (uniform(i, 3) * 3.0) as u16 % 3).collect();
    let mut ps = Vec::with_capacity(3 * n);
    let mut body = String::from("label,p0,p1,p2\n");
    for (i, y) in ys.iter().enumerate() {
        let raw = [uniform(i, 4), uniform(i, 5), uniform(i, 6)];
        let s: f32 = raw.iter().sum();
        let row = raw.map(|r| r / s);
        ps.extend_from_slice(&row);
        body.push_str(&format!("{y},{},{},{}\n", row[0], row[1], row[2]));
    }
    let path = csv("chunks3.csv", &body);
    let got = json_of(&argv(
        "eval --metric f1 --classes 3 --input",
        &[path.to_str().unwrap()],
    ));
    let mut grad = vec![0.0f32; 3 * n];
    let loss = MulticlassLoss::new(Averaged::new(F1, Average::Macro));
    let want = loss
        .loss_and_grad(
            &Layout::<3>::sample_major(n).unwrap(),
            &ys,
            Input::Probs(&ps),
            &mut grad,
        )
        .unwrap();
    assert!(close(
        got["loss"].as_f64().unwrap(),
        f64::from(want.loss),
        1e-5
    ));
    let rows = got["grad"].as_array().unwrap();
    assert_eq!(rows.len(), n);
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.as_array().unwrap().iter().enumerate() {
            assert!(
                close(v.as_f64().unwrap(), f64::from(grad[3 * i + c]), 1e-4),
                "grad[{i}][{c}]"
            );
        }
    }
}

#[test]
fn echoed_input_is_cut_short() {
    let cell = "x".repeat(500_000);
    let p = csv("bigcell.csv", &format!("label,prob\n1,{cell}\n"));
    let err = stderr_of(&["eval", "--metric", "f1", "--input", p.to_str().unwrap()]);
    assert!(
        err.len() < 300 && err.contains("(500000 bytes)"),
        "{}",
        &err[..300.min(err.len())]
    );
    let p = csv("bighead.csv", &format!("label,{cell}\n1,0.5\n"));
    let err = stderr_of(&["eval", "--metric", "f1", "--input", p.to_str().unwrap()]);
    assert!(err.len() < 300, "{}", &err[..300]);
    let err = stderr_of(&["train", "--loss", "f1", "--data", p.to_str().unwrap()]);
    assert!(err.len() < 400, "{}", &err[..400]);
}

#[test]
fn suggestions_ignore_case_and_never_repeat_the_failure() {
    let data = bundled("ecoli3.csv");
    let err = stderr_of(&["train", "--data", &data, "--loss", "BCE"]);
    assert!(err.contains("did you mean `bce`?"), "{err}");
    let err = stderr_of(&[
        "eval",
        "--metric",
        "F1",
        "--input",
        "../examples/eval/binary.csv",
    ]);
    assert!(err.contains("did you mean `f1`?"), "{err}");
    let tiny = csv("tiny.csv", "a,label\n1,0\n2,0\n3,1\n");
    let err = stderr_of(&[
        "train",
        "--data",
        tiny.to_str().unwrap(),
        "--loss",
        "f1",
        "--folds",
        "2",
    ]);
    assert!(!err.contains("use --folds 2"), "{err}");
    assert!(
        err.contains("at least 2 rows of each class") && !err.contains("use --folds"),
        "{err}"
    );
    let few = csv(
        "few3.csv",
        "a,label\n1,0\n2,0\n3,0\n4,0\n5,0\n6,1\n7,1\n8,1\n",
    );
    let err = stderr_of(&["train", "--data", few.to_str().unwrap(), "--loss", "f1"]);
    assert!(err.contains("use --folds 3"), "{err}");
}

#[test]
fn eval_and_train_point_unbound_parameters_at_param() {
    let train = bundled("ecoli3.csv");
    for args in [
        &["eval", "--input", "../examples/eval/binary.csv", "--metric"][..],
        &["train", "--data", &train, "--loss"][..],
    ] {
        let mut full = args.to_vec();
        full.push("TP/(TP+gamma*FN)");
        let err = failure_of(&full);
        assert!(
            err.contains("`gamma` is not bound") && err.contains("--param gamma=1"),
            "{err}"
        );
        assert!(
            err.contains("1 | TP/(TP+gamma*FN)\n  |        ^^^^^"),
            "{err}"
        );
    }
}

#[test]
fn compile_refuses_names_the_generated_code_uses() {
    for name in ["Option", "Some", "None", "Self"] {
        let err = failure_of(&["compile", "TP/POS", "--name", name]);
        assert!(
            err.contains("cannot name the generated type"),
            "{name}: {err}"
        );
    }
    let code = stdout_of(&["compile", "TP/POS\r+ 0*FN", "--name", "Result"]);
    assert!(
        code.contains("pub struct Result;") && !code.contains('\r'),
        "{code}"
    );
}

#[test]
fn probability_rows_off_one_are_counted_on_stderr() {
    let p = csv(
        "offsum.csv",
        "label,p0,p1,p2\n0,0.6,0.3,0.1\n1,0.5,0.5,0.5\n2,0.2,0.2,0.2\n",
    );
    let out = anyloss(&argv(
        "eval --metric f1 --classes 3 --input",
        &[p.to_str().unwrap()],
    ));
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning")
            && err.contains("2 of 3 rows have probabilities that do not sum to 1"),
        "{err}"
    );
    let p = csv(
        "onsum.csv",
        "label,p0,p1,p2\n0,0.6,0.3,0.1\n1,0.2,0.5,0.3\n",
    );
    let out = anyloss(&argv(
        "eval --metric f1 --classes 3 --input",
        &[p.to_str().unwrap()],
    ));
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn train_prints_its_header_first_and_progress_unless_quiet() {
    let data = bundled("ecoli3.csv");
    let base = ["train", "--data", &data, "--loss", "f1", "--epochs", "20"];
    let table = anyloss(&base);
    let stdout = String::from_utf8(table.stdout).unwrap();
    assert!(stdout.starts_with("anyloss train: "), "{stdout}");
    let stderr = String::from_utf8(table.stderr).unwrap();
    assert!(
        stderr.contains("anyloss train: f1: 5 rounds done"),
        "{stderr}"
    );
    let json = anyloss(&[&base[..], &["--json"]].concat());
    let stderr = String::from_utf8(json.stderr).unwrap();
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("anyloss train: ") && first.contains("5-fold"),
        "{stderr}"
    );
    assert!(stderr.contains("rounds done"), "{stderr}");
    serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap();
    let quiet = anyloss(&[&base[..], &["--json", "--quiet"]].concat());
    assert!(quiet.status.success() && quiet.stderr.is_empty());
}

#[test]
fn plot_curves_are_thinned() {
    let data = bundled("ecoli3.csv");
    let svg = scratch_dir().join("thin.svg");
    let out = anyloss(&[
        "train",
        "--data",
        &data,
        "--loss",
        "f1",
        "--epochs",
        "1500",
        "--test-fraction",
        "0.3",
        "--quiet",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let mut lines = 0;
    for polyline in text.split("<polyline").skip(1) {
        let points = polyline
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let count = points.split_whitespace().count();
        if count > 2 {
            lines += 1;
            assert!(count <= 500, "{count} points");
        }
    }
    assert!(lines >= 2, "both curves drawn");
}
