//! The linear pre-scan that enforces the [`crate::limits`] before the recursive parser runs:
//! size, nesting, token count and balanced parentheses, without recursion.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::limits::{MAX_INPUT_BYTES, MAX_NESTING, MAX_TOKENS};

/// Checks size, nesting and token count, and that parentheses balance, without recursion.
pub(crate) fn prescan(source: &str) -> Result<(), Diagnostic> {
    if source.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::general(
            DiagnosticKind::InputTooLarge,
            format!(
                "the formula is {} bytes long; the limit is {MAX_INPUT_BYTES}",
                source.len()
            ),
        ));
    }
    let bytes = source.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut tokens = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        i += 1;
        match b {
            b'#' => i = end_of_line(bytes, i),
            b'/' if bytes.get(i) == Some(&b'/') => i = end_of_line(bytes, i),
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            b'(' => {
                if open.len() == MAX_NESTING {
                    return Err(Diagnostic::at(
                        DiagnosticKind::NestingTooDeep,
                        source,
                        (start, i),
                        format!("parentheses nested more than {MAX_NESTING} deep"),
                    ));
                }
                open.push(start);
            }
            b')' => {
                let Some(_) = open.pop() else {
                    return Err(Diagnostic::at(
                        DiagnosticKind::UnbalancedParen,
                        source,
                        (start, i),
                        "unmatched `)`",
                    ));
                };
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
                {
                    i += 1;
                }
            }
            _ => {}
        }
        if matches!(b, b'#') || (b == b'/' && bytes.get(start + 1) == Some(&b'/')) {
            continue;
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(Diagnostic::at(
                DiagnosticKind::ExpressionTooLarge,
                source,
                (start, i),
                format!("the formula has more than {MAX_TOKENS} tokens"),
            )
            .with_help("split it into definitions, or simplify it"));
        }
    }
    if let Some(&start) = open.last() {
        return Err(Diagnostic::at(
            DiagnosticKind::UnbalancedParen,
            source,
            (start, start + 1),
            "this `(` is never closed",
        ));
    }
    if tokens == 0 {
        return Err(Diagnostic::at(
            DiagnosticKind::EmptyFormula,
            source,
            (source.len(), source.len()),
            "the formula is empty",
        )
        .with_help("write an expression of TP, FN, FP and TN, for example `2*TP/(2*TP+FP+FN)`"));
    }
    Ok(())
}

fn end_of_line(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(bytes.len(), |p| from + p)
}
