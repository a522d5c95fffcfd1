//! Build script of the FPU-less firmware:
//! - hands the board's memory map to the linker as `memory.x` (`memory-mps2-an385.x` for
//!   thumbv7m, `memory-microbit.x` for thumbv6m);
//! - embeds a bundled dataset in flash, as `static` arrays in `$OUT_DIR/dataset.rs` (the
//!   format `../firmware/src/dataset.rs` includes).
//!
//! The dataset is `../data/yeast3.csv`; `ANYLOSS_FIRMWARE_DATA=/path/to/file.csv` embeds
//! another file with numeric feature columns and a `label` column of 0/1.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The dataset embedded by default: 1484 × 8, 11 % positives (about 47 KiB of flash).
const DEFAULT_DATASET: &str = "../data/yeast3.csv";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    let target = env::var("TARGET").map_err(|e| format!("TARGET: {e}"))?;
    let (memory, board) = match target.as_str() {
        "thumbv7m-none-eabi" => ("memory-mps2-an385.x", "Cortex-M3 (mps2-an385)"),
        "thumbv6m-none-eabi" => ("memory-microbit.x", "Cortex-M0 (microbit)"),
        other => {
            return Err(format!(
                "no board for target {other}: build for thumbv7m-none-eabi (mps2-an385) or \
                 thumbv6m-none-eabi (microbit)"
            ))
        }
    };
    fs::copy(memory, out.join("memory.x")).map_err(|e| format!("copying {memory}: {e}"))?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={memory}");
    println!("cargo:rustc-env=ANYLOSS_FIRMWARE_BOARD={board}");

    println!("cargo:rerun-if-env-changed=ANYLOSS_FIRMWARE_DATA");
    let path = env::var("ANYLOSS_FIRMWARE_DATA").unwrap_or_else(|_| DEFAULT_DATASET.into());
    let path = Path::new(&path);
    println!("cargo:rerun-if-changed={}", path.display());
    let (header, rows, labels) = read_csv(path)?;
    fs::write(
        out.join("dataset.rs"),
        to_rust(path, &header, &rows, &labels),
    )
    .map_err(|e| format!("writing dataset.rs: {e}"))
}

/// Feature names, feature rows and 0/1 labels of the CSV. Every cell must be a finite
/// number, every label 0 or 1, every row as long as the header, and both classes present;
/// errors name the line and column.
#[allow(clippy::type_complexity)]
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f32>>, Vec<u8>), String> {
    let at = path.display();
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        format!("{at}: {e} (copy a CSV with numeric features and a 0/1 `label` column there, or point ANYLOSS_FIRMWARE_DATA at one)")
    })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{at}: header: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let label_column = match header.iter().filter(|h| *h == "label").count() {
        1 => header.iter().position(|h| h == "label").unwrap_or(0),
        0 => return Err(format!("{at}: line 1: no `label` column")),
        _ => return Err(format!("{at}: line 1: more than one `label` column")),
    };
    if header.len() < 2 {
        return Err(format!("{at}: line 1: no feature columns"));
    }
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.map_err(|e| format!("{at}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(format!(
                "{at}: line {line}: {} cells, the header has {}",
                record.len(),
                header.len()
            ));
        }
        let mut row = Vec::with_capacity(header.len() - 1);
        for (column, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            let value: f32 = cell
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{at}: line {line}, column {} ({}): `{cell}` is not a finite number",
                        column + 1,
                        header[column]
                    )
                })?;
            if column != label_column {
                row.push(value);
            } else if value == 0.0 || value == 1.0 {
                labels.push(value as u8);
            } else {
                return Err(format!(
                    "{at}: line {line}, column {}: label `{cell}` is not 0 or 1",
                    column + 1
                ));
            }
        }
        rows.push(row);
    }
    if !labels.contains(&0) || !labels.contains(&1) {
        return Err(format!(
            "{at}: no rows, or only one class in the `label` column"
        ));
    }
    let names = header
        .into_iter()
        .enumerate()
        .filter(|&(i, _)| i != label_column)
        .map(|(_, h)| h)
        .collect();
    Ok((names, rows, labels))
}

/// Rust source of the arrays. `{:?}` prints the shortest decimal that parses back to the
/// same f32, so the device sees exactly the values the host parses.
fn to_rust(path: &Path, names: &[String], rows: &[Vec<f32>], labels: &[u8]) -> String {
    let stem = path
        .file_stem()
        .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
    let mut s = String::new();
    let _ = writeln!(s, "/// Name of the embedded dataset (its file stem).");
    let _ = writeln!(s, "pub const NAME: &str = {stem:?};");
    let _ = writeln!(
        s,
        "/// Number of samples.\npub const N: usize = {};",
        rows.len()
    );
    let _ = writeln!(
        s,
        "/// Number of features.\npub const F: usize = {};",
        names.len()
    );
    let _ = writeln!(
        s,
        "/// Feature column names, in order.\n#[allow(dead_code)]"
    );
    let _ = writeln!(s, "pub const FEATURE_NAMES: [&str; F] = {names:?};");
    let _ = writeln!(
        s,
        "/// Features, one row per sample, as parsed (not standardized)."
    );
    let _ = writeln!(
        s,
        "#[allow(dead_code)]\npub static FEATURES: [[f32; F]; N] = ["
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        let _ = writeln!(s, "    [{}],", cells.join(", "));
    }
    let _ = writeln!(s, "];\n/// Labels, 1 = the minority class.");
    let _ = writeln!(s, "pub static LABELS: [u8; N] = {labels:?};");
    s
}
