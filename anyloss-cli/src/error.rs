//! The CLI's error: one line for the user, with the cause and where it is.

use std::fmt;
use std::path::Path;

/// An error the `anyloss` command reports on stderr before exiting with status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
}

impl CliError {
    /// An error with a ready message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// An error at `path:line` (1-based), or `path:line:column` when `column` is given.
    pub fn at(path: &Path, line: u64, column: Option<usize>, cause: impl fmt::Display) -> Self {
        let place = match column {
            Some(c) => format!("{}:{line}:{c}", path.display()),
            None => format!("{}:{line}", path.display()),
        };
        Self::new(format!("{place}: {cause}"))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The longest text an error echoes whole.
const EXCERPT_CHARS: usize = 48;

/// `text` as an error echoes it: whole when short, else its first characters, an ellipsis
/// and the full length.
pub fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{head}… ({} bytes)", text.len())
}
