//! The compact copy of the rows `eval` keeps between its two passes: an unlinked temporary
//! file of one `u16` label and the row's `f32` values each, so memory stays bounded whatever
//! the number of rows, and standard input works as well as a file. A row's sample weight,
//! when the input has one, is stored as its last value ([`split_last`] takes it out).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

use crate::error::CliError;

/// Writes rows of `width` values during pass 1, then reads them back in chunks.
pub struct Spool {
    writer: BufWriter<File>,
    width: usize,
    rows: usize,
}

/// Reads a finished [`Spool`] back in order.
pub struct SpoolReader {
    reader: BufReader<File>,
    width: usize,
    left: usize,
    bytes: Vec<u8>,
}

fn io_error(e: std::io::Error) -> CliError {
    CliError::new(format!("the temporary copy of the input: {e}"))
}

impl Spool {
    /// A spool of rows of `width` values in the system's temporary directory.
    pub fn new(width: usize) -> Result<Self, CliError> {
        let dir = std::env::temp_dir();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = dir.join(format!("anyloss-eval-{}-{stamp}.rows", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| CliError::new(format!("{}: cannot create: {e}", path.display())))?;
        // Unlinked at once: the open handle keeps it, and nothing is left behind on exit.
        let _ = std::fs::remove_file(&path);
        Ok(Self {
            writer: BufWriter::with_capacity(1 << 16, file),
            width,
            rows: 0,
        })
    }

    /// Appends one row.
    pub fn push(&mut self, label: u16, values: &[f32]) -> Result<(), CliError> {
        self.writer
            .write_all(&label.to_le_bytes())
            .map_err(io_error)?;
        for v in values {
            self.writer.write_all(&v.to_le_bytes()).map_err(io_error)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows pushed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Ends pass 1: the rows, from the first.
    pub fn finish(self) -> Result<SpoolReader, CliError> {
        let mut file = self
            .writer
            .into_inner()
            .map_err(|e| io_error(e.into_error()))?;
        file.rewind().map_err(io_error)?;
        Ok(SpoolReader {
            reader: BufReader::with_capacity(1 << 16, file),
            width: self.width,
            left: self.rows,
            bytes: Vec::new(),
        })
    }
}

impl SpoolReader {
    /// Reads up to `max` rows into `labels` and `values` (replacing their contents); `false`
    /// once every row has been read.
    pub fn next_chunk(
        &mut self,
        max: usize,
        labels: &mut Vec<u16>,
        values: &mut Vec<f32>,
    ) -> Result<bool, CliError> {
        let n = max.min(self.left);
        labels.clear();
        values.clear();
        if n == 0 {
            return Ok(false);
        }
        let row_bytes = 2 + 4 * self.width;
        self.bytes.resize(n * row_bytes, 0);
        self.reader.read_exact(&mut self.bytes).map_err(io_error)?;
        for row in self.bytes.chunks_exact(row_bytes) {
            labels.push(u16::from_le_bytes([row[0], row[1]]));
            values.extend(
                row[2..]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
        self.left -= n;
        Ok(true)
    }
}

/// Moves the last value of each row of `width + 1` values in `values` to `last` (replacing
/// its contents), leaving rows of `width` values: the sample weights of a chunk read from
/// a spool whose rows end with one.
pub fn split_last(values: &mut Vec<f32>, width: usize, last: &mut Vec<f32>) {
    let stride = width + 1;
    last.clear();
    let mut kept = 0;
    for start in (0..values.len() / stride).map(|row| row * stride) {
        values.copy_within(start..start + width, kept);
        kept += width;
        last.push(values[start + width]);
    }
    values.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_last_takes_the_last_value_of_each_row() {
        let mut values = vec![1.0, 2.0, 0.5, 3.0, 4.0, 0.0];
        let mut last = vec![9.0];
        split_last(&mut values, 2, &mut last);
        assert_eq!(values, [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(last, [0.5, 0.0]);
    }
}
