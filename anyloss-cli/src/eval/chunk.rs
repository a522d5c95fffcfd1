//! The rows of pass 1 held between two sums of their confusion entries: at most [`CHUNK`]
//! rows, so memory stays bounded however long the input is, each with its file line so
//! that a core error names the row and column it is about.

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
    pub lines: Vec<u64>,
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

    /// Hands the rows held to `sum` (their labels, values and weights, if any) when the
    /// chunk is full or, once the input has ended (`at_end`), when any are left; then
    /// empties the chunk. A core error of `sum` is placed at the row and column it names.
    pub fn sum_when_due<S>(
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
