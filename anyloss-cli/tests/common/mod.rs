//! What the CLI's integration tests share: run the built `anyloss`, write scratch files, and
//! read the one-line error of a failing run.
// Each test binary uses a subset.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `anyloss` binary of this build with `args`.
pub fn anyloss(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anyloss"))
        .args(args)
        .output()
        .expect("the binary runs")
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

/// The stderr of a run that must fail as the CLI promises: exit status 2, nothing on
/// stdout, no panic, exactly one line.
pub fn stderr_of(args: &[&str]) -> String {
    let out = anyloss(args);
    assert_eq!(out.status.code(), Some(2), "expected failure for {args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}
