//! Symbolic partial derivatives with respect to the four counts, in reverse mode.
//!
//! One sweep over the DAG from the value down to the counts accumulates each node's
//! adjoint `∂M/∂node` as new nodes of the same graph. Every node is visited once and adds a
//! bounded number of nodes, so the four partials together cost a constant factor over the
//! value (the "cheap gradient principle"), and they share each other's and the value's
//! subexpressions through hash-consing.

use std::collections::HashMap;

use crate::count::Count;
use crate::graph::Graph;
use crate::node::{Id, Node};

/// `[∂root/∂TP, ∂root/∂FN, ∂root/∂FP, ∂root/∂TN]`.
pub(crate) fn gradient(g: &mut Graph, root: Id) -> [Id; 4] {
    let mut adjoint: HashMap<Id, Id> = HashMap::new();
    let one = g.konst(1.0);
    adjoint.insert(root, one);
    for id in (0..=root).rev() {
        let Some(&a) = adjoint.get(&id) else {
            continue;
        };
        let mut push = |g: &mut Graph, x: Id, d: Id| {
            let sum = match adjoint.get(&x) {
                Some(&prev) => g.add(prev, d),
                None => d,
            };
            adjoint.insert(x, sum);
        };
        match g.node(id) {
            Node::Const(_) | Node::Var(_) | Node::Sign(_) => {}
            Node::Add(x, y) => {
                push(g, x, a);
                push(g, y, a);
            }
            Node::Sub(x, y) => {
                push(g, x, a);
                let d = g.neg(a);
                push(g, y, d);
            }
            Node::Mul(x, y) => {
                let dx = g.mul(a, y);
                push(g, x, dx);
                let dy = g.mul(a, x);
                push(g, y, dy);
            }
            Node::Div(x, y) => {
                // q = x/y: ∂q/∂x = 1/y and ∂q/∂y = -q/y share the one division a/y.
                let a_over_y = g.div(a, y);
                push(g, x, a_over_y);
                let t = g.mul(a_over_y, id);
                let dy = g.neg(t);
                push(g, y, dy);
            }
            Node::Neg(x) => {
                let d = g.neg(a);
                push(g, x, d);
            }
            Node::Pow(x, y) => {
                if let Some(c) = g.constant(y) {
                    let c1 = g.konst(c - 1.0);
                    let p = g.pow(x, c1);
                    let kc = g.konst(c);
                    let k = g.mul(kc, p);
                    let d = g.mul(a, k);
                    push(g, x, d);
                } else {
                    // x^y = exp(y ln x): ∂/∂x = y x^(y-1), ∂/∂y = x^y ln x.
                    let one = g.konst(1.0);
                    let y1 = g.sub(y, one);
                    let p = g.pow(x, y1);
                    let k = g.mul(y, p);
                    let dx = g.mul(a, k);
                    push(g, x, dx);
                    let l = g.ln(x);
                    let k = g.mul(id, l);
                    let dy = g.mul(a, k);
                    push(g, y, dy);
                }
            }
            Node::Sqrt(x) => {
                let half = g.konst(0.5);
                let h = g.mul(half, a);
                let d = g.div(h, id);
                push(g, x, d);
            }
            Node::Ln(x) => {
                let d = g.div(a, x);
                push(g, x, d);
            }
            Node::Exp(x) => {
                let d = g.mul(a, id);
                push(g, x, d);
            }
            Node::Abs(x) => {
                let s = g.sign(x);
                let d = g.mul(a, s);
                push(g, x, d);
            }
            Node::Min(x, y) => {
                let zero = g.konst(0.0);
                let dx = g.select(x, y, a, zero);
                push(g, x, dx);
                let dy = g.select(x, y, zero, a);
                push(g, y, dy);
            }
            Node::Max(x, y) => {
                let zero = g.konst(0.0);
                let dx = g.select(x, y, zero, a);
                push(g, x, dx);
                let dy = g.select(x, y, a, zero);
                push(g, y, dy);
            }
            Node::Select(p, q, t, e) => {
                let zero = g.konst(0.0);
                let dt = g.select(p, q, a, zero);
                push(g, t, dt);
                let de = g.select(p, q, zero, a);
                push(g, e, de);
            }
        }
    }
    Count::ALL.map(|c| {
        let v = g.var(c);
        match adjoint.get(&v) {
            Some(&d) if v <= root => d,
            _ => g.konst(0.0),
        }
    })
}
