//! Overflow: where a formula's value or gradient stops being a number.
//!
//! "Undefined" (a zero denominator, `ln 0`, ...) is a property of the metric, and the loss
//! answers it with its [`anyloss_core::Degenerate`] policy. An overflow is not: the metric
//! has a value there, the evaluation just cannot represent a step on the way (`exp(1e10)`,
//! `(TP+1)^1e9`) or the result (beyond `f32::MAX`). Such a point is an error that names the
//! sub-expression, never a finite stand-in.

use std::fmt;

use crate::pretty;
use crate::program::{Outcome, Program};

/// The counts `check` tries each formula at: every combination of these values for
/// `TP FN FP TN`, from an empty cell to a billion samples.
pub(crate) const PROBE_COUNTS: [f64; 6] = [0.0, 0.5, 1.0, 1e3, 1e6, 1e9];

/// Where a formula's value or gradient overflowed at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    /// The sub-expression whose result is not finite in `f64` or (for the value and the
    /// partials themselves) does not fit in `f32`, as math.
    pub expr: String,
    /// The counts `[TP, FN, FP, TN]` where it does.
    pub counts: [f64; 4],
    /// True when the value overflows there; false when only the gradient does.
    pub in_value: bool,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [tp, fn_, fp, tn] = self.counts.map(pretty::number);
        write!(
            f,
            "`{}` overflows at TP = {tp}, FN = {fn_}, FP = {fp}, TN = {tn}: the {} is not a finite f32 there",
            self.expr,
            if self.in_value { "value" } else { "gradient" },
        )
    }
}

impl std::error::Error for Overflow {}

/// `program` at `counts`: `Ok(None)` where it is undefined, an [`Overflow`] naming the
/// sub-expression where it overflows.
pub(crate) fn checked(
    program: &Program,
    counts: [f64; 4],
    scratch: &mut Vec<f64>,
) -> Result<Option<[f64; 5]>, Overflow> {
    match program.eval(counts, scratch) {
        Outcome::Defined(out) => Ok(Some(out)),
        Outcome::Undefined => Ok(None),
        Outcome::Overflow { node, in_value } => Err(Overflow {
            expr: pretty::render(&program.nodes, node, &|_| None),
            counts,
            in_value: in_value.unwrap_or(program.in_value.get(node).copied().unwrap_or(true)),
        }),
    }
}

/// Every sub-expression that overflows at some point of the [`PROBE_COUNTS`] grid, with
/// the first such point, in order of evaluation.
pub(crate) fn probe(program: &Program) -> Vec<Overflow> {
    let mut found: Vec<Overflow> = Vec::new();
    let mut scratch = Vec::with_capacity(program.nodes.len());
    let n = PROBE_COUNTS.len();
    for k in 0..n.pow(4) {
        let pick = |d: usize| PROBE_COUNTS.get(k / n.pow(d as u32) % n).copied();
        let counts = [3, 2, 1, 0].map(|d| pick(d).unwrap_or(0.0));
        if let Err(o) = checked(program, counts, &mut scratch) {
            if !found.iter().any(|f| f.expr == o.expr) {
                found.push(o);
            }
        }
    }
    found
}
