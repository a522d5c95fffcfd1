//! From the resolved syntax tree to the DAG: parameter binding, and the constant checks
//! that need a source position (division by a literal zero, `sqrt(-1)`, overflow).

use std::collections::HashMap;

use crate::ast::{BinOp, Expr, ExprKind, Formula, Span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::graph::Graph;
use crate::names::{self, Function};
use crate::node::Id;

/// Lowers `formula` into `g` with `params` bound; names were checked by [`crate::resolve::parameters`].
pub(crate) fn lower(
    source: &str,
    formula: &Formula,
    params: &[(&str, f64)],
    g: &mut Graph,
) -> Result<Id, Diagnostic> {
    let mut env = Env {
        source,
        params,
        defs: HashMap::new(),
    };
    for def in &formula.definitions {
        let id = env.expr(&def.body, g)?;
        env.defs.insert(def.name.as_str(), id);
    }
    env.expr(&formula.body, g)
}

struct Env<'a> {
    source: &'a str,
    params: &'a [(&'a str, f64)],
    defs: HashMap<&'a str, Id>,
}

impl Env<'_> {
    fn error(&self, kind: DiagnosticKind, span: Span, msg: String) -> Diagnostic {
        Diagnostic::at(kind, self.source, span, msg)
    }

    fn text(&self, span: Span) -> &str {
        self.source.get(span.0..span.1).unwrap_or("?").trim()
    }

    fn expr(&self, e: &Expr, g: &mut Graph) -> Result<Id, Diagnostic> {
        let id = match &e.kind {
            ExprKind::Number(v) => g.konst(*v),
            ExprKind::Name(name) => self.name(name, e.span, g)?,
            ExprKind::Neg(x) => {
                let x = self.expr(x, g)?;
                g.neg(x)
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.expr(a, g)?;
                let y = self.expr(b, g)?;
                self.binary(*op, (x, y), b.span, e.span, g)?
            }
            ExprKind::Call { name, args, .. } => {
                let ids = args
                    .iter()
                    .map(|a| self.expr(a, g))
                    .collect::<Result<Vec<_>, _>>()?;
                self.call(name, &ids, args, e.span, g)?
            }
        };
        match g.constant(id) {
            Some(v) if !(v as f32).is_finite() => Err(self.error(
                DiagnosticKind::ConstantOverflow,
                e.span,
                format!(
                    "`{}` overflows: its value is beyond f32's largest, {:e}",
                    self.text(e.span),
                    f32::MAX
                ),
            )),
            _ => Ok(id),
        }
    }

    fn name(&self, name: &str, span: Span, g: &mut Graph) -> Result<Id, Diagnostic> {
        if let Some(&id) = self.defs.get(name) {
            return Ok(id);
        }
        if let Some(c) = names::count(name) {
            return Ok(g.var(c));
        }
        if let Some(d) = names::derived(name) {
            let first = g.var(d.first);
            let rest: Vec<Id> = d.rest.iter().map(|&c| g.var(c)).collect();
            return Ok(rest.into_iter().fold(first, |acc, t| g.add(acc, t)));
        }
        match self.params.iter().find(|(n, _)| *n == name) {
            Some(&(_, v)) => Ok(g.konst(v)),
            None => Err(self.error(
                DiagnosticKind::UnboundParameter,
                span,
                format!("parameter `{name}` is not bound"),
            )),
        }
    }

    fn binary(
        &self,
        op: BinOp,
        (x, y): (Id, Id),
        rhs_span: Span,
        span: Span,
        g: &mut Graph,
    ) -> Result<Id, Diagnostic> {
        let (cx, cy) = (g.constant(x), g.constant(y));
        Ok(match op {
            BinOp::Add => g.add(x, y),
            BinOp::Sub => g.sub(x, y),
            BinOp::Mul => g.mul(x, y),
            BinOp::Div => {
                if cy == Some(0.0) {
                    let text = self.text(rhs_span);
                    let msg = if text.parse::<f64>().is_ok() {
                        "division by zero".to_string()
                    } else {
                        format!("division by zero: `{text}` is 0")
                    };
                    return Err(self.error(DiagnosticKind::DivisionByZero, rhs_span, msg));
                }
                g.div(x, y)
            }
            BinOp::Pow => {
                if let (Some(b), Some(e)) = (cx, cy) {
                    if b.powf(e).is_infinite() && b != 0.0 {
                        return Err(self.error(
                            DiagnosticKind::ConstantOverflow,
                            span,
                            format!("`{}` overflows: its value is too large", self.text(span)),
                        ));
                    }
                    if b.powf(e).is_nan() || (b == 0.0 && e < 0.0) {
                        return Err(self.error(
                            DiagnosticKind::ConstantOutOfDomain,
                            span,
                            format!(
                                "`{}` is undefined: {b}^{e} has no real value",
                                self.text(span)
                            ),
                        ));
                    }
                }
                g.pow(x, y)
            }
        })
    }

    fn call(
        &self,
        name: &str,
        ids: &[Id],
        args: &[Expr],
        span: Span,
        g: &mut Graph,
    ) -> Result<Id, Diagnostic> {
        let f = Function::by_name(name);
        let (a, b) = match ids {
            [a] => (*a, *a),
            [a, b] => (*a, *b),
            _ => {
                return Err(self.error(
                    DiagnosticKind::WrongArity,
                    span,
                    format!("`{name}` called with {} arguments", ids.len()),
                ))
            }
        };
        if let (Some(c), Some(arg)) = (g.constant(a), args.first()) {
            let bad = match f {
                Some(Function::Sqrt) => (c < 0.0).then_some("a negative number"),
                Some(Function::Ln) => (c <= 0.0).then_some("a number that is not positive"),
                _ => None,
            };
            if let Some(what) = bad {
                return Err(self.error(
                    DiagnosticKind::ConstantOutOfDomain,
                    arg.span,
                    format!("`{name}` of {what}: `{}` is {c}", self.text(arg.span)),
                ));
            }
        }
        Ok(match f {
            Some(Function::Sqrt) => g.sqrt(a),
            Some(Function::Ln) => g.ln(a),
            Some(Function::Exp) => g.exp(a),
            Some(Function::Abs) => g.abs(a),
            Some(Function::Min) => g.min(a, b),
            Some(Function::Max) => g.max(a, b),
            None => {
                return Err(self.error(
                    DiagnosticKind::UnknownFunction,
                    span,
                    format!("unknown function `{name}`"),
                ))
            }
        })
    }
}
