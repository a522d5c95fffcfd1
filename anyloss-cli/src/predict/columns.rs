//! Which CSV column feeds which model input, and which hold the label and the row weight.

use crate::error::{excerpt, CliError};
use crate::records::Records;
use crate::train::data::LABEL;

use super::model_file::WEIGHT;

/// The CSV columns a prediction reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// For each model input, in order, its column.
    pub features: Vec<usize>,
    /// The `label` column, when the CSV has one (and the model does not use it as input).
    pub label: Option<usize>,
    /// The `weight` column, when the CSV has one (and the model does not use it as input).
    pub weight: Option<usize>,
}

impl Columns {
    /// Matches the header of `records` to a model's inputs: by name when the model carries
    /// its feature names (`names`), else by position (every column but `label` and
    /// `weight`, in file order, exactly `count` of them). A missing feature, or a column
    /// that is neither a feature nor `label`/`weight`, is an error naming them.
    pub fn matching(
        records: &Records,
        names: Option<&[String]>,
        count: usize,
    ) -> Result<Self, CliError> {
        let header = records.header();
        let is_input = |name: &str| names.is_some_and(|n| n.iter().any(|f| f == name));
        let label = header.iter().position(|h| h == LABEL && !is_input(h));
        let weight = header.iter().position(|h| h == WEIGHT && !is_input(h));
        let reserved = |c: usize| Some(c) == label || Some(c) == weight;
        let features: Vec<usize> = match names {
            Some(names) => {
                let missing: Vec<&str> = names
                    .iter()
                    .filter(|n| !header.contains(n))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    return Err(records.error_at(
                        1,
                        None,
                        format!(
                            "the model's feature column{} {} {} missing (the model reads {}; \
                             the file has {})",
                            if missing.len() == 1 { "" } else { "s" },
                            list(&missing),
                            if missing.len() == 1 { "is" } else { "are" },
                            excerpt(&names.join(",")),
                            records.header_text()
                        ),
                    ));
                }
                let extra: Vec<&str> = header
                    .iter()
                    .enumerate()
                    .filter(|&(c, h)| !reserved(c) && !names.contains(h))
                    .map(|(_, h)| h.as_str())
                    .collect();
                if !extra.is_empty() {
                    return Err(records.error_at(
                        1,
                        None,
                        format!(
                            "column{} {} {} not a feature of the model (it reads {}; besides \
                             them only `{LABEL}` and `{WEIGHT}` are allowed)",
                            if extra.len() == 1 { "" } else { "s" },
                            list(&extra),
                            if extra.len() == 1 { "is" } else { "are" },
                            excerpt(&names.join(","))
                        ),
                    ));
                }
                names
                    .iter()
                    .filter_map(|n| header.iter().position(|h| h == n))
                    .collect()
            }
            None => {
                let by_position: Vec<usize> = (0..header.len()).filter(|&c| !reserved(c)).collect();
                if by_position.len() != count {
                    return Err(records.error_at(
                        1,
                        None,
                        format!(
                            "{} feature columns (every column but `{LABEL}` and `{WEIGHT}`: {}), \
                             but the model has {count} inputs; a binary model carries no \
                             feature names and reads the columns in file order",
                            by_position.len(),
                            records.header_text()
                        ),
                    ));
                }
                by_position
            }
        };
        Ok(Self {
            features,
            label,
            weight,
        })
    }
}

/// Up to eight names in backquotes, then a count of the rest.
fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(8)
        .map(|n| format!("`{}`", excerpt(n)))
        .collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
