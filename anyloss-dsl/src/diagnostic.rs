//! Errors in a formula, rendered as `line:col: message`, the source line and a caret.

use std::fmt;

/// What kind of mistake a [`Diagnostic`] reports. Each has its own message; the kinds are
/// stable so callers and tests can match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The source breaks the grammar in a way no more specific kind describes.
    Syntax,
    /// A `(` without its `)`, or a `)` without its `(`.
    UnbalancedParen,
    /// An operator with nothing after it (`TP +`).
    TrailingOperator,
    /// The source holds no expression (only whitespace and comments, or nothing).
    EmptyFormula,
    /// A name that is neither a count, a definition, a function nor a parameter, and looks
    /// like a misspelling of one of those.
    UnknownIdentifier,
    /// A call of a function that does not exist.
    UnknownFunction,
    /// A function called with the wrong number of arguments.
    WrongArity,
    /// A function name used as a value (`sqrt + 1`).
    FunctionAsValue,
    /// A name defined twice, or a definition of a reserved name (a count or a function).
    Redefinition,
    /// A definition the final expression never uses.
    UnusedDefinition,
    /// A parameter the caller did not bind.
    UnboundParameter,
    /// A binding the formula does not use.
    UnusedBinding,
    /// A binding with a non-finite value or a name that cannot be a parameter.
    InvalidBinding,
    /// A division whose denominator is a literal zero (after constant folding).
    DivisionByZero,
    /// A function of a constant outside its domain (`sqrt(-1)`, `ln(0)`, `0^-1`).
    ConstantOutOfDomain,
    /// A constant too large for `f64` (`1e400`, `10^10^10`).
    ConstantOverflow,
    /// The source is longer than [`crate::limits::MAX_INPUT_BYTES`].
    InputTooLarge,
    /// Parentheses nested deeper than [`crate::limits::MAX_NESTING`].
    NestingTooDeep,
    /// More tokens than [`crate::limits::MAX_TOKENS`].
    ExpressionTooLarge,
    /// A generated type name that is not a Rust identifier.
    InvalidName,
}

/// Where in the source a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    line: usize,
    col: usize,
    /// The source line, tabs expanded to one space so the caret lines up.
    text: String,
    /// Carets under the offending text (at least one).
    width: usize,
}

/// A mistake in a formula, with its position when it has one.
///
/// `Display` renders `line:col: message`, then the source line with a caret under the
/// offending text, then a `help:` line where there is a suggestion:
/// ```text
/// 1:4: unknown identifier `TPP`
///   |
/// 1 | 2*TPP/(2*TP+FP+FN)
///   |   ^^^
///   = help: did you mean `TP`?
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    kind: DiagnosticKind,
    message: String,
    help: Option<String>,
    location: Option<Location>,
}

/// Longest excerpt of a source line that is shown; longer lines are cut around the caret.
const EXCERPT_CHARS: usize = 100;

impl Diagnostic {
    /// A diagnostic pointing at `span` (byte offsets into `source`).
    pub(crate) fn at(
        kind: DiagnosticKind,
        source: &str,
        span: (usize, usize),
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            help: None,
            location: Some(locate(source, span)),
        }
    }

    /// A diagnostic about the formula as a whole, or about something that is not in the
    /// source (a binding, a type name).
    pub(crate) fn general(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            help: None,
            location: None,
        }
    }

    /// Adds a suggestion shown as `help:`.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// What kind of mistake this is.
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    /// The message, without position or source excerpt.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The suggestion, if any (`did you mean ...`).
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// 1-based line, or `None` for a diagnostic without a position.
    pub fn line(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.line)
    }

    /// 1-based column in characters, or `None` for a diagnostic without a position.
    pub fn col(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.col)
    }
}

/// Line, column and excerpt of a byte span; offsets off a char boundary are moved back to
/// one, so any span is safe.
fn locate(source: &str, span: (usize, usize)) -> Location {
    let start = floor_char_boundary(source, span.0);
    let end = floor_char_boundary(source, span.1.max(start));
    let before = source.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = source
        .get(start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(source.len(), |i| start + i);
    let line = before.matches('\n').count() + 1;
    let col = source
        .get(line_start..start)
        .map_or(0, |s| s.chars().count())
        + 1;
    let width = source
        .get(start..end.min(line_end))
        .map_or(0, |s| s.chars().count())
        .max(1);
    let text = source
        .get(line_start..line_end)
        .unwrap_or("")
        .trim_end_matches('\r')
        .replace('\t', " ");
    Location {
        line,
        col,
        text,
        width,
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(loc) = &self.location else {
            write!(f, "{}", self.message)?;
            if let Some(help) = &self.help {
                write!(f, "\n  = help: {help}")?;
            }
            return Ok(());
        };
        writeln!(f, "{}:{}: {}", loc.line, loc.col, self.message)?;
        let (excerpt, caret_col) = excerpt(&loc.text, loc.col - 1);
        let width = loc.width.min(EXCERPT_CHARS);
        let gutter = " ".repeat(loc.line.to_string().len());
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{} | {}", loc.line, excerpt)?;
        write!(
            f,
            "{gutter} | {}{}",
            " ".repeat(caret_col),
            "^".repeat(width)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

/// The part of `line` shown around 0-based char column `col`, and the caret's column in it.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= EXCERPT_CHARS {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(EXCERPT_CHARS / 2).min(n - EXCERPT_CHARS);
    let body: String = line.chars().skip(start).take(EXCERPT_CHARS).collect();
    let (prefix, shift) = if start > 0 { ("...", 3) } else { ("", 0) };
    let suffix = if start + EXCERPT_CHARS < n { "..." } else { "" };
    (format!("{prefix}{body}{suffix}"), col - start + shift)
}

impl std::error::Error for Diagnostic {}
