//! The error of an invalid configuration or input.

use std::fmt;

/// Why the loss could not be computed: names the setting, or the first bad input position.
#[derive(Debug, Clone, PartialEq)]
pub struct AnyLossError(pub(crate) String);

impl fmt::Display for AnyLossError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyLoss: {}", self.0)
    }
}

impl std::error::Error for AnyLossError {}

impl From<anyloss_core::Error> for AnyLossError {
    fn from(e: anyloss_core::Error) -> Self {
        Self(e.to_string())
    }
}
