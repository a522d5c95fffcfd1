//! Library half of the `anyloss` command-line tool: one module per subcommand, plus the
//! strict CSV reader and the error type they share. The binary (`src/main.rs`) only parses
//! arguments and dispatches.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod check;
pub mod compile;
pub mod error;
pub mod eval;
pub mod finetune;
pub mod formula_arg;
pub mod metric_arg;
pub mod param;
pub mod predict;
pub mod records;
pub mod table;
pub mod train;

use std::io::Write;

pub use error::CliError;

/// Writes `text` and a newline to stdout. A closed pipe (`anyloss ... | head`) ends output
/// quietly instead of panicking.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!("cannot write to stdout: {e}"))),
    }
}

/// Runs `write` on a buffered stdout and flushes it. A closed pipe ends output quietly.
pub fn stream(write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = write(&mut out).and_then(|()| {
        out.flush()
            .map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))
    });
    match result {
        Err(e) if e.message().contains("Broken pipe") => Ok(()),
        other => other,
    }
}
