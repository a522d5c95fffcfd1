//! The rows of pass 1 held between two sums of their confusion entries: at most [`CHUNK`]
//! rows, so memory stays bounded however long the input is, each with its file line so
//! that a core error names the row and column it is about.

use core::ops::AddAssign;

use anyloss_core::{Error, Input};

use super::CHUNK;
use crate::error::CliError;
use crate::records::Records;

/// The rows read since the last sum: their labels (`L` each), values, sample weights
/// (empty without a `weight` column) and the file lines they came from. A row's columns
/// are its labels, then its values, then its weight.
pub struct Chunk<L> {
    /// The labels of the rows, row-major.
    pub labels: Vec<L>,
    /// The probabilities or logits of the rows, row-major.
    pub values: Vec<f32>,
    /// The sample weights of the rows; empty when the data has none.
    pub weights: Vec<f32>,
    /// The file line of each row.
    lines: Vec<u64>,
    label_columns: usize,
    value_columns: usize,
    weighted: bool,
    logits: bool,
}

impl<L> Chunk<L> {
    /// An empty chunk of rows with `label_columns` labels and `value_columns` values
    /// (logits with `logits`), then a weight when `weighted`.
    pub fn new(label_columns: usize, value_columns: usize, weighted: bool, logits: bool) -> Self {
        Self {
            labels: Vec::new(),
            values: Vec::new(),
            weights: Vec::new(),
            lines: Vec::new(),
            label_columns,
            value_columns,
            weighted,
            logits,
        }
    }

    /// Pass 1 over `records`: hands each row (its file line and cells) to `take`, which
    /// checks it and adds its labels, values and weight to the chunk, and the rows held to `sum` whenever the chunk is
    /// full and at the end; returns the sums added up. Data without rows is an error.
    pub fn sum_all<S: Default + AddAssign>(
        &mut self,
        records: &mut Records,
        mut take: impl FnMut(&Records, u64, &[f64], &mut Self) -> Result<(), CliError>,
        mut sum: impl FnMut(&[L], Input<'_>, Option<&[f32]>) -> Result<S, Error>,
    ) -> Result<S, CliError> {
        let (mut total, mut row, mut rows) = (S::default(), Vec::new(), 0u64);
        loop {
            let line = records.next_row(&mut row)?;
            if let Some(line) = line {
                take(records, line, &row, self)?;
                self.lines.push(line);
                rows += 1;
            }
            if let Some(summed) = self.sum_when_due(records, line.is_none(), &mut sum)? {
                total += summed;
            }
            if line.is_none() {
                break;
            }
        }
        if rows == 0 {
            return Err(records.no_rows());
        }
        Ok(total)
    }

    /// Hands the rows held to `sum` (their labels, values and weights, if any) when the
    /// chunk is full or, once the input has ended (`at_end`), when any are left; then
    /// empties the chunk. A core error of `sum` is placed at the row and column it names.
    fn sum_when_due<S>(
        &mut self,
        records: &Records,
        at_end: bool,
        sum: impl FnOnce(&[L], Input<'_>, Option<&[f32]>) -> Result<S, Error>,
    ) -> Result<Option<S>, CliError> {
        if !(self.lines.len() == CHUNK || (at_end && !self.lines.is_empty())) {
            return Ok(None);
        }
        let input = super::input(&self.values, self.logits);
        let weights = self.weighted.then_some(self.weights.as_slice());
        let total = sum(&self.labels, input, weights).map_err(|e| self.located(records, e))?;
        self.labels.clear();
        self.values.clear();
        self.weights.clear();
        self.lines.clear();
        Ok(Some(total))
    }

    /// The label, value and weight buffers, empty, for pass 2 to reuse.
    pub fn into_buffers(self) -> (Vec<L>, Vec<f32>, Vec<f32>) {
        (self.labels, self.values, self.weights)
    }

    /// A core error with the file position of the element (or row weight) it names.
    fn located(&self, records: &Records, e: Error) -> CliError {
        let (labels, values) = (self.label_columns, self.value_columns);
        let at = |row: usize, column: usize| {
            records.error_at(self.lines.get(row).copied().unwrap_or(0), Some(column), e)
        };
        match e {
            Error::InvalidLabel { index } => at(index / labels, index % labels + 1),
            Error::NonFinite { index } | Error::ProbabilityOutOfRange { index } => {
                at(index / values, labels + index % values + 1)
            }
            Error::NonFiniteWeight { index } | Error::NegativeWeight { index } => {
                at(index, labels + values + 1)
            }
            _ => CliError::new(format!("{}: {e}", records.path().display())),
        }
    }
}
