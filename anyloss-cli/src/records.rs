//! The strict CSV reader, one row at a time: a header, then rows of finite numbers. Every
//! error names the file, line and column, echoes at most a short prefix of what it found,
//! and no line may exceed [`MAX_LINE_BYTES`], so memory stays bounded on any input
//! (`/dev/zero` included). The path `-` reads standard input.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{excerpt, CliError};

/// The longest CSV line accepted: 1 MiB. A longer line is an error naming it.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The path that means standard input.
pub const STDIN: &str = "-";

/// A line longer than [`MAX_LINE_BYTES`], raised as an I/O error by [`LineCapped`].
#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} is longer than 1 MiB", self.line)
    }
}

impl std::error::Error for LineTooLong {}

/// A reader that fails once a line grows past [`MAX_LINE_BYTES`].
struct LineCapped<R> {
    inner: R,
    /// 1-based number of the line being read.
    line: u64,
    /// Bytes of that line so far.
    length: usize,
}

impl<R: Read> Read for LineCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for piece in buf[..n].split_inclusive(|&b| b == b'\n') {
            if piece.last() == Some(&b'\n') {
                self.length = 0;
                self.line += 1;
            } else {
                self.length += piece.len();
            }
            if self.length > MAX_LINE_BYTES {
                return Err(io::Error::other(LineTooLong { line: self.line }));
            }
        }
        Ok(n)
    }
}

/// A numeric CSV read row by row.
pub struct Records {
    path: PathBuf,
    header: Vec<String>,
    reader: csv::Reader<LineCapped<Box<dyn Read>>>,
    record: csv::ByteRecord,
}

impl Records {
    /// Opens `path` (`-`: standard input) and reads its header. Errors: unreadable file,
    /// empty file, empty or duplicate column names, an over-long line.
    pub fn open(path: &Path) -> Result<Self, CliError> {
        if path.as_os_str() == STDIN {
            return Self::from_reader(Path::new("<stdin>"), Box::new(io::stdin()));
        }
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::new(format!("{}: cannot read: {e}", path.display())))?;
        Self::from_reader(path, Box::new(file))
    }

    /// Reads the CSV from `source`, naming it `path` in errors.
    pub fn from_reader(path: &Path, source: Box<dyn Read>) -> Result<Self, CliError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCapped {
                inner: source,
                line: 1,
                length: 0,
            });
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Err(CliError::new(format!("{}: empty file", path.display()))),
            Err(e) => return Err(csv_error(path, &e)),
        }
        let header: Vec<String> = record
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let line = record.position().map_or(1, |p| p.line());
        for (i, name) in header.iter().enumerate() {
            if name.is_empty() {
                return Err(CliError::at(
                    path,
                    line,
                    Some(i + 1),
                    "empty column name in header",
                ));
            }
            if header[..i].contains(name) {
                return Err(CliError::at(
                    path,
                    line,
                    Some(i + 1),
                    format!("duplicate column name `{}`", excerpt(name)),
                ));
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            header,
            reader,
            record,
        })
    }

    /// The name errors use for the source.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, surrounding spaces trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The header as one short text for messages.
    pub fn header_text(&self) -> String {
        excerpt(&self.header.join(","))
    }

    /// Reads the next data row into `row` (as long as the header) and returns its 1-based
    /// line, or `None` at the end. Blank lines are skipped. Errors: a row with more or fewer
    /// cells than the header, a cell that is not a finite number, malformed CSV.
    pub fn next_row(&mut self, row: &mut Vec<f64>) -> Result<Option<u64>, CliError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(csv_error(&self.path, &e)),
            }
            let line = self.record.position().map_or(0, |p| p.line());
            if self.record.len() == 1 && self.record[0].trim_ascii().is_empty() {
                continue;
            }
            if self.record.len() != self.header.len() {
                return Err(CliError::at(
                    &self.path,
                    line,
                    None,
                    format!(
                        "ragged row: {} cells, but the header has {} columns",
                        self.record.len(),
                        self.header.len()
                    ),
                ));
            }
            row.clear();
            for (col, cell) in self.record.iter().enumerate() {
                row.push(self.number(line, col, cell)?);
            }
            return Ok(Some(line));
        }
    }

    fn number(&self, line: u64, col: usize, cell: &[u8]) -> Result<f64, CliError> {
        let text = String::from_utf8_lossy(cell.trim_ascii());
        let problem = match text.parse::<f64>() {
            Ok(v) if v.is_finite() => return Ok(v),
            Ok(_) => "is not a finite number",
            Err(_) => "is not a number",
        };
        Err(CliError::at(
            &self.path,
            line,
            Some(col + 1),
            format!(
                "column `{}`: `{}` {problem}",
                excerpt(&self.header[col]),
                excerpt(&text)
            ),
        ))
    }

    /// An error at `line` and the 1-based `column`.
    pub fn error_at(
        &self,
        line: u64,
        column: Option<usize>,
        cause: impl std::fmt::Display,
    ) -> CliError {
        CliError::at(&self.path, line, column, cause)
    }

    /// The error for a source without data rows.
    pub fn no_rows(&self) -> CliError {
        CliError::new(format!(
            "{}: no data rows after the header",
            self.path.display()
        ))
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> CliError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        if let Some(long) = io.get_ref().and_then(|i| i.downcast_ref::<LineTooLong>()) {
            return CliError::at(
                path,
                long.line,
                None,
                format!(
                    "line longer than {} bytes (1 MiB), the limit of a CSV line",
                    MAX_LINE_BYTES
                ),
            );
        }
        return CliError::new(format!("{}: cannot read: {io}", path.display()));
    }
    match e.position() {
        Some(p) => CliError::at(path, p.line(), None, format!("malformed CSV: {e}")),
        None => CliError::new(format!("{}: malformed CSV: {e}", path.display())),
    }
}
