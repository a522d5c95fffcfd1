//! Name resolution: every name of a formula is a count, a definition, a function or a
//! parameter, or an error with a "did you mean" hint; every definition is used.

use std::collections::HashMap;

use crate::ast::{Expr, ExprKind, Formula, Span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
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
    let mut stack: Vec<usize> = walk.used.get(&Owner::Body).cloned().unwrap_or_default();
    while let Some(i) = stack.pop() {
        if let Some(slot) = live.get_mut(i) {
            if !*slot {
                *slot = true;
                let uses = walk.used.get(&Owner::Definition(i));
                stack.extend(uses.into_iter().flatten().copied());
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

/// The part of a formula a name is used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    /// The definition with this index.
    Definition(usize),
    /// The final expression.
    Body,
}

struct NameWalk<'a> {
    source: &'a str,
    formula: &'a Formula,
    bound: &'a [&'a str],
    /// Definitions seen so far, by name, to their index.
    defined: HashMap<&'a str, usize>,
    /// For each part of the formula, the indices of the definitions it uses.
    used: HashMap<Owner, Vec<usize>>,
    params: Vec<ParameterUse>,
}

impl<'a> NameWalk<'a> {
    /// The part being walked: definitions are walked in order, each entered into
    /// `defined` once walked, then the body.
    fn owner(&self) -> Owner {
        if self.defined.len() < self.formula.definitions.len() {
            Owner::Definition(self.defined.len())
        } else {
            Owner::Body
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
            let own = match self.owner() {
                Owner::Definition(i) => self.formula.definitions.get(i),
                Owner::Body => None,
            };
            let msg = if own.is_some_and(|d| d.name == name) {
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
