//! # anyloss-dsl
//!
//! Metric formulas to exact-gradient losses. Write the metric you care about as a formula;
//! get a [`FormulaMetric`] that works wherever a built-in metric does (on the host), or Rust
//! source for a `no_std` type implementing [`anyloss_core::Metric`] ([`emit_rust`],
//! [`build`] for `build.rs`).
//!
//! ```
//! use anyloss_core::{metrics::F1, BinaryLoss, Input};
//! use anyloss_dsl::FormulaMetric;
//!
//! let f1 = FormulaMetric::compile(
//!     "precision = TP/(TP+FP); recall = TP/(TP+FN); 2*precision*recall/(precision+recall)",
//!     &[],
//! )?;
//! let (labels, probs) = ([1u8, 0, 1, 0], [0.9f32, 0.2, 0.4, 0.6]);
//! let (mut g1, mut g2) = ([0.0f32; 4], [0.0f32; 4]);
//! let a = BinaryLoss::new(f1).loss_and_grad(&labels, Input::Probs(&probs), &mut g1).unwrap();
//! let b = BinaryLoss::new(F1).loss_and_grad(&labels, Input::Probs(&probs), &mut g2).unwrap();
//! assert!((a.loss - b.loss).abs() < 1e-6);
//! # Ok::<(), anyloss_dsl::Diagnostic>(())
//! ```
//!
//! ## The language
//! | | |
//! |---|---|
//! | counts | `TP FN FP TN` (soft confusion entries, all `>= 0`) |
//! | derived counts | `POS = TP+FN`, `NEG = TN+FP`, `PRED_POS = TP+FP`, `PRED_NEG = TN+FN`, `TOTAL = N = TP+FN+FP+TN` |
//! | numbers | `2`, `0.5`, `.5`, `1e-3` |
//! | operators | `+ - * / ^` and unary `-`; `^` binds tightest and is right-associative (`2^3^2 = 2^9`), unary minus binds looser than `^` (`-x^2 = -(x^2)`) |
//! | functions | `sqrt ln exp abs` (one argument), `min max` (two) |
//! | definitions | `name = expr;` before the final expression, each using counts, parameters and earlier definitions |
//! | parameters | any other name (`beta`, `alpha`, ...), bound by the caller: [`FormulaMetric::compile`]'s `params`, `--param beta=2` on the command line |
//! | comments | `#` or `//` to the end of the line |
//!
//! Names are case-sensitive. A name that looks like a misspelling of a count, a definition
//! or a function (`TPP`, `recal`, `sqr`) is an error with a suggestion, not a parameter.
//! Errors are [`Diagnostic`]s with line, column and a caret; nothing the user gives is
//! dropped: an unused definition and a binding the formula does not use are errors too.
//!
//! ## Where a formula is undefined
//! A formula is defined at a point when every operation of its value and of its gradient is:
//! no zero denominator, no `sqrt` of a negative number, no `ln` of a non-positive one (and
//! the same for powers), and all results finite. Elsewhere `evaluate` returns `None` and the
//! loss applies its [`anyloss_core::Degenerate`] policy. [`FormulaMetric::domain_issues`]
//! lists, in words, where that can happen for non-negative counts.
//!
//! ## Pipeline
//! The source is pre-scanned against the [`limits`] without recursion, parsed by pest
//! (grammar in `formula.pest`, precedence by a `PrattParser`), resolved and lowered into a
//! hash-consed DAG whose constructors simplify (constant folding, neutral elements, like
//! terms). Reverse-mode differentiation on that DAG adds the four partials as nodes of the
//! same graph, so value and gradient share every common subexpression and the gradient
//! costs a constant factor over the value. The reachable nodes form a straight-line program
//! that the host evaluator runs in `f64` and the emitter prints as Rust.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod any_metric;
mod ast;
pub mod build;
mod count;
mod diagnostic;
mod diff;
mod domain;
mod emit;
mod graph;
pub mod limits;
mod lower;
mod metric;
mod names;
mod node;
mod overflow;
mod parser;
mod prescan;
mod pretty;
mod program;
mod resolve;

pub use any_metric::{AnyMetric, MetricError};
pub use diagnostic::{Diagnostic, DiagnosticKind};
pub use domain::Issue;
pub use metric::{FormulaMetric, OperationCount};
pub use overflow::Overflow;

/// The pest grammar, public so grammar tests can use pest's `parses_to!`/`fails_with!`.
pub mod grammar {
    // pest_derive documents only the rules with a `///` comment in the grammar; the rest
    // are the silent helper rules' neighbours and pest's own `EOI`.
    #![allow(missing_docs)]

    /// The parser generated from `formula.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "formula.pest"]
    pub struct FormulaParser;
}

/// Rust source for a unit struct `name` implementing `anyloss_core::Metric` by the formula
/// `source` with `params` bound: what `anyloss compile` prints.
///
/// The code is `#![no_std]`-compatible, allocation-free, panic-free and rustfmt-clean, and
/// calls `anyloss_core::math::{sqrt, ln, exp, pow}` so the crate's math backend applies.
/// `evaluate` returns `None` wherever the formula or its gradient is undefined.
pub fn emit_rust(source: &str, name: &str, params: &[(&str, f64)]) -> Result<String, Diagnostic> {
    emit::check_type_name(name)?;
    FormulaMetric::compile(source, params)?.to_rust(name)
}
