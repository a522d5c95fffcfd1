//! From the syntax tree to the DAG: name resolution (with "did you mean" hints), parameter
//! binding, and the constant checks that need a source position (division by a literal
//! zero, `sqrt(-1)`, overflow).

use std::collections::HashMap;

use crate::ast::{BinOp, Expr, ExprKind, Formula, Span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::graph::{Graph, Id};
use crate::names::{self, Function, CONVENTIONAL_PARAMETERS};

/// A parameter the formula needs, with its first use.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParameterUse {
    pub name: String,
    pub span: Span,
}

/// Checks every name in `formula` and returns the parameters it needs, in order of first
/// use. `bound` are names the caller binds: a free name close to one of them is reported as
/// a misspelling rather than taken as a new parameter.
pub(crate) fn parameters(
    source: &str,
    formula: &Formula,
    bound: &[&str],
) -> Result<Vec<ParameterUse>, Diagnostic> {
    let mut walk = NameWalk {
        source,
        formula,
        bound,
        defined: HashMap::new(),
        used: HashMap::new(),
        params: Vec::new(),
    };
    for (i, def) in formula.definitions.iter().enumerate() {
        if names::is_reserved(&def.name) {
            let what = if names::Function::by_name(&def.name).is_some() {
                "a function"
            } else {
                "a built-in count"
            };
            return Err(Diagnostic::at(
                DiagnosticKind::Redefinition,
                source,
                def.name_span,
                format!("`{}` is {what} and cannot be redefined", def.name),
            )
            .with_help("choose another name for the definition"));
        }
        if let Some(&first) = walk.defined.get(def.name.as_str()) {
            let first = formula.definitions.get(first).map_or(0, |d| d.name_span.0);
            let (line, col) = line_col(source, first);
            return Err(Diagnostic::at(
                DiagnosticKind::Redefinition,
                source,
                def.name_span,
                format!("`{}` is already defined at {line}:{col}", def.name),
            )
            .with_help("each name can be defined once; rename one of them"));
        }
        walk.expr(&def.body)?;
        walk.defined.insert(def.name.as_str(), i);
    }
    walk.expr(&formula.body)?;
    // A definition is used if the body, or a used definition, refers to it.
    let mut live = vec![false; formula.definitions.len()];
    let mut stack: Vec<usize> = walk.used.get(&usize::MAX).cloned().unwrap_or_default();
    while let Some(i) = stack.pop() {
        if let Some(slot) = live.get_mut(i) {
            if !*slot {
                *slot = true;
                stack.extend(walk.used.get(&i).cloned().unwrap_or_default());
            }
        }
    }
    if let Some((def, _)) = formula
        .definitions
        .iter()
        .zip(&live)
        .find(|(_, live)| !**live)
    {
        return Err(Diagnostic::at(
            DiagnosticKind::UnusedDefinition,
            source,
            def.name_span,
            format!("`{}` is defined but never used", def.name),
        )
        .with_help("use it in the final expression, or remove it"));
    }
    Ok(walk.params)
}

fn line_col(source: &str, at: usize) -> (usize, usize) {
    let before = source.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct NameWalk<'a> {
    source: &'a str,
    formula: &'a Formula,
    bound: &'a [&'a str],
    /// Definitions seen so far, by name, to their index.
    defined: HashMap<&'a str, usize>,
    /// For each definition index (`usize::MAX` for the body), the definitions it uses.
    used: HashMap<usize, Vec<usize>>,
    params: Vec<ParameterUse>,
}

impl<'a> NameWalk<'a> {
    /// Index of the definition being walked, or `usize::MAX` for the body.
    fn owner(&self) -> usize {
        if self.defined.len() < self.formula.definitions.len() {
            self.defined.len()
        } else {
            usize::MAX
        }
    }

    fn expr(&mut self, e: &'a Expr) -> Result<(), Diagnostic> {
        match &e.kind {
            ExprKind::Number(_) => Ok(()),
            ExprKind::Neg(x) => self.expr(x),
            ExprKind::Binary(_, a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                let Some(f) = Function::by_name(name) else {
                    let mut d = Diagnostic::at(
                        DiagnosticKind::UnknownFunction,
                        self.source,
                        *name_span,
                        format!("unknown function `{name}`"),
                    );
                    let hint = match name.as_str() {
                        "log" | "log10" | "log2" => Some("`ln` (natural logarithm)"),
                        "pow" => Some("the `^` operator"),
                        _ => None,
                    };
                    let nearest = names::nearest(name, Function::ALL.map(Function::name));
                    d = match (hint, nearest) {
                        (Some(h), _) => d.with_help(format!("use {h}")),
                        (None, Some(n)) => d.with_help(format!("did you mean `{n}`?")),
                        (None, None) => {
                            d.with_help("the functions are sqrt, ln, exp, abs, min, max")
                        }
                    };
                    return Err(d);
                };
                if args.len() != f.arity() {
                    let s = if f.arity() == 1 { "" } else { "s" };
                    return Err(Diagnostic::at(
                        DiagnosticKind::WrongArity,
                        self.source,
                        e.span,
                        format!(
                            "`{name}` takes {} argument{s}, found {}",
                            f.arity(),
                            args.len()
                        ),
                    ));
                }
                args.iter().try_for_each(|a| self.expr(a))
            }
            ExprKind::Name(name) => self.name(name, e.span),
        }
    }

    fn name(&mut self, name: &'a str, span: Span) -> Result<(), Diagnostic> {
        if let Some(&i) = self.defined.get(name) {
            let owner = self.owner();
            self.used.entry(owner).or_default().push(i);
            return Ok(());
        }
        if names::count(name).is_some() || names::derived(name).is_some() {
            return Ok(());
        }
        if Function::by_name(name).is_some() {
            return Err(Diagnostic::at(
                DiagnosticKind::FunctionAsValue,
                self.source,
                span,
                format!("`{name}` is a function, not a value"),
            )
            .with_help(format!("call it: `{name}(...)`")));
        }
        if let Some(later) = self.formula.definitions.iter().find(|d| d.name == name) {
            let (line, col) = line_col(self.source, later.name_span.0);
            let msg = if self.owner() < self.formula.definitions.len()
                && self
                    .formula
                    .definitions
                    .get(self.owner())
                    .map(|d| d.name.as_str())
                    == Some(name)
            {
                format!("`{name}` is used in its own definition")
            } else {
                format!("`{name}` is used before its definition at {line}:{col}")
            };
            return Err(
                Diagnostic::at(DiagnosticKind::UnknownIdentifier, self.source, span, msg)
                    .with_help(
                        "definitions can only use counts, parameters and earlier definitions",
                    ),
            );
        }
        if self.params.iter().any(|p| p.name == name) {
            return Ok(());
        }
        let mut known: Vec<&str> = names::builtin_names().collect();
        known.extend(self.defined.keys().copied());
        known.extend(CONVENTIONAL_PARAMETERS);
        known.extend(self.bound.iter().copied());
        if let Some(near) = names::nearest(name, known) {
            let near = near.as_str();
            let is_parameter =
                CONVENTIONAL_PARAMETERS.contains(&near) || self.bound.contains(&near);
            // A name near a parameter is itself a plausible parameter, unless the caller
            // bound the near one: then it is a misspelling of it.
            if !is_parameter || self.bound.contains(&near) {
                return Err(Diagnostic::at(
                    DiagnosticKind::UnknownIdentifier,
                    self.source,
                    span,
                    format!("unknown identifier `{name}`"),
                )
                .with_help(format!("did you mean `{near}`?")));
            }
        }
        self.params.push(ParameterUse {
            name: name.to_string(),
            span,
        });
        Ok(())
    }
}

/// Lowers `formula` into `g` with `params` bound; names were checked by [`parameters`].
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
            let mut terms = d
                .terms
                .iter()
                .map(|&c| g.var(c))
                .collect::<Vec<_>>()
                .into_iter();
            let first = terms.next().unwrap_or(0);
            return Ok(terms.fold(first, |acc, t| g.add(acc, t)));
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
