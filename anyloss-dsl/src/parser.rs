//! Source text to [`Formula`]: the pest grammar (`formula.pest`), operator precedence with a
//! `PrattParser`, and pest's errors translated into [`Diagnostic`]s.

use std::sync::LazyLock;

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;

use crate::ast::{BinOp, Definition, Expr, ExprKind, Formula, Span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::grammar::{FormulaParser, Rule};
use crate::prescan::prescan;

/// `+ -` < `* /` < unary `-` < `^` (right-associative), so `-x^2 = -(x^2)` and
/// `2^-1 = 0.5`.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
        .op(Op::infix(Rule::pow, Assoc::Right))
});

/// Parses a whole source, after the limits pre-scan.
pub(crate) fn parse(source: &str) -> Result<Formula, Diagnostic> {
    prescan(source)?;
    let mut pairs =
        FormulaParser::parse(Rule::formula, source).map_err(|e| syntax_error(source, &e))?;
    let formula = pairs.next().ok_or_else(|| internal(source))?;
    let mut definitions = Vec::new();
    let mut body = None;
    for pair in formula.into_inner() {
        match pair.as_rule() {
            Rule::definition => {
                let mut inner = pair.into_inner();
                let (name, value) = inner
                    .next()
                    .zip(inner.next())
                    .ok_or_else(|| internal(source))?;
                definitions.push(Definition {
                    name: name.as_str().to_string(),
                    name_span: span(&name),
                    body: expr(source, value.into_inner())?,
                });
            }
            Rule::expr => body = Some(expr(source, pair.into_inner())?),
            _ => {}
        }
    }
    Ok(Formula {
        definitions,
        body: body.ok_or_else(|| internal(source))?,
    })
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    (s.start(), s.end())
}

/// The grammar and this walker disagree: a bug, reported as an error rather than a panic.
fn internal(source: &str) -> Diagnostic {
    Diagnostic::at(
        DiagnosticKind::Syntax,
        source,
        (0, 0),
        "internal error: the parse tree has an unexpected shape",
    )
}

fn expr(source: &str, pairs: Pairs<'_, Rule>) -> Result<Expr, Diagnostic> {
    PRATT
        .map_primary(|p| primary(source, p))
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = (op.as_span().start(), rhs.span.1);
            Ok(Expr {
                kind: ExprKind::Neg(Box::new(rhs)),
                span,
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let op = match op.as_rule() {
                Rule::add => BinOp::Add,
                Rule::sub => BinOp::Sub,
                Rule::mul => BinOp::Mul,
                Rule::div => BinOp::Div,
                Rule::pow => BinOp::Pow,
                _ => return Err(internal(source)),
            };
            let span = (lhs.span.0, rhs.span.1);
            Ok(Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            })
        })
        .parse(pairs)
}

fn primary(source: &str, pair: Pair<'_, Rule>) -> Result<Expr, Diagnostic> {
    let sp = span(&pair);
    let kind = match pair.as_rule() {
        Rule::number => {
            let text = pair.as_str();
            let value: f64 = text.parse().map_err(|_| {
                Diagnostic::at(DiagnosticKind::Syntax, source, sp, "malformed number")
            })?;
            if !value.is_finite() {
                return Err(Diagnostic::at(
                    DiagnosticKind::ConstantOverflow,
                    source,
                    sp,
                    format!("the number `{text}` is too large"),
                ));
            }
            ExprKind::Number(value)
        }
        Rule::ident => ExprKind::Name(pair.as_str().to_string()),
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner.next().ok_or_else(|| internal(source))?;
            let args = inner
                .map(|a| expr(source, a.into_inner()))
                .collect::<Result<Vec<_>, _>>()?;
            ExprKind::Call {
                name: name.as_str().to_string(),
                name_span: span(&name),
                args,
            }
        }
        Rule::expr => return expr(source, pair.into_inner()).map(|e| Expr { span: sp, ..e }),
        _ => return Err(internal(source)),
    };
    Ok(Expr { kind, span: sp })
}

/// The last non-space, non-comment byte before `pos`, with its offset.
fn previous_token(source: &str, pos: usize) -> Option<(usize, u8)> {
    let before = source.get(..pos)?;
    // Comments end at a newline, so scanning line by line from the back is enough.
    for (line_start, line) in line_starts(before).into_iter().rev() {
        let code = strip_comment(line);
        if let Some(i) = code.rfind(|c: char| !c.is_whitespace()) {
            return Some((line_start + i, code.as_bytes().get(i).copied()?));
        }
    }
    None
}

fn line_starts(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in s.split('\n') {
        out.push((start, line));
        start += line.len() + 1;
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let hash = line.find('#').unwrap_or(line.len());
    let slashes = line.find("//").unwrap_or(line.len());
    line.get(..hash.min(slashes)).unwrap_or(line)
}

/// What is at `pos`, for "found ..." in messages.
fn found_at(source: &str, pos: usize) -> String {
    match source.get(pos..).and_then(|s| s.chars().next()) {
        None => "the end of the formula".to_string(),
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let word: String = source
                .get(pos..)
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

/// Translates a pest error into the most specific diagnostic kind that fits.
fn syntax_error(source: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let wants_operand = positives
        .iter()
        .any(|r| matches!(r, Rule::number | Rule::ident | Rule::call | Rule::neg));
    let wants_operator = positives
        .iter()
        .any(|r| matches!(r, Rule::add | Rule::mul | Rule::pow | Rule::EOI));
    let found = found_at(source, pos);
    let prev = previous_token(source, pos);
    let next = source.get(pos..).and_then(|s| s.bytes().next());
    if wants_operand {
        if let Some((at, op @ (b'+' | b'-' | b'*' | b'/' | b'^' | b'='))) = prev {
            if matches!(next, None | Some(b';' | b')' | b',')) {
                let what = if op == b'=' { "definition" } else { "operator" };
                return Diagnostic::at(
                    DiagnosticKind::TrailingOperator,
                    source,
                    (at, at + 1),
                    format!("the {what} `{}` has nothing after it", op as char),
                )
                .with_help("add an operand after it, or remove it");
            }
        }
        return Diagnostic::at(
            DiagnosticKind::Syntax,
            source,
            (pos, pos + 1),
            format!("expected a number, a name or `(`, found {found}"),
        );
    }
    if wants_operator {
        let mut d = Diagnostic::at(
            DiagnosticKind::Syntax,
            source,
            (pos, pos + 1),
            format!("expected an operator or the end of the formula, found {found}"),
        );
        if let Some((_, b'0'..=b'9' | b'.')) = prev {
            if next.is_some_and(|c| c.is_ascii_alphabetic() || c == b'(') {
                d = d.with_help("there is no implicit multiplication: write `2*TP`, not `2TP`");
            }
        }
        if next == Some(b'=') {
            d = d.with_help("definitions end with `;` and come before the final expression");
        }
        return d;
    }
    Diagnostic::at(
        DiagnosticKind::Syntax,
        source,
        (pos, pos + 1),
        format!("unexpected {found}"),
    )
}
