//! The anyloss firmwares' build-script half:
//! - [`embed_dataset`] embeds the bundled dataset (or `ANYLOSS_FIRMWARE_DATA`) in flash, as
//!   `static` arrays in `$OUT_DIR/dataset.rs`, and [`embed`] any other CSV the same way;
//! - [`link_memory`] hands the board's memory map to the linker as `memory.x`.
//!
//! A firmware's `build.rs` calls these with its `OUT_DIR` ([`out_dir`]) and ends with
//! [`finish`].
//! Every error names the file, and in the data the line and column.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The dataset embedded by default, relative to a firmware crate: 1484 × 8, 11 % positives
/// (about 47 KiB of flash).
pub const DEFAULT_DATASET: &str = "../data/yeast3.csv";

/// The variable that names another CSV to embed instead of [`DEFAULT_DATASET`].
pub const DATASET_VAR: &str = "ANYLOSS_FIRMWARE_DATA";

/// A build script's exit: success, or the message on stderr (cargo shows it) and failure.
pub fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `OUT_DIR` of the running build script.
pub fn out_dir() -> Result<PathBuf, String> {
    env::var("OUT_DIR")
        .map(PathBuf::from)
        .map_err(|e| format!("OUT_DIR: {e}"))
}

/// Copies the linker script `memory` (the board's `MEMORY` block) to `out/memory.x`, where
/// `cortex-m-rt`'s `link.x` includes it, and adds `out` to the linker's search path.
pub fn link_memory(memory: &str, out: &Path) -> Result<(), String> {
    fs::copy(memory, out.join("memory.x")).map_err(|e| format!("copying {memory}: {e}"))?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={memory}");
    Ok(())
}

/// Embeds the dataset, [`DEFAULT_DATASET`] or the file [`DATASET_VAR`] names, in
/// `out/dataset.rs` (see [`Dataset::to_rust`] for what it holds).
pub fn embed_dataset(out: &Path) -> Result<(), String> {
    println!("cargo:rerun-if-env-changed={DATASET_VAR}");
    let path = env::var(DATASET_VAR).unwrap_or_else(|_| DEFAULT_DATASET.into());
    let path = Path::new(&path);
    if !path.exists() {
        // Rerun once it appears.
        println!("cargo:rerun-if-changed={}", path.display());
        return Err(format!(
            "dataset {} not found. The firmware embeds a bundled dataset from examples/data/ \
             (copy /work/shared/data/yeast3.csv or any CSV with numeric features and a 0/1 \
             `label` column there, or point {DATASET_VAR} at one)",
            path.display()
        ));
    }
    embed(path, &out.join("dataset.rs"))
}

/// Parses the CSV at `path` and writes its arrays as Rust source to `to`; the build reruns
/// when the CSV changes.
pub fn embed(path: &Path, to: &Path) -> Result<(), String> {
    println!("cargo:rerun-if-changed={}", path.display());
    let dataset = Dataset::read(path)?;
    fs::write(to, dataset.to_rust(path)).map_err(|e| format!("writing {}: {e}", to.display()))
}

/// A binary dataset as parsed from CSV: one row of features and one label per sample.
#[derive(Debug)]
pub struct Dataset {
    /// Feature column names, in order (every column but `label`).
    pub feature_names: Vec<String>,
    /// Features, one row per sample.
    pub rows: Vec<Vec<f32>>,
    /// Labels, 0 or 1.
    pub labels: Vec<u8>,
}

impl Dataset {
    /// Parses the CSV. Every cell must be a finite number, every label 0 or 1, every row as
    /// long as the header, and both classes must be present; errors name the line and column.
    pub fn read(path: &Path) -> Result<Self, String> {
        let where_ = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            // Rows of another length get the message below, with the line.
            .flexible(true)
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

    /// Rust source of the arrays: `NAME` (the file stem of `path`), `N`, `F`,
    /// `FEATURE_NAMES`, `FEATURES` and `LABELS`. `{:?}` prints the shortest decimal that
    /// parses back to the same f32, so the device sees exactly the values the host parses.
    /// Items a firmware build may leave unused (a build without fine-tuning reads only the
    /// labels) allow `dead_code`.
    pub fn to_rust(&self, path: &Path) -> String {
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
        let _ = writeln!(s, "#[allow(dead_code)]");
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

#[cfg(test)]
mod tests;
