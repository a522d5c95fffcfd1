//! [`FormulaMetric`]: a compiled formula, usable wherever a built-in metric is.

use std::sync::Arc;

use anyloss_core::{Confusion, Evaluation, Metric, Partials, Range};

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::domain::{self, Issue};
use crate::emit::{self, Origin};
use crate::graph::Graph;
use crate::overflow::{self, Overflow};
use crate::program::Program;
use crate::{diff, lower, names, parser, pretty, resolve};

/// A metric formula, parsed, bound, differentiated, simplified and shared (CSE).
///
/// It implements [`anyloss_core::Metric`]: `evaluate` computes in `f64` and returns the
/// value and partials as `f32`, or `None` wherever an operation is undefined (a zero
/// denominator, a `sqrt` of a negative or an `ln` of a non-positive number, anywhere in the
/// value or its gradient); the loss then applies its [`anyloss_core::Degenerate`] policy,
/// exactly as for a built-in metric. Where a step overflows instead (`exp(1e10)`, a result
/// beyond `f32::MAX`), the loss returns an error: see [`FormulaMetric::evaluate_checked`].
///
/// ```
/// use anyloss_core::{Confusion, Metric};
/// use anyloss_dsl::FormulaMetric;
///
/// let f2 = FormulaMetric::compile("(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)", &[("beta", 2.0)])?;
/// let e = f2.evaluate(&Confusion::new(8.0, 2.0, 4.0, 6.0)).unwrap();
/// assert!((e.value - 40.0 / 52.0).abs() < 1e-6); // 5·TP/(5·TP + 4·FN + FP)
/// # Ok::<(), anyloss_dsl::Diagnostic>(())
/// ```
#[derive(Debug, Clone)]
pub struct FormulaMetric {
    inner: Arc<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    source: String,
    params: Vec<(String, f64)>,
    program: Program,
    issues: Vec<Issue>,
}

/// Operation counts of a compiled formula (additions, multiplications, divisions, negations,
/// function calls, comparisons; constants and counts are free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationCount {
    /// Operations for the value alone.
    pub value: usize,
    /// Operations for the value and all four partials, after simplification and CSE.
    pub total: usize,
}

impl FormulaMetric {
    /// Parses `source`, binds `params`, differentiates, simplifies and shares common
    /// subexpressions. Every parameter the formula uses must be bound, and every binding
    /// must be used.
    pub fn compile(source: &str, params: &[(&str, f64)]) -> Result<FormulaMetric, Diagnostic> {
        let formula = parser::parse(source)?;
        let bound: Vec<&str> = params.iter().map(|(n, _)| *n).collect();
        check_bindings(params)?;
        let needed = resolve::parameters(source, &formula, &bound)?;
        if let Some(p) = needed.iter().find(|p| !bound.contains(&p.name.as_str())) {
            return Err(Diagnostic::at(
                DiagnosticKind::UnboundParameter,
                source,
                p.span,
                format!("parameter `{}` is not bound", p.name),
            )
            .with_help(format!(
                "give it a value, e.g. `--param {}=1` on the command line",
                p.name
            )));
        }
        if let Some((name, _)) = params
            .iter()
            .find(|(n, _)| !needed.iter().any(|p| p.name == *n))
        {
            return Err(Diagnostic::general(
                DiagnosticKind::UnusedBinding,
                format!("parameter `{name}` is bound but the formula does not use it"),
            )
            .with_help(if needed.is_empty() {
                "the formula has no parameters".to_string()
            } else {
                format!("the formula's parameters are: {}", join_names(&needed))
            }));
        }
        let mut g = Graph::default();
        let value = lower::lower(source, &formula, params, &mut g)?;
        let [tp, fn_, fp, tn] = diff::gradient(&mut g, value);
        let program = Program::new(&g, [value, tp, fn_, fp, tn]);
        // Simplification and differentiation multiply constants together; each one must
        // still be an f32, as the generated code and the core's f32 metric need.
        if let Some(v) = program.constants().find(|v| !(*v as f32).is_finite()) {
            return Err(Diagnostic::general(
                DiagnosticKind::ConstantOverflow,
                format!(
                    "the simplified value or gradient needs the constant {v:e}, beyond f32's largest, {:e}",
                    f32::MAX
                ),
            ));
        }
        let issues = domain::analyse(&program);
        Ok(FormulaMetric {
            inner: Arc::new(Compiled {
                source: source.to_string(),
                params: params.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
                program,
                issues,
            }),
        })
    }

    /// The parameters `source` needs, in order of first use. Names that look like
    /// misspellings of a count, definition or function are errors, not parameters.
    pub fn parameters_of(source: &str) -> Result<Vec<String>, Diagnostic> {
        let formula = parser::parse(source)?;
        Ok(resolve::parameters(source, &formula, &[])?
            .into_iter()
            .map(|p| p.name)
            .collect())
    }

    /// The formula's source text.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The bound parameters.
    pub fn params(&self) -> &[(String, f64)] {
        &self.inner.params
    }

    /// Every place the formula (or its gradient) is undefined for some non-negative counts.
    pub fn domain_issues(&self) -> &[Issue] {
        &self.inner.issues
    }

    /// Operation counts of the value and of value plus gradient.
    pub fn operation_count(&self) -> OperationCount {
        OperationCount {
            value: self.inner.program.value_ops(),
            total: self.inner.program.total_ops(),
        }
    }

    /// The simplified value and partials as math, with shared subexpressions named
    /// `t1, t2, ...`, one per line.
    pub fn pretty(&self) -> String {
        pretty::program(&self.inner.program)
    }

    /// Rust source of a unit struct `name` implementing `anyloss_core::Metric` (see
    /// [`crate::emit_rust`]).
    pub fn to_rust(&self, name: &str) -> Result<String, Diagnostic> {
        emit::rust(
            &self.inner.program,
            name,
            &Origin {
                source: &self.inner.source,
                params: &self.inner.params,
                issues: &self.inner.issues,
            },
        )
    }

    /// `[value, ∂TP, ∂FN, ∂FP, ∂TN]` in `f64` at the counts `[TP, FN, FP, TN]`; `Ok(None)`
    /// where the formula is undefined, an [`Overflow`] naming the sub-expression where the
    /// value or gradient overflows (see [`FormulaMetric::evaluate_checked`]).
    pub fn evaluate_f64(&self, counts: [f64; 4]) -> Result<Option<[f64; 5]>, Overflow> {
        overflow::checked(&self.inner.program, counts, &mut Vec::new())
    }

    /// The value and partials at `c`, as [`Metric::evaluate`] gives them, with overflow
    /// kept apart from undefined: `Ok(None)` where the formula is undefined (the loss's
    /// [`anyloss_core::Degenerate`] policy applies), `Err` where a step of the value or
    /// gradient is not finite or a result does not fit in `f32`, naming the sub-expression.
    ///
    /// ```
    /// use anyloss_core::Confusion;
    /// use anyloss_dsl::FormulaMetric;
    ///
    /// let m = FormulaMetric::compile("exp(1e10)*TP/(TP+FN)", &[])?;
    /// let err = m.evaluate_checked(&Confusion::new(3.0, 1.0, 0.0, 0.0)).unwrap_err();
    /// assert_eq!(err.expr, "exp(10000000000)");
    /// # Ok::<(), anyloss_dsl::Diagnostic>(())
    /// ```
    pub fn evaluate_checked(&self, c: &Confusion) -> Result<Option<Evaluation>, Overflow> {
        let counts = [c.tp, c.fn_, c.fp, c.tn].map(f64::from);
        Ok(self.evaluate_f64(counts)?.map(|out| {
            let [v, tp, fn_, fp, tn] = out.map(|x| x as f32);
            Evaluation::new(v, Partials::new(tp, fn_, fp, tn))
        }))
    }

    /// Sub-expressions that overflow for some counts: each combination of
    /// `0, 0.5, 1, 1e3, 1e6, 1e9` for `TP FN FP TN` is tried, and every sub-expression that
    /// overflows at one of them is listed with the first such point. A sample, not a
    /// proof: counts beyond a billion can overflow where these do not.
    pub fn overflow_risks(&self) -> Vec<Overflow> {
        overflow::probe(&self.inner.program)
    }
}

fn join_names(needed: &[resolve::ParameterUse]) -> String {
    needed
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_bindings(params: &[(&str, f64)]) -> Result<(), Diagnostic> {
    for (i, &(name, value)) in params.iter().enumerate() {
        let invalid = |msg: String| Err(Diagnostic::general(DiagnosticKind::InvalidBinding, msg));
        if names::is_reserved(name) {
            return invalid(format!(
                "`{name}` is a count or a function and cannot be bound as a parameter"
            ));
        }
        let is_ident = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_ident {
            return invalid(format!("`{name}` is not a valid parameter name"));
        }
        if !value.is_finite() {
            return invalid(format!("parameter `{name}` = {value} is not finite"));
        }
        if params.iter().take(i).any(|(n, _)| *n == name) {
            return invalid(format!("parameter `{name}` is bound twice"));
        }
    }
    Ok(())
}

impl Metric for FormulaMetric {
    /// `None` where the formula is undefined; where it overflows, an evaluation whose value
    /// and partials are NaN, which the core's loss reports as
    /// [`anyloss_core::Error::NonFiniteMetric`] ([`FormulaMetric::evaluate_checked`] names
    /// the sub-expression).
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        match self.evaluate_checked(c) {
            Ok(e) => e,
            Err(_) => Some(Evaluation::new(
                f32::NAN,
                Partials::new(f32::NAN, f32::NAN, f32::NAN, f32::NAN),
            )),
        }
    }

    fn range(&self) -> Range {
        Range::UNBOUNDED
    }
}
