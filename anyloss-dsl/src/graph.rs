//! The hash-consed expression DAG and its simplifying constructors.
//!
//! Every node is interned: building the same operation on the same operands twice returns
//! the same [`Id`], so common subexpressions are shared by construction (CSE), and
//! derivatives, which repeat their function's subexpressions, stay linear in size. Each
//! constructor simplifies locally before interning: constant folding, neutral and absorbing
//! elements, like terms (`2x + 3x = 5x`, `x - x = 0`), sign normalisation (`a + -b = a - b`)
//! and a canonical operand order for `+ * min max`, so `a+b` and `b+a` are one node.
//! Operands always have smaller ids than their node, so id order is a topological order.

// Float comparisons read better as guards (`Some(x) if x == 0.0`) than as float literal
// patterns, and mean the same.
#![allow(clippy::redundant_guards)]

use std::collections::HashMap;

use crate::count::Count;
use crate::node::{sign, Id, Node};

/// An interned expression DAG.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    nodes: Vec<Node>,
    index: HashMap<Node, Id>,
}

impl Graph {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The node `id`. Every [`Id`] comes from this graph's constructors; an id from
    /// elsewhere reads as a constant NaN, which fails every domain check.
    pub fn node(&self, id: Id) -> Node {
        debug_assert!(id < self.nodes.len(), "node {id} is not in the graph");
        self.nodes
            .get(id)
            .copied()
            .unwrap_or(Node::Const(f64::NAN.to_bits()))
    }

    /// The value of `id` if it is a constant.
    pub fn constant(&self, id: Id) -> Option<f64> {
        match self.node(id) {
            Node::Const(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }

    fn is(&self, id: Id, v: f64) -> bool {
        self.constant(id) == Some(v)
    }

    fn intern(&mut self, node: Node) -> Id {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(node);
        self.index.insert(node, id);
        id
    }

    /// A constant (`-0.0` is stored as `0.0`).
    pub fn konst(&mut self, v: f64) -> Id {
        let v = if v == 0.0 { 0.0 } else { v };
        self.intern(Node::Const(v.to_bits()))
    }

    /// A count.
    pub fn var(&mut self, c: Count) -> Id {
        self.intern(Node::Var(c))
    }

    /// `(k, x)` with `id = k·x`, for collecting like terms.
    fn coefficient(&self, id: Id) -> (f64, Id) {
        match self.node(id) {
            Node::Mul(k, x) => match self.constant(k) {
                Some(k) => (k, x),
                None => (1.0, id),
            },
            _ => (1.0, id),
        }
    }

    /// Commutative operands in canonical order: constants first, then by id.
    fn ordered(&self, a: Id, b: Id) -> (Id, Id) {
        match (self.constant(a).is_some(), self.constant(b).is_some()) {
            (false, true) => (b, a),
            (true, false) => (a, b),
            _ => (a.min(b), a.max(b)),
        }
    }

    /// `a + b`.
    pub fn add(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => return self.konst(x + y),
            (Some(x), None) if x == 0.0 => return b,
            (None, Some(y)) if y == 0.0 => return a,
            (Some(x), None) if x < 0.0 => {
                let k = self.konst(-x);
                return self.sub(b, k);
            }
            (None, Some(y)) if y < 0.0 => {
                let k = self.konst(-y);
                return self.sub(a, k);
            }
            _ => {}
        }
        if let Node::Neg(y) = self.node(b) {
            return self.sub(a, y);
        }
        if let Node::Neg(x) = self.node(a) {
            return self.sub(b, x);
        }
        let (ka, xa) = self.coefficient(a);
        let (kb, xb) = self.coefficient(b);
        if xa == xb {
            let k = self.konst(ka + kb);
            return self.mul(k, xa);
        }
        if kb < 0.0 {
            let t = self.scale(-kb, xb);
            return self.sub(a, t);
        }
        if ka < 0.0 {
            let t = self.scale(-ka, xa);
            return self.sub(b, t);
        }
        // Fold constants across one level: c1 + (c2 + x) = (c1+c2) + x.
        if let Some(c) = self.constant(a) {
            if let Node::Add(p, q) = self.node(b) {
                if let Some(d) = self.constant(p) {
                    let k = self.konst(c + d);
                    return self.add(k, q);
                }
            }
        }
        let (a, b) = self.ordered(a, b);
        self.intern(Node::Add(a, b))
    }

    fn scale(&mut self, k: f64, x: Id) -> Id {
        let k = self.konst(k);
        self.mul(k, x)
    }

    /// `a - b`.
    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => return self.konst(x - y),
            (None, Some(y)) if y == 0.0 => return a,
            (Some(x), None) if x == 0.0 => return self.neg(b),
            (None, Some(y)) if y < 0.0 => {
                let k = self.konst(-y);
                return self.add(a, k);
            }
            _ => {}
        }
        if a == b {
            return self.konst(0.0);
        }
        if let Node::Neg(y) = self.node(b) {
            return self.add(a, y);
        }
        let (ka, xa) = self.coefficient(a);
        let (kb, xb) = self.coefficient(b);
        if xa == xb {
            let k = self.konst(ka - kb);
            return self.mul(k, xa);
        }
        if kb < 0.0 {
            let t = self.scale(-kb, xb);
            return self.add(a, t);
        }
        self.intern(Node::Sub(a, b))
    }

    /// `-a`.
    pub fn neg(&mut self, a: Id) -> Id {
        if let Some(x) = self.constant(a) {
            return self.konst(-x);
        }
        match self.node(a) {
            Node::Neg(x) => x,
            Node::Sub(x, y) => self.sub(y, x),
            Node::Mul(k, x) if self.constant(k).is_some() => {
                let k = self.constant(k).map_or(0.0, |k| -k);
                self.scale(k, x)
            }
            _ => self.intern(Node::Neg(a)),
        }
    }

    /// `a · b`.
    pub fn mul(&mut self, a: Id, b: Id) -> Id {
        let (a, b) = self.ordered(a, b);
        if let Some(x) = self.constant(a) {
            if let Some(y) = self.constant(b) {
                return self.konst(x * y);
            }
            if x == 0.0 {
                return a;
            }
            if x == 1.0 {
                return b;
            }
            if x == -1.0 {
                return self.neg(b);
            }
            match self.node(b) {
                Node::Mul(p, q) => {
                    if let Some(y) = self.constant(p) {
                        return self.scale(x * y, q);
                    }
                }
                Node::Div(p, q) => {
                    if let Some(y) = self.constant(p) {
                        let k = self.konst(x * y);
                        return self.div(k, q);
                    }
                }
                _ => {}
            }
        }
        if let Node::Neg(x) = self.node(a) {
            let m = self.mul(x, b);
            return self.neg(m);
        }
        if let Node::Neg(y) = self.node(b) {
            let m = self.mul(a, y);
            return self.neg(m);
        }
        self.intern(Node::Mul(a, b))
    }

    /// `a / b`. A literal-zero denominator is rejected with its position before this is
    /// called; here `b = 0` is simply not folded.
    pub fn div(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) if y != 0.0 => return self.konst(x / y),
            // 0/b = 0 wherever b != 0; only derivatives produce it, and b keeps its own
            // guard wherever the value still divides by it.
            (Some(x), _) if x == 0.0 => return a,
            (None, Some(y)) if y == 1.0 => return a,
            (None, Some(y)) if y == -1.0 => return self.neg(a),
            (None, Some(y)) if y != 0.0 && (1.0 / y).is_finite() => {
                let k = self.konst(1.0 / y);
                return self.mul(k, a);
            }
            _ => {}
        }
        if let Node::Neg(x) = self.node(a) {
            let q = self.div(x, b);
            return self.neg(q);
        }
        if let Node::Neg(y) = self.node(b) {
            let q = self.div(a, y);
            return self.neg(q);
        }
        self.intern(Node::Div(a, b))
    }

    /// `a ^ b`: small integer powers become products, `x^0.5` a square root.
    pub fn pow(&mut self, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            let v = x.powf(y);
            if v.is_finite() {
                return self.konst(v);
            }
        }
        if self.is(a, 1.0) {
            return a;
        }
        match self.constant(b) {
            Some(y) if y == 0.0 => self.konst(1.0),
            Some(y) if y == 1.0 => a,
            Some(y) if y == 2.0 => self.mul(a, a),
            Some(y) if y == 3.0 => {
                let sq = self.mul(a, a);
                self.mul(sq, a)
            }
            Some(y) if y == 0.5 => self.sqrt(a),
            Some(y) if y == -1.0 => {
                let one = self.konst(1.0);
                self.div(one, a)
            }
            _ => self.intern(Node::Pow(a, b)),
        }
    }

    /// A one-operand function, folded when its constant argument is in its domain.
    fn unary(&mut self, a: Id, f: fn(f64) -> f64, node: fn(Id) -> Node) -> Id {
        if let Some(x) = self.constant(a) {
            let v = f(x);
            if v.is_finite() {
                return self.konst(v);
            }
        }
        self.intern(node(a))
    }

    /// `sqrt(a)`.
    pub fn sqrt(&mut self, a: Id) -> Id {
        self.unary(a, f64::sqrt, Node::Sqrt)
    }

    /// `ln(a)`.
    pub fn ln(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Exp(x) => x,
            _ => self.unary(a, f64::ln, Node::Ln),
        }
    }

    /// `exp(a)`.
    pub fn exp(&mut self, a: Id) -> Id {
        self.unary(a, f64::exp, Node::Exp)
    }

    /// `|a|`.
    pub fn abs(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Abs(_) | Node::Sqrt(_) | Node::Exp(_) => a,
            Node::Neg(x) => self.abs(x),
            _ => self.unary(a, f64::abs, Node::Abs),
        }
    }

    /// `sign(a)`.
    pub fn sign(&mut self, a: Id) -> Id {
        self.unary(a, sign, Node::Sign)
    }

    /// `min(a, b)`.
    pub fn min(&mut self, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            return self.konst(x.min(y));
        }
        if a == b {
            return a;
        }
        let (a, b) = self.ordered(a, b);
        self.intern(Node::Min(a, b))
    }

    /// `max(a, b)`.
    pub fn max(&mut self, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            return self.konst(x.max(y));
        }
        if a == b {
            return a;
        }
        let (a, b) = self.ordered(a, b);
        self.intern(Node::Max(a, b))
    }

    /// `if a <= b { then } else { otherwise }`.
    pub fn select(&mut self, a: Id, b: Id, then: Id, otherwise: Id) -> Id {
        if then == otherwise {
            return then;
        }
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            return if x <= y { then } else { otherwise };
        }
        self.intern(Node::Select(a, b, then, otherwise))
    }
}
