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

/// Index of a node in its [`Graph`].
pub(crate) type Id = usize;

/// One of the four confusion entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Count {
    Tp,
    Fn,
    Fp,
    Tn,
}

impl Count {
    /// In the order of [`anyloss_core::Partials::new`].
    pub const ALL: [Count; 4] = [Count::Tp, Count::Fn, Count::Fp, Count::Tn];

    /// The name in formulas.
    pub fn name(self) -> &'static str {
        match self {
            Count::Tp => "TP",
            Count::Fn => "FN",
            Count::Fp => "FP",
            Count::Tn => "TN",
        }
    }

    /// The field of [`anyloss_core::Confusion`].
    pub fn field(self) -> &'static str {
        match self {
            Count::Tp => "tp",
            Count::Fn => "fn_",
            Count::Fp => "fp",
            Count::Tn => "tn",
        }
    }

    /// Bit in a set of counts.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A node. Constants are stored as `f64` bits so nodes can be hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Const(u64),
    Var(Count),
    Add(Id, Id),
    Sub(Id, Id),
    Mul(Id, Id),
    Div(Id, Id),
    Neg(Id),
    Pow(Id, Id),
    Sqrt(Id),
    Ln(Id),
    Exp(Id),
    Abs(Id),
    /// -1, 0 or 1: the derivative of `abs`.
    Sign(Id),
    Min(Id, Id),
    Max(Id, Id),
    /// `if a <= b { then } else { otherwise }`: the derivatives of `min` and `max`.
    Select(Id, Id, Id, Id),
}

/// What an operand must satisfy for the node using it to be defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Guard {
    /// A denominator, or the base of a negative integer power.
    NonZero,
    /// The argument of `sqrt`, or the base of a positive fractional power.
    NonNegative,
    /// The argument of `ln`, or the base of a power with a negative fractional or a
    /// non-constant exponent.
    Positive,
}

impl Guard {
    /// True when `x` satisfies the guard (NaN never does).
    pub fn holds(self, x: f64) -> bool {
        match self {
            Guard::NonZero => x != 0.0 && !x.is_nan(),
            Guard::NonNegative => x >= 0.0,
            Guard::Positive => x > 0.0,
        }
    }
}

impl Node {
    /// The operands, in order.
    pub fn operands(&self) -> impl Iterator<Item = Id> {
        let (n, ids) = match *self {
            Node::Const(_) | Node::Var(_) => (0, [0; 4]),
            Node::Neg(a)
            | Node::Sqrt(a)
            | Node::Ln(a)
            | Node::Exp(a)
            | Node::Abs(a)
            | Node::Sign(a) => (1, [a, 0, 0, 0]),
            Node::Add(a, b)
            | Node::Sub(a, b)
            | Node::Mul(a, b)
            | Node::Div(a, b)
            | Node::Pow(a, b)
            | Node::Min(a, b)
            | Node::Max(a, b) => (2, [a, b, 0, 0]),
            Node::Select(a, b, c, d) => (4, [a, b, c, d]),
        };
        ids.into_iter().take(n)
    }

    /// The same operation on other operands.
    pub fn map(&self, mut f: impl FnMut(Id) -> Id) -> Node {
        match *self {
            n @ (Node::Const(_) | Node::Var(_)) => n,
            Node::Add(a, b) => Node::Add(f(a), f(b)),
            Node::Sub(a, b) => Node::Sub(f(a), f(b)),
            Node::Mul(a, b) => Node::Mul(f(a), f(b)),
            Node::Div(a, b) => Node::Div(f(a), f(b)),
            Node::Neg(a) => Node::Neg(f(a)),
            Node::Pow(a, b) => Node::Pow(f(a), f(b)),
            Node::Sqrt(a) => Node::Sqrt(f(a)),
            Node::Ln(a) => Node::Ln(f(a)),
            Node::Exp(a) => Node::Exp(f(a)),
            Node::Abs(a) => Node::Abs(f(a)),
            Node::Sign(a) => Node::Sign(f(a)),
            Node::Min(a, b) => Node::Min(f(a), f(b)),
            Node::Max(a, b) => Node::Max(f(a), f(b)),
            Node::Select(a, b, c, d) => Node::Select(f(a), f(b), f(c), f(d)),
        }
    }

    /// True for constants and counts, which cost no operation.
    pub fn is_leaf(&self) -> bool {
        matches!(self, Node::Const(_) | Node::Var(_))
    }

    /// The node's value given its operands' values (`x` reads an operand's value).
    pub fn eval(&self, x: impl Fn(Id) -> f64, counts: [f64; 4]) -> f64 {
        match *self {
            Node::Const(bits) => f64::from_bits(bits),
            Node::Var(c) => counts.get(c as usize).copied().unwrap_or(f64::NAN),
            Node::Add(a, b) => x(a) + x(b),
            Node::Sub(a, b) => x(a) - x(b),
            Node::Mul(a, b) => x(a) * x(b),
            Node::Div(a, b) => x(a) / x(b),
            Node::Neg(a) => -x(a),
            Node::Pow(a, b) => x(a).powf(x(b)),
            Node::Sqrt(a) => x(a).sqrt(),
            Node::Ln(a) => x(a).ln(),
            Node::Exp(a) => x(a).exp(),
            Node::Abs(a) => x(a).abs(),
            Node::Sign(a) => sign(x(a)),
            Node::Min(a, b) => x(a).min(x(b)),
            Node::Max(a, b) => x(a).max(x(b)),
            Node::Select(a, b, t, e) => {
                if x(a) <= x(b) {
                    x(t)
                } else {
                    x(e)
                }
            }
        }
    }

    /// The operand this node needs to be in a domain, and that domain.
    pub fn guard(&self, constant: impl Fn(Id) -> Option<f64>) -> Option<(Id, Guard)> {
        match *self {
            Node::Div(_, b) => Some((b, Guard::NonZero)),
            Node::Sqrt(a) => Some((a, Guard::NonNegative)),
            Node::Ln(a) => Some((a, Guard::Positive)),
            Node::Pow(a, b) => match constant(b) {
                Some(e) if e.fract() == 0.0 => (e < 0.0).then_some((a, Guard::NonZero)),
                Some(e) if e > 0.0 => Some((a, Guard::NonNegative)),
                _ => Some((a, Guard::Positive)),
            },
            _ => None,
        }
    }
}

/// -1, 0 or 1 (0 at 0, unlike `f64::signum`): the subgradient of `|x|` chosen at 0.
pub(crate) fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

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

    /// The node `id` (a constant NaN for an id not in the graph, which no caller builds).
    pub fn node(&self, id: Id) -> Node {
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
