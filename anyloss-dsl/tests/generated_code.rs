//! The generated Rust: golden files for F1, MCC and G-mean (fail on drift), rustfmt-clean,
//! free of panicking constructs, and compiled for `thumbv7em-none-eabihf` in a `no_std`
//! crate.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test -p anyloss-dsl --test generated_code`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyloss_dsl::emit_rust;

/// `(type name, formula)` of each golden file `tests/snapshots/<name>.rs`.
const GOLDEN: [(&str, &str); 3] = [
    ("F1", "2*TP/(2*TP+FP+FN)"),
    (
        "Mcc",
        "(TP*TN - FP*FN)/sqrt((TP+FP)*(TP+FN)*(TN+FP)*(TN+FN))",
    ),
    ("GMean", "sqrt(TP/(TP+FN) * TN/(TN+FP))"),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snapshot_path(name: &str) -> PathBuf {
    manifest_dir()
        .join("tests/snapshots")
        .join(format!("{name}.rs"))
}

#[test]
fn generated_code_matches_golden_files() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for (name, formula) in GOLDEN {
        let code = emit_rust(formula, name, &[]).unwrap();
        let path = snapshot_path(name);
        if update {
            std::fs::write(&path, &code).unwrap();
            continue;
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            code,
            want,
            "generated {name} drifted from {}; if intended, regenerate with UPDATE_SNAPSHOTS=1",
            path.display()
        );
    }
}

#[test]
fn generated_code_is_rustfmt_clean() {
    for (name, formula) in GOLDEN.iter().copied().chain([
        (
            "Mixed",
            "min(TP, FN)/max(FP, TN) + abs(TP - FN)/N + exp(-FP/N) + ln(1 + TP)",
        ),
        ("Powers", "(TP/POS)^gamma * TN^0.3 / (1 + FP^TN)"),
    ]) {
        let params: &[(&str, f64)] = if name == "Powers" {
            &[("gamma", 1.5)]
        } else {
            &[]
        };
        let code = emit_rust(formula, name, params).unwrap();
        let mut child = Command::new("rustfmt")
            .args(["--edition", "2021", "--check"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("rustfmt is installed");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(code.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{name} is not rustfmt-clean:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn generated_code_has_no_panicking_constructs() {
    for (name, formula) in GOLDEN {
        let code = emit_rust(formula, name, &[]).unwrap();
        let body: String = code
            .split_once("impl anyloss_core::Metric")
            .unwrap()
            .1
            .lines()
            .filter(|l| !l.trim_start().starts_with("#[") && !l.trim_start().starts_with("//"))
            .collect();
        for banned in [
            "[", "unwrap", "expect", "panic", "assert", "as usize", "alloc", "Vec", "Box",
        ] {
            assert!(!body.contains(banned), "{name} contains `{banned}`");
        }
    }
}

/// Type names that collide with the prelude, derives or the core's own items.
const TRICKY_NAMES: [&str; 24] = [
    "Option",
    "Some",
    "None",
    "Self",
    "Result",
    "Ok",
    "Err",
    "Box",
    "Vec",
    "String",
    "Default",
    "Debug",
    "Clone",
    "Copy",
    "PartialEq",
    "Eq",
    "Send",
    "Sized",
    "Drop",
    "Iterator",
    "Metric",
    "Confusion",
    "Evaluation",
    "Partials",
];

fn workspace_dir() -> PathBuf {
    manifest_dir().parent().unwrap().to_path_buf()
}

/// Builds and lints (clippy, warnings denied) the golden types in a `#![no_std]` library for
/// `thumbv7em-none-eabihf`, depending on `anyloss-core` only.
#[test]
fn generated_code_builds_for_thumbv7em_in_a_no_std_crate() {
    let ws = workspace_dir();
    let target_dir = ws.join("target/dsl-thumb-check");
    let krate = target_dir.join("crate");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let core = ws.join("anyloss-core");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"dsl-thumb-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nanyloss-core = {{ path = {:?}, default-features = false, features = [\"libm\"] }}\n\n\
             [workspace]\n",
            core.display().to_string()
        ),
    )
    .unwrap();
    // The workspace lock pins the same dependency versions, so no resolution is needed.
    std::fs::copy(ws.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let mut lib = String::from(
        "//! Generated metrics, built for a microcontroller.\n#![no_std]\n#![forbid(unsafe_code)]\n#![deny(warnings, missing_docs)]\n\n",
    );
    for (name, formula) in GOLDEN {
        let file = format!("{}.rs", name.to_lowercase());
        std::fs::write(
            krate.join("src").join(&file),
            emit_rust(formula, name, &[]).unwrap(),
        )
        .unwrap();
        lib.push_str(&format!("include!({file:?});\n"));
    }
    // Every name the emitter accepts must compile, however it collides with the prelude or
    // the core's own names; and a formula with a bare carriage return keeps a valid doc
    // comment.
    for name in TRICKY_NAMES {
        match emit_rust("TP/(TP+FN)\r+ 0*FP # recall\r\n", name, &[]) {
            Ok(code) => {
                let file = format!("named_{}.rs", name.to_lowercase());
                std::fs::write(krate.join("src").join(&file), code).unwrap();
                lib.push_str(&format!(
                    "/// The name `{name}`.\npub mod named_{} {{\n    include!({file:?});\n}}\n",
                    name.to_lowercase()
                ));
            }
            Err(d) => assert_eq!(
                d.kind(),
                anyloss_dsl::DiagnosticKind::InvalidName,
                "{name}: {d}"
            ),
        }
    }
    std::fs::write(krate.join("src/lib.rs"), lib).unwrap();
    for sub in [
        &["build", "--release"][..],
        &["clippy", "--release", "--", "-D", "warnings"][..],
    ] {
        let out = Command::new(env!("CARGO"))
            .args(&sub[..1])
            .args(["--target", "thumbv7em-none-eabihf", "--manifest-path"])
            .arg(krate.join("Cargo.toml"))
            .args(&sub[1..])
            .env("CARGO_TARGET_DIR", target_dir.join("target"))
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo {} for thumbv7em failed:\n{}",
            sub[0],
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(Path::new(
        &target_dir.join("target/thumbv7em-none-eabihf/release/libdsl_thumb_check.rlib")
    )
    .exists());
}
