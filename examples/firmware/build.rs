//! Build script of the firmware:
//! - embeds a bundled dataset in flash, as `static` arrays in `$OUT_DIR/dataset.rs`;
//! - embeds the field scenario's drifted stream and held-out part ([`FIELD_PARTS`], made by
//!   `field/drift.py`) the same way, in `$OUT_DIR/field_<part>.rs`;
//! - compiles the metric formula in [`FORMULA_FILE`] into a `no_std` metric type with
//!   anyloss-dsl (`$OUT_DIR/gmean_formula.rs`);
//! - hands `memory.x` to the linker through `$OUT_DIR`.
//!
//! The dataset is `../data/yeast3.csv` (copied there from the project's bundled data).
//! `ANYLOSS_FIRMWARE_DATA=/path/to/file.csv` embeds another file with the same shape:
//! numeric feature columns and a `label` column of 0/1.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The dataset embedded by default: 1484 × 8, 11 % positives (about 47 KiB of flash).
const DEFAULT_DATASET: &str = "../data/yeast3.csv";

/// The field scenario's data: the device's half of yeast3, drifted (see `field/drift.py`).
const FIELD_PARTS: [&str; 2] = ["stream", "test"];

/// The formula-defined metric the firmware fine-tunes with: G-mean, written out.
const FORMULA_FILE: &str = "gmean.formula";

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

    fs::copy("memory.x", out.join("memory.x")).map_err(|e| format!("copying memory.x: {e}"))?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");

    anyloss_dsl::build::FormulaType::from_file("GMeanFormula", FORMULA_FILE)
        .and_then(|metric| metric.write_to_out_dir("gmean_formula.rs"))
        .map_err(|e| format!("compiling {FORMULA_FILE}: {e}"))?;

    println!("cargo:rerun-if-env-changed=ANYLOSS_FIRMWARE_DATA");
    let path = env::var("ANYLOSS_FIRMWARE_DATA").unwrap_or_else(|_| DEFAULT_DATASET.into());
    let path = Path::new(&path);
    println!("cargo:rerun-if-changed={}", path.display());
    if !path.exists() {
        return Err(format!(
            "dataset {} not found. The firmware embeds a bundled dataset from examples/data/ \
             (copy /work/shared/data/yeast3.csv or any CSV with numeric features and a 0/1 \
             `label` column there, or point ANYLOSS_FIRMWARE_DATA at one)",
            path.display()
        ));
    }
    embed(path, &out.join("dataset.rs"))?;

    for part in FIELD_PARTS {
        let path = PathBuf::from(format!("field/{part}.csv"));
        println!("cargo:rerun-if-changed={}", path.display());
        embed(&path, &out.join(format!("field_{part}.rs")))?;
    }
    Ok(())
}

/// Parses the CSV at `path` and writes its arrays as Rust source to `to`.
fn embed(path: &Path, to: &Path) -> Result<(), String> {
    let dataset = Dataset::read(path)?;
    fs::write(to, dataset.to_rust(path)).map_err(|e| format!("writing {}: {e}", to.display()))
}

/// A binary dataset as parsed from CSV: one row of features and one label per sample.
struct Dataset {
    feature_names: Vec<String>,
    rows: Vec<Vec<f32>>,
    labels: Vec<u8>,
}

impl Dataset {
    /// Parses the CSV. Every cell must be a finite number, every label 0 or 1, every row as
    /// long as the header, and both classes must be present; errors name the line and column.
    fn read(path: &Path) -> Result<Self, String> {
        let where_ = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(|e| format!("{where_}: {e}"))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("{where_}: header: {e}"))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let label_columns: Vec<usize> = (0..header.len())
            .filter(|&i| header[i] == "label")
            .collect();
        let label_column = match label_columns.as_slice() {
            [one] => *one,
            [] => return Err(format!("{where_}: line 1: no `label` column")),
            _ => return Err(format!("{where_}: line 1: more than one `label` column")),
        };
        let feature_names: Vec<String> = header
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != label_column)
            .map(|(_, h)| h.clone())
            .collect();
        if feature_names.is_empty() {
            return Err(format!("{where_}: line 1: no feature columns"));
        }

        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("{where_}: {e}"))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != header.len() {
                return Err(format!(
                    "{where_}: line {line}: {} cells, the header has {}",
                    record.len(),
                    header.len()
                ));
            }
            let mut row = Vec::with_capacity(feature_names.len());
            for (column, cell) in record.iter().enumerate() {
                let cell = cell.trim();
                let value: f32 = cell.parse().map_err(|_| {
                    format!(
                        "{where_}: line {line}, column {} ({}): `{cell}` is not a number",
                        column + 1,
                        header[column]
                    )
                })?;
                if !value.is_finite() {
                    return Err(format!(
                        "{where_}: line {line}, column {} ({}): `{cell}` is not finite",
                        column + 1,
                        header[column]
                    ));
                }
                if column == label_column {
                    labels.push(match value {
                        0.0 => 0,
                        1.0 => 1,
                        _ => {
                            return Err(format!(
                                "{where_}: line {line}, column {}: label `{cell}` is not 0 or 1",
                                column + 1
                            ))
                        }
                    });
                } else {
                    row.push(value);
                }
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(format!("{where_}: no data rows"));
        }
        if !labels.contains(&0) || !labels.contains(&1) {
            return Err(format!("{where_}: only one class in the `label` column"));
        }
        Ok(Self {
            feature_names,
            rows,
            labels,
        })
    }

    /// Rust source of the arrays. `{:?}` prints the shortest decimal that parses back to the
    /// same f32, so the device sees exactly the values the host parses.
    fn to_rust(&self, path: &Path) -> String {
        let mut s = String::new();
        let name = path
            .file_stem()
            .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
        let _ = writeln!(s, "/// Name of the embedded dataset (its file stem).");
        let _ = writeln!(s, "pub const NAME: &str = {name:?};");
        let _ = writeln!(s, "/// Number of samples.");
        let _ = writeln!(s, "pub const N: usize = {};", self.rows.len());
        let _ = writeln!(s, "/// Number of features.");
        let _ = writeln!(s, "pub const F: usize = {};", self.feature_names.len());
        let _ = writeln!(s, "/// Feature column names, in order.");
        let _ = writeln!(s, "#[allow(dead_code)]");
        let _ = writeln!(
            s,
            "pub const FEATURE_NAMES: [&str; F] = {:?};",
            self.feature_names
        );
        let _ = writeln!(
            s,
            "/// Features, one row per sample, as parsed (not standardized)."
        );
        let _ = writeln!(s, "pub static FEATURES: [[f32; F]; N] = [");
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
            let _ = writeln!(s, "    [{}],", cells.join(", "));
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(s, "/// Labels, 1 = the minority class.");
        let _ = writeln!(s, "pub static LABELS: [u8; N] = {:?};", self.labels);
        s
    }
}
