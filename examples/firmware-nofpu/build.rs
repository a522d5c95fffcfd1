//! Build script of the FPU-less firmware (the shared steps are `anyloss-firmware-embed`'s,
//! in `../firmware-common/embed`):
//! - hands the board's memory map to the linker as `memory.x` (`memory-mps2-an385.x` for
//!   thumbv7m, `memory-microbit.x` for thumbv6m) and names the board in
//!   `ANYLOSS_FIRMWARE_BOARD`;
//! - embeds a bundled dataset in flash, as `static` arrays in `$OUT_DIR/dataset.rs`.
//!
//! The dataset is `../data/yeast3.csv`; `ANYLOSS_FIRMWARE_DATA=/path/to/file.csv` embeds
//! another file with numeric feature columns and a `label` column of 0/1.

use std::env;
use std::process::ExitCode;

use anyloss_firmware_embed as embed;

fn main() -> ExitCode {
    embed::finish(run())
}

fn run() -> Result<(), String> {
    let out = embed::out_dir()?;
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
    embed::link_memory(memory, &out)?;
    println!("cargo:rustc-env=ANYLOSS_FIRMWARE_BOARD={board}");
    embed::embed_dataset(&out)
}
