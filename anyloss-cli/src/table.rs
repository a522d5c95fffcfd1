//! A numeric CSV table with a header, read strictly: every cell must be a finite number, and
//! every error names the file, line and column.

use std::path::{Path, PathBuf};

use crate::error::CliError;

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
    /// Reads `path`. Errors: unreadable file, empty file, no data rows, duplicate or empty
    /// column names, a row with more or fewer cells than the header, a cell that is not a
    /// finite number.
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let bytes = std::fs::read(path)
            .map_err(|e| CliError::new(format!("{}: cannot read: {e}", path.display())))?;
        Self::parse(path, &bytes)
    }

    /// Parses CSV `bytes` as if read from `path`.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, CliError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut records = reader.records();
        let header_record = match records.next() {
            None => return Err(CliError::new(format!("{}: empty file", path.display()))),
            Some(r) => r.map_err(|e| csv_error(path, &e))?,
        };
        let header: Vec<String> = header_record.iter().map(|h| h.trim().to_string()).collect();
        let header_line = header_record.position().map_or(1, |p| p.line());
        for (i, name) in header.iter().enumerate() {
            if name.is_empty() {
                return Err(CliError::at(
                    path,
                    header_line,
                    Some(i + 1),
                    "empty column name in header",
                ));
            }
            if header[..i].contains(name) {
                return Err(CliError::at(
                    path,
                    header_line,
                    Some(i + 1),
                    format!("duplicate column name `{name}`"),
                ));
            }
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for record in records {
            let record = record.map_err(|e| csv_error(path, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
                // A blank line carries no data; the csv reader already skips truly empty ones.
                continue;
            }
            if record.len() != header.len() {
                return Err(CliError::at(
                    path,
                    line,
                    None,
                    format!(
                        "ragged row: {} cells, but the header has {} columns",
                        record.len(),
                        header.len()
                    ),
                ));
            }
            let mut row = Vec::with_capacity(header.len());
            for (col, cell) in record.iter().enumerate() {
                let text = cell.trim();
                let value: f64 = text.parse().map_err(|_| {
                    CliError::at(
                        path,
                        line,
                        Some(col + 1),
                        format!("column `{}`: `{text}` is not a number", header[col]),
                    )
                })?;
                if !value.is_finite() {
                    return Err(CliError::at(
                        path,
                        line,
                        Some(col + 1),
                        format!("column `{}`: `{text}` is not a finite number", header[col]),
                    ));
                }
                row.push(value);
            }
            rows.push(row);
            lines.push(line);
        }
        if rows.is_empty() {
            return Err(CliError::new(format!(
                "{}: no data rows after the header",
                path.display()
            )));
        }
        Ok(Self {
            path: path.to_path_buf(),
            header,
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

fn csv_error(path: &Path, e: &csv::Error) -> CliError {
    match e.position() {
        Some(p) => CliError::at(path, p.line(), None, format!("malformed CSV: {e}")),
        None => CliError::new(format!("{}: malformed CSV: {e}", path.display())),
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
