//! Program nodes as readable math (`TP + FN`, `sqrt(a*b)`), for `check` and diagnostics.

use std::fmt::Write;

use crate::node::Node;
use crate::program::Program;

/// Longest rendering of one expression; longer ones end in `...`, so printing a deep DAG
/// stays linear however much it shares.
const MAX_CHARS: usize = 240;

/// Binding strength: sums < products < unary minus < powers < atoms.
fn precedence(node: &Node) -> u8 {
    match node {
        Node::Add(..) | Node::Sub(..) => 1,
        Node::Mul(..) | Node::Div(..) => 2,
        Node::Neg(_) => 3,
        Node::Pow(..) => 4,
        Node::Const(bits) if f64::from_bits(*bits) < 0.0 => 3,
        _ => 5,
    }
}

/// Renders node `i` of `nodes`; `name(j)` gives a name that stands for node `j` instead of
/// its expansion.
pub(crate) fn render(nodes: &[Node], i: usize, name: &dyn Fn(usize) -> Option<String>) -> String {
    let mut out = String::new();
    write_node(nodes, i, 0, name, &mut out);
    out
}

/// `f64` in the shortest form that reads back to the same value.
pub(crate) fn number(v: f64) -> String {
    format!("{v}")
}

fn write_node(
    nodes: &[Node],
    i: usize,
    outer: u8,
    name: &dyn Fn(usize) -> Option<String>,
    out: &mut String,
) {
    if out.len() > MAX_CHARS {
        if !out.ends_with("...") {
            out.push_str("...");
        }
        return;
    }
    if let Some(n) = name(i) {
        out.push_str(&n);
        return;
    }
    let Some(node) = nodes.get(i) else {
        out.push('?');
        return;
    };
    let p = precedence(node);
    let paren = p < outer;
    if paren {
        out.push('(');
    }
    let bin = |a: usize, op: &str, b: usize, left: u8, right: u8, out: &mut String| {
        write_node(nodes, a, left, name, out);
        out.push_str(op);
        write_node(nodes, b, right, name, out);
    };
    match *node {
        Node::Const(bits) => out.push_str(&number(f64::from_bits(bits))),
        Node::Var(c) => out.push_str(c.name()),
        Node::Add(a, b) => bin(a, " + ", b, 1, 1, out),
        Node::Sub(a, b) => bin(a, " - ", b, 1, 2, out),
        // `a * (1/y)` is how shared reciprocals are computed; it reads as `a/y`.
        Node::Mul(a, b) => match reciprocal_of(nodes, b, name) {
            Some(y) => bin(a, "/", y, 2, 3, out),
            None => bin(a, "*", b, 2, 2, out),
        },
        Node::Div(a, b) => bin(a, "/", b, 2, 3, out),
        Node::Pow(a, b) => bin(a, "^", b, 5, 4, out),
        Node::Neg(a) => {
            out.push('-');
            write_node(nodes, a, 3, name, out);
        }
        Node::Sqrt(a) | Node::Ln(a) | Node::Exp(a) | Node::Abs(a) | Node::Sign(a) => {
            let f = match node {
                Node::Sqrt(_) => "sqrt",
                Node::Ln(_) => "ln",
                Node::Exp(_) => "exp",
                Node::Abs(_) => "abs",
                _ => "sign",
            };
            let _ = write!(out, "{f}(");
            write_node(nodes, a, 0, name, out);
            out.push(')');
        }
        Node::Min(a, b) | Node::Max(a, b) => {
            out.push_str(if matches!(node, Node::Min(..)) {
                "min("
            } else {
                "max("
            });
            bin(a, ", ", b, 0, 0, out);
            out.push(')');
        }
        Node::Select(a, b, t, e) => {
            out.push_str("(if ");
            bin(a, " <= ", b, 0, 0, out);
            out.push_str(" then ");
            write_node(nodes, t, 0, name, out);
            out.push_str(" else ");
            write_node(nodes, e, 0, name, out);
            out.push(')');
        }
    }
    if paren {
        out.push(')');
    }
}

/// `y` when node `i` is an unnamed `1/y`.
fn reciprocal_of(
    nodes: &[Node],
    i: usize,
    name: &dyn Fn(usize) -> Option<String>,
) -> Option<usize> {
    match nodes.get(i) {
        Some(&Node::Div(one, y)) if name(i).is_none() => match nodes.get(one) {
            Some(Node::Const(bits)) if f64::from_bits(*bits) == 1.0 => Some(y),
            _ => None,
        },
        _ => None,
    }
}

/// The value and partials of `program` as math, with a temporary `t1, t2, ...` for every
/// operation used more than once.
pub(crate) fn program(program: &Program) -> String {
    let nodes = &program.nodes;
    let mut uses = vec![0usize; nodes.len()];
    for node in nodes {
        for op in node.operands() {
            if let Some(u) = uses.get_mut(op) {
                *u += 1;
            }
        }
    }
    for &o in &program.outputs {
        if let Some(u) = uses.get_mut(o) {
            *u += 1;
        }
    }
    let mut temp = vec![None; nodes.len()];
    let mut count = 0;
    for (i, node) in nodes.iter().enumerate() {
        if !node.is_leaf() && uses.get(i).copied().unwrap_or(0) > 1 {
            count += 1;
            if let Some(t) = temp.get_mut(i) {
                *t = Some(format!("t{count}"));
            }
        }
    }
    let mut out = String::new();
    for (i, t) in temp.iter().enumerate() {
        if let Some(t) = t {
            // A temporary's own definition expands its node, not its name.
            let body = render(nodes, i, &|j| {
                if j == i {
                    None
                } else {
                    temp.get(j).cloned().flatten()
                }
            });
            let _ = writeln!(out, "  {t} = {body}");
        }
    }
    let names = ["M", "∂M/∂TP", "∂M/∂FN", "∂M/∂FP", "∂M/∂TN"];
    for (label, &o) in names.iter().zip(&program.outputs) {
        let body = render(nodes, o, &|j| temp.get(j).cloned().flatten());
        let _ = writeln!(out, "  {label} = {body}");
    }
    out
}
