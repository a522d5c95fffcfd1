//! The training CSV: numeric feature columns and one `label` column of 0/1, checked strictly.

use std::path::{Path, PathBuf};

use crate::error::{excerpt, CliError};
use crate::table::Table;

/// The name of the label column.
pub const LABEL: &str = "label";

/// A binary training set read from CSV: features as f32, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainData {
    /// Where it came from.
    pub path: PathBuf,
    /// The feature column names, in file order (the label column removed).
    pub feature_names: Vec<String>,
    /// `rows × features` values, row-major.
    pub features: Vec<f32>,
    /// 0 or 1 per row; 1 is the class of interest (the minority, in the bundled sets).
    pub labels: Vec<u8>,
}

impl TrainData {
    /// Reads and checks `path`: beyond [`Table::read`]'s checks (empty file, ragged row,
    /// non-numeric or NaN cell, duplicate column), exactly one `label` column, at least one
    /// feature column, labels 0 or 1, values that fit in f32, and both classes present.
    pub fn read(path: &Path) -> Result<Self, CliError> {
        Self::from_table(&Table::read(path)?)
    }

    /// The checks of [`TrainData::read`] on a parsed table.
    pub fn from_table(table: &Table) -> Result<Self, CliError> {
        let path = &table.path;
        let label_col = table.column(LABEL).ok_or_else(|| {
            CliError::at(
                path,
                1,
                None,
                format!(
                    "no `{LABEL}` column in the header (columns: {}); the label column must be \
                     named `{LABEL}` and hold 0 or 1",
                    excerpt(&table.header.join(", "))
                ),
            )
        })?;
        if table.header.len() < 2 {
            return Err(CliError::at(
                path,
                1,
                None,
                "no feature columns: besides `label` the file needs at least one numeric column",
            ));
        }
        let labels: Vec<u8> = table
            .labels(label_col, 2)?
            .into_iter()
            .map(|y| u8::from(y == 1))
            .collect();
        let mut features = Vec::with_capacity(table.rows.len() * (table.header.len() - 1));
        for (r, row) in table.rows.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                if c == label_col {
                    continue;
                }
                let x = v as f32;
                if !x.is_finite() {
                    return Err(table.error_at(
                        r,
                        Some(c + 1),
                        format!(
                            "column `{}`: {v:e} does not fit in f32 (|x| > 3.4e38)",
                            table.header[c]
                        ),
                    ));
                }
                features.push(x);
            }
        }
        let positives = labels.iter().filter(|&&y| y == 1).count();
        if positives == 0 || positives == labels.len() {
            let only = u8::from(positives != 0);
            return Err(CliError::new(format!(
                "{}: single-class file: all {} rows have label {only}; training needs rows of \
                 both classes 0 and 1",
                path.display(),
                labels.len()
            )));
        }
        let feature_names = table
            .header
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != label_col)
            .map(|(_, h)| h.clone())
            .collect();
        Ok(Self {
            path: path.clone(),
            feature_names,
            features,
            labels,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.labels.len()
    }

    /// Number of rows labelled 1.
    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1).count()
    }
}
