//! Every example in every `--help` runs as written, from a directory that holds the
//! repository's `examples/`; an example that writes files runs twice in a row. The examples
//! train and benchmark at full size, so this runs as its own CI step:
//! `cargo test -p anyloss-cli --test help_examples -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;
use common::scratch_dir;

use std::path::Path;
use std::process::Command;

const SUBCOMMANDS: [&str; 7] = [
    "eval", "train", "predict", "finetune", "compile", "check", "bench",
];

/// The example commands of `anyloss SUB --help`: lines starting with `anyloss `, joined
/// with their `\` continuations.
fn examples(sub: &str) -> Vec<String> {
    let help = common::stdout_of(&[sub, "--help"]);
    let mut out: Vec<String> = Vec::new();
    let mut continued = false;
    for line in help.lines() {
        let text = line.trim();
        if continued {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(text.trim_end_matches('\\').trim());
            }
        } else if text.starts_with("anyloss ") {
            out.push(text.trim_end_matches('\\').trim().to_string());
        } else {
            continue;
        }
        continued = text.ends_with('\\');
    }
    out
}

#[test]
#[ignore = "runs full-size training and benchmarks; CI runs it as its own step"]
fn every_help_example_runs() {
    let dir = scratch_dir().join("help-examples");
    std::fs::create_dir_all(&dir).unwrap();
    let examples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let link = dir.join("examples");
    if !link.exists() {
        std::os::unix::fs::symlink(&examples_dir, &link).unwrap();
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_anyloss")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut count = 0;
    for sub in SUBCOMMANDS {
        let found = examples(sub);
        assert!(!found.is_empty(), "`anyloss {sub} --help` has no example");
        for example in found {
            let writes =
                example.contains('>') || example.contains("--save") || example.contains("--plot");
            for run in 0..if writes { 2 } else { 1 } {
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(&example)
                    .current_dir(&dir)
                    .env("PATH", &path)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "run {} of `{example}` failed: {}",
                    run + 1,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            count += 1;
        }
    }
    assert!(count >= 10, "only {count} examples found");
}
