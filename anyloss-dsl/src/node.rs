//! The operations of the expression DAG: what each computes, its operands, and the domain
//! each needs of its operands.

use crate::count::Count;

/// Index of a node in the graph that built it.
pub(crate) type Id = usize;

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
            Node::Var(c) => {
                let [tp, fn_, fp, tn] = counts;
                match c {
                    Count::Tp => tp,
                    Count::Fn => fn_,
                    Count::Fp => fp,
                    Count::Tn => tn,
                }
            }
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
