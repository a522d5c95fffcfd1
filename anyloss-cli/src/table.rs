//! A numeric CSV table with a header, read whole with [`Records`]: every cell must be a
//! finite number, and every error names the file, line and column.

use std::path::{Path, PathBuf};

use crate::error::CliError;
use crate::records::Records;

/// A numeric CSV file: a header row, then rows of finite numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Where it was read from.
    pub path: PathBuf,
    /// Column names, as written in the header (surrounding spaces trimmed).
    pub header: Vec<String>,
    /// The rows, each as long as the header.
    pub rows: Vec<Vec<f64>>,
    /// The 1-based line of the file each row came from.
    pub lines: Vec<u64>,
}

impl Table {
    /// Reads `path` (`-`: standard input) with [`Records`]. Errors: unreadable file, empty
    /// file, no data rows, duplicate or empty column names, a row with more or fewer cells
    /// than the header, a cell that is not a finite number, a line over 1 MiB.
    pub fn read(path: &Path) -> Result<Self, CliError> {
        Self::collect(Records::open(path)?)
    }

    /// Parses CSV `bytes` as if read from `path`.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, CliError> {
        Self::collect(Records::from_reader(
            path,
            Box::new(std::io::Cursor::new(bytes.to_vec())),
        )?)
    }

    fn collect(mut records: Records) -> Result<Self, CliError> {
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        let mut row = Vec::new();
        while let Some(line) = records.next_row(&mut row)? {
            rows.push(std::mem::take(&mut row));
            lines.push(line);
        }
        if rows.is_empty() {
            return Err(records.no_rows());
        }
        Ok(Self {
            path: records.path().to_path_buf(),
            header: records.header().to_vec(),
            rows,
            lines,
        })
    }

    /// Index of the column called `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// An error about row `row` (0-based), at its file line and the 1-based `column`.
    pub fn error_at(
        &self,
        row: usize,
        column: Option<usize>,
        cause: impl std::fmt::Display,
    ) -> CliError {
        CliError::at(
            &self.path,
            self.lines.get(row).copied().unwrap_or(0),
            column,
            cause,
        )
    }

    /// The integer labels in column `col`, each checked to be a whole number below `limit`.
    pub fn labels(&self, col: usize, limit: u64) -> Result<Vec<u64>, CliError> {
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let v = row[col];
                if v.fract() == 0.0 && v >= 0.0 && v < limit as f64 {
                    Ok(v as u64)
                } else {
                    Err(self.error_at(
                        r,
                        Some(col + 1),
                        format!(
                            "label `{v}` is not a class in 0..{limit}{}",
                            if limit == 2 {
                                " (binary labels are 0 or 1)"
                            } else {
                                ""
                            }
                        ),
                    ))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Table, CliError> {
        Table::parse(Path::new("t.csv"), s.as_bytes())
    }

    #[test]
    fn reads_numbers_and_lines() {
        let t = parse("label,prob\n1,0.5\n0, 0.25\n").unwrap();
        assert_eq!(t.header, ["label", "prob"]);
        assert_eq!(t.rows, vec![vec![1.0, 0.5], vec![0.0, 0.25]]);
        assert_eq!(t.lines, [2, 3]);
    }

    #[test]
    fn errors_name_the_place() {
        assert_eq!(parse("").unwrap_err().message(), "t.csv: empty file");
        assert_eq!(
            parse("a,b\n1,2\n3\n").unwrap_err().message(),
            "t.csv:3: ragged row: 1 cells, but the header has 2 columns"
        );
        assert_eq!(
            parse("a,b\n1,x\n").unwrap_err().message(),
            "t.csv:2:2: column `b`: `x` is not a number"
        );
        assert_eq!(
            parse("a,b\n1,NaN\n").unwrap_err().message(),
            "t.csv:2:2: column `b`: `NaN` is not a finite number"
        );
        assert_eq!(
            parse("a,b\n").unwrap_err().message(),
            "t.csv: no data rows after the header"
        );
        assert_eq!(
            parse("a,a\n1,2\n").unwrap_err().message(),
            "t.csv:1:2: duplicate column name `a`"
        );
        let t = parse("label,p\n2,0.5\n").unwrap();
        assert_eq!(
            t.labels(0, 2).unwrap_err().message(),
            "t.csv:2:1: label `2` is not a class in 0..2 (binary labels are 0 or 1)"
        );
    }
}
