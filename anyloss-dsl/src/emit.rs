//! A [`Program`] as Rust source: a unit struct implementing `anyloss_core::Metric`, with one
//! `let` per operation and an early `return None` after each guarded operand. The code is
//! `#![no_std]`-compatible (only `core` and `anyloss_core`), allocation-free, panic-free (no
//! indexing, no unwrap; float division cannot panic) and rustfmt-clean.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::domain::Issue;
use crate::graph::{Count, Guard, Node};
use crate::program::Program;

/// What the generated code documents about its origin.
pub(crate) struct Origin<'a> {
    pub source: &'a str,
    pub params: &'a [(String, f64)],
    pub issues: &'a [Issue],
}

/// Checks that `name` can name the generated type without lints firing: UpperCamelCase
/// ASCII (`F1`, `MyF2`).
pub(crate) fn check_type_name(name: &str) -> Result<(), Diagnostic> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !matches!(name, "Self");
    if ok {
        return Ok(());
    }
    let suggestion: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    let mut d = Diagnostic::general(
        DiagnosticKind::InvalidName,
        format!("`{name}` cannot name the generated type: use UpperCamelCase ASCII letters and digits, starting with a capital letter"),
    );
    if suggestion
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
    {
        d = d.with_help(format!("try `{suggestion}`"));
    }
    Err(d)
}

/// A literal Rust accepts as `f32` (shortest round-trip form).
fn literal(v: f64) -> String {
    let s = format!("{:?}", v as f32);
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// Rust source of a type `name` implementing `anyloss_core::Metric` for `program`.
pub(crate) fn rust(
    program: &Program,
    name: &str,
    origin: &Origin<'_>,
) -> Result<String, Diagnostic> {
    check_type_name(name)?;
    check_constants(program)?;
    let body = Body::of(program);
    let mut s = String::new();
    header(&mut s, name, program, origin);
    let _ = writeln!(s, "impl anyloss_core::Metric for {name} {{");
    evaluate_fn(&mut s, program, &body);
    s.push_str("    fn range(&self) -> anyloss_core::Range {\n");
    s.push_str("        anyloss_core::Range::UNBOUNDED\n    }\n}\n");
    Ok(s)
}

/// Every constant must be representable in the generated code's f32.
fn check_constants(program: &Program) -> Result<(), Diagnostic> {
    match program.nodes.iter().find_map(|n| match n {
        Node::Const(bits) if !(f64::from_bits(*bits) as f32).is_finite() => {
            Some(f64::from_bits(*bits))
        }
        _ => None,
    }) {
        Some(v) => Err(Diagnostic::general(
            DiagnosticKind::ConstantOverflow,
            format!("the constant {v} does not fit in f32"),
        )),
        None => Ok(()),
    }
}

/// The statements of `evaluate`: one `let` per operation, each guarded operand followed by
/// its early return.
struct Body {
    /// The expression (a literal, a count or a temporary) naming each node's value.
    names: Vec<String>,
    /// The statements.
    code: String,
    /// The `anyloss_core::math` functions the statements call.
    functions: Vec<&'static str>,
}

impl Body {
    fn of(program: &Program) -> Self {
        let mut body = Body {
            names: Vec::with_capacity(program.nodes.len()),
            code: String::new(),
            functions: Vec::new(),
        };
        let mut temps = 0usize;
        for (i, node) in program.nodes.iter().enumerate() {
            let name = match *node {
                Node::Const(bits) => literal(f64::from_bits(bits)),
                Node::Var(c) => {
                    let _ = writeln!(body.code, "        let {} = c.{};", var_name(c), c.field());
                    var_name(c).to_string()
                }
                _ => {
                    let expr = body.expression(node);
                    temps += 1;
                    let t = format!("t{temps}");
                    let _ = writeln!(body.code, "        let {t} = {expr};");
                    t
                }
            };
            if !matches!(node, Node::Const(_)) {
                emit_guard(program, i, &name, &mut body.code);
            }
            body.names.push(name);
        }
        body.functions.sort_unstable();
        body.functions.dedup();
        body
    }

    /// The Rust expression of an operation node over the names of its operands.
    fn expression(&mut self, node: &Node) -> String {
        let arg = |j: usize| self.names.get(j).cloned().unwrap_or_default();
        let (f, args): (&'static str, Vec<String>) = match *node {
            Node::Const(_) | Node::Var(_) => return String::new(),
            Node::Add(a, b) => return format!("{} + {}", arg(a), arg(b)),
            Node::Sub(a, b) => return format!("{} - {}", arg(a), arg(b)),
            Node::Mul(a, b) => return format!("{} * {}", arg(a), arg(b)),
            Node::Div(a, b) => return format!("{} / {}", arg(a), arg(b)),
            Node::Neg(a) => return format!("-{}", arg(a)),
            Node::Min(a, b) => return format!("{}.min({})", arg(a), arg(b)),
            Node::Max(a, b) => return format!("{}.max({})", arg(a), arg(b)),
            Node::Sign(a) => {
                let x = arg(a);
                return format!(
                    "if {x} > 0.0 {{\n            1.0\n        }} else if {x} < 0.0 {{\n            -1.0\n        }} else {{\n            0.0\n        }}"
                );
            }
            Node::Select(a, b, t, e) => {
                return format!(
                    "if {} <= {} {{ {} }} else {{ {} }}",
                    arg(a),
                    arg(b),
                    arg(t),
                    arg(e)
                )
            }
            Node::Pow(a, b) => ("pow", vec![arg(a), arg(b)]),
            Node::Sqrt(a) => ("sqrt", vec![arg(a)]),
            Node::Ln(a) => ("ln", vec![arg(a)]),
            Node::Exp(a) => ("exp", vec![arg(a)]),
            Node::Abs(a) => ("abs", vec![arg(a)]),
        };
        self.functions.push(f);
        format!("{f}({})", args.join(", "))
    }

    /// The name of output `k` (value, then the four partials).
    fn output(&self, program: &Program, k: usize) -> String {
        program
            .outputs
            .get(k)
            .and_then(|&o| self.names.get(o))
            .cloned()
            .unwrap_or_default()
    }
}

/// `fn evaluate`: the imports of the math functions, the body, and the evaluation.
fn evaluate_fn(s: &mut String, program: &Program, body: &Body) {
    let uses_counts = program.nodes.iter().any(|n| matches!(n, Node::Var(_)));
    let _ = writeln!(
        s,
        "    // Folded constants can approximate π or ln 2, and `x / x` is kept because it is"
    );
    let _ = writeln!(s, "    // undefined at 0; neither is a mistake here.");
    let _ = writeln!(s, "    #[allow(clippy::approx_constant, clippy::eq_op)]");
    let _ = writeln!(
        s,
        "    fn evaluate(&self, {}: &anyloss_core::Confusion) -> Option<anyloss_core::Evaluation> {{",
        if uses_counts { "c" } else { "_c" }
    );
    match body.functions.as_slice() {
        [] => {}
        [f] => {
            let _ = writeln!(s, "        use anyloss_core::math::{f};");
        }
        fs => {
            let _ = writeln!(s, "        use anyloss_core::math::{{{}}};", fs.join(", "));
        }
    }
    s.push_str(&body.code);
    let out = |k: usize| body.output(program, k);
    let _ = writeln!(
        s,
        "        let partials = anyloss_core::Partials::new({}, {}, {}, {});",
        out(1),
        out(2),
        out(3),
        out(4)
    );
    // No finiteness check here: the guards cover every undefined operation, and the loss
    // filters an overflow to infinity through `Degenerate::evaluate`, as for the built-ins.
    let _ = writeln!(
        s,
        "        Some(anyloss_core::Evaluation::new({}, partials))\n    }}\n",
        out(0)
    );
}

fn var_name(c: Count) -> &'static str {
    c.field()
}

fn emit_guard(program: &Program, i: usize, name: &str, body: &mut String) {
    for &(_, guard) in program.guards.iter().filter(|(j, _)| *j == i) {
        let cond = match guard {
            Guard::NonZero => format!("{name} == 0.0"),
            Guard::NonNegative => format!("{name} < 0.0"),
            Guard::Positive => format!("{name} <= 0.0"),
        };
        let _ = writeln!(
            body,
            "        if {cond} {{\n            return None;\n        }}"
        );
    }
}

fn header(s: &mut String, name: &str, program: &Program, origin: &Origin<'_>) {
    let _ = writeln!(
        s,
        "/// `{name}`: a metric generated by anyloss-dsl from the formula below; regenerate, do"
    );
    let _ = writeln!(s, "/// not edit.\n///\n/// ```text");
    for line in origin.source.lines() {
        let line = line.trim_end().replace("```", "'''");
        if line.is_empty() {
            s.push_str("///\n");
        } else {
            let _ = writeln!(s, "/// {line}");
        }
    }
    s.push_str("/// ```\n");
    if !origin.params.is_empty() {
        let bound: Vec<String> = origin
            .params
            .iter()
            .map(|(n, v)| format!("`{n} = {v}`"))
            .collect();
        let _ = writeln!(s, "///\n/// Parameters: {}.", bound.join(", "));
    }
    s.push_str("///\n");
    if origin.issues.is_empty() {
        s.push_str("/// Defined for all non-negative counts.\n");
    } else {
        s.push_str(
            "/// `evaluate` returns `None`, and the loss applies its `Degenerate` policy, where:\n",
        );
        for issue in origin.issues {
            let _ = writeln!(s, "/// - {issue}.");
        }
    }
    let _ = writeln!(
        s,
        "///\n/// Value and gradient: {} operations ({} for the value alone).",
        program.total_ops(),
        program.value_ops()
    );
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]\n");
    let _ = writeln!(s, "pub struct {name};\n");
}
