//! What the CLI's integration tests share: run the built `anyloss`, write scratch files, and
//! read the one-line error of a failing run.
// Each test binary uses a subset.
#![allow(dead_code)]

pub mod forward;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `anyloss` binary of this build with `args`.
pub fn anyloss(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anyloss"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The path of the bundled dataset `examples/data/<name>`.
pub fn bundled(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// A scratch directory of this test binary and process.
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "anyloss-{}-test-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `body` to the scratch file `name` and returns its path.
pub fn csv(name: &str, body: &str) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// The stdout of a run that must succeed.
pub fn stdout_of(args: &[&str]) -> String {
    let out = anyloss(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON printed by a run that must succeed.
pub fn json_of(args: &[&str]) -> serde_json::Value {
    let text = stdout_of(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}

/// `words` split at white space, then `rest`: a run's arguments written as one line, with
/// the ones that may hold spaces (paths) apart.
pub fn argv<'a>(words: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    words
        .split_whitespace()
        .chain(rest.iter().copied())
        .collect()
}

/// Runs `anyloss train --data <data> <flags> --json --save <path>` (`flags` split at white
/// space), which must succeed, and returns its JSON report.
pub fn train_and_save(data: &str, flags: &str, path: &Path) -> serde_json::Value {
    let mut args = vec!["train", "--data", data];
    args.extend(argv(flags, &["--json", "--save", path.to_str().unwrap()]));
    json_of(&args)
}

/// The JSON file at `path`.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The golden float64 autograd vectors `tests/golden/<name>` of the repository.
pub fn golden(name: &str) -> serde_json::Value {
    read_json(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/golden")
            .join(name),
    )
}

/// A JSON array of numbers.
pub fn f64s(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The stderr of a run that must fail as the CLI promises: exit status 2, nothing on
/// stdout, no panic.
pub fn failure_of(args: &[&str]) -> String {
    let out = anyloss(args);
    assert_eq!(out.status.code(), Some(2), "expected failure for {args:?}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The stderr of a failing run (see [`failure_of`]) that is exactly one line.
pub fn stderr_of(args: &[&str]) -> String {
    let err = failure_of(args);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// Runs `base` followed by each case's extra arguments; each must fail with one line
/// containing the case's expected text.
pub fn assert_errors(base: &[&str], cases: &[(&[&str], &str)]) {
    for (extra, expected) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let err = stderr_of(&args);
        assert!(
            err.contains(expected),
            "{args:?}: expected `{expected}` in: {err}"
        );
    }
}
