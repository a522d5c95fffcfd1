//! Build script of the firmware (the shared steps are `anyloss-firmware-embed`'s, in
//! `../firmware-common/embed`):
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

use std::path::PathBuf;
use std::process::ExitCode;

use anyloss_firmware_embed as embed;

/// The field scenario's data: the device's half of yeast3, drifted (see `field/drift.py`).
const FIELD_PARTS: [&str; 2] = ["stream", "test"];

/// The formula-defined metric the firmware fine-tunes with: G-mean, written out.
const FORMULA_FILE: &str = "gmean.formula";

fn main() -> ExitCode {
    embed::finish(run())
}

fn run() -> Result<(), String> {
    let out = embed::out_dir()?;
    embed::link_memory("memory.x", &out)?;

    anyloss_dsl::build::FormulaType::from_file("GMeanFormula", FORMULA_FILE)
        .and_then(|metric| metric.write_to_out_dir("gmean_formula.rs"))
        .map_err(|e| format!("compiling {FORMULA_FILE}: {e}"))?;

    embed::embed_dataset(&out)?;
    for part in FIELD_PARTS {
        let path = PathBuf::from(format!("field/{part}.csv"));
        embed::embed(&path, &out.join(format!("field_{part}.rs")))?;
    }
    Ok(())
}
