//! Where a formula is undefined, over non-negative counts.
//!
//! A sign analysis runs over the program: each node is known positive, negative,
//! non-negative or non-positive (with the sets of counts whose vanishing makes it zero), or
//! unknown. For every guarded operand (denominators, `sqrt`/`ln` arguments, power bases)
//! that can violate its guard, an [`Issue`] says when, in words.

use std::fmt;

use crate::count::Count;
use crate::node::{Guard, Node};
use crate::pretty;
use crate::program::Program;

/// Ways for a non-negative expression to be zero: each entry is a set of counts (bits of
/// [`Count::bit`]) that are all zero. `None` when the analysis cannot tell.
type ZeroSets = Option<Vec<u8>>;

/// More alternatives than this are reported as "can be 0".
const MAX_ALTERNATIVES: usize = 16;

#[derive(Debug, Clone, PartialEq)]
enum Sign {
    Positive,
    Negative,
    Zero,
    NonNegative(ZeroSets),
    NonPositive(ZeroSets),
    Unknown,
}

/// One place where the formula is undefined for some non-negative counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// What the operand is: `denominator`, `sqrt argument`, `ln argument` or `power base`.
    pub role: &'static str,
    /// The operand, as math.
    pub expr: String,
    /// When the guard fails, e.g. `is 0 when the batch has no positives (TP = FN = 0)`.
    pub when: String,
    /// False when only the gradient needs the guard (the value alone is defined there).
    pub in_value: bool,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}` {}", self.role, self.expr, self.when)?;
        if !self.in_value {
            write!(f, " (needed by the gradient only)")?;
        }
        Ok(())
    }
}

fn minimise(mut sets: Vec<u8>) -> ZeroSets {
    sets.sort_by_key(|s| (s.count_ones(), *s));
    sets.dedup();
    let mut out: Vec<u8> = Vec::new();
    for s in sets {
        if !out.iter().any(|&o| (o | s) == s) {
            out.push(s);
        }
    }
    (out.len() <= MAX_ALTERNATIVES).then_some(out)
}

/// Zero when both are: every pair of ways combined.
fn both(a: &ZeroSets, b: &ZeroSets) -> ZeroSets {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    minimise(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| x | y))
            .collect(),
    )
}

/// Zero when either is.
fn either(a: &ZeroSets, b: &ZeroSets) -> ZeroSets {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    minimise(a.iter().chain(b).copied().collect())
}

impl Sign {
    fn flip(&self) -> Sign {
        match self {
            Sign::Positive => Sign::Negative,
            Sign::Negative => Sign::Positive,
            Sign::Zero => Sign::Zero,
            Sign::NonNegative(z) => Sign::NonPositive(z.clone()),
            Sign::NonPositive(z) => Sign::NonNegative(z.clone()),
            Sign::Unknown => Sign::Unknown,
        }
    }

    /// `(is the sign non-negative, ways to be zero)` for a sign-definite value.
    fn split(&self) -> Option<(bool, ZeroSets)> {
        match self {
            Sign::Positive => Some((true, Some(Vec::new()))),
            Sign::Negative => Some((false, Some(Vec::new()))),
            Sign::Zero => Some((true, Some(vec![0]))),
            Sign::NonNegative(z) => Some((true, z.clone())),
            Sign::NonPositive(z) => Some((false, z.clone())),
            Sign::Unknown => None,
        }
    }

    fn from_parts(non_negative: bool, z: ZeroSets) -> Sign {
        let s = match &z {
            Some(v) if v.is_empty() => Sign::Positive,
            Some(v) if v.contains(&0) => Sign::Zero,
            _ => Sign::NonNegative(z),
        };
        if non_negative {
            s
        } else {
            s.flip()
        }
    }

    fn add(&self, other: &Sign) -> Sign {
        match (self.split(), other.split()) {
            (Some((pa, za)), Some((pb, zb))) if pa == pb => Sign::from_parts(pa, both(&za, &zb)),
            _ => Sign::Unknown,
        }
    }

    fn mul(&self, other: &Sign) -> Sign {
        match (self.split(), other.split()) {
            (Some((pa, za)), Some((pb, zb))) => Sign::from_parts(pa == pb, either(&za, &zb)),
            _ => Sign::Unknown,
        }
    }

    /// The sign of a value known not to be zero (a guarded denominator).
    fn nonzero(&self) -> Sign {
        match self.split() {
            Some((true, _)) => Sign::Positive,
            Some((false, _)) => Sign::Negative,
            None => Sign::Unknown,
        }
    }

    fn square(&self) -> Sign {
        match self.split() {
            Some((_, z)) => Sign::from_parts(true, z),
            None => Sign::NonNegative(None),
        }
    }
}

fn signs(program: &Program) -> Vec<Sign> {
    let mut s: Vec<Sign> = Vec::with_capacity(program.nodes.len());
    for node in &program.nodes {
        let get = |i: usize| s.get(i).cloned().unwrap_or(Sign::Unknown);
        let constant = |i: usize| match program.nodes.get(i) {
            Some(Node::Const(bits)) => Some(f64::from_bits(*bits)),
            _ => None,
        };
        let sign = match *node {
            Node::Const(bits) => {
                let v = f64::from_bits(bits);
                if v > 0.0 {
                    Sign::Positive
                } else if v < 0.0 {
                    Sign::Negative
                } else {
                    Sign::Zero
                }
            }
            Node::Var(c) => Sign::NonNegative(Some(vec![c.bit()])),
            Node::Add(a, b) => get(a).add(&get(b)),
            Node::Sub(a, b) => get(a).add(&get(b).flip()),
            Node::Neg(a) => get(a).flip(),
            Node::Mul(a, b) => get(a).mul(&get(b)),
            Node::Div(a, b) => get(a).mul(&get(b).nonzero()),
            Node::Sqrt(a) => match get(a).split() {
                Some((true, z)) => Sign::from_parts(true, z),
                _ => Sign::NonNegative(None),
            },
            Node::Exp(_) => Sign::Positive,
            Node::Abs(a) => get(a).square(),
            Node::Sign(a) => get(a),
            Node::Ln(_) => Sign::Unknown,
            Node::Pow(a, b) => match constant(b) {
                Some(e) if e.fract() == 0.0 && e % 2.0 == 0.0 => {
                    if e > 0.0 {
                        get(a).square()
                    } else {
                        Sign::Positive
                    }
                }
                Some(e) if e > 0.0 => get(a),
                _ => get(a).nonzero(),
            },
            Node::Min(a, b) => match (get(a).split(), get(b).split()) {
                (Some((true, za)), Some((true, zb))) => Sign::from_parts(true, either(&za, &zb)),
                _ => Sign::Unknown,
            },
            Node::Max(a, b) => match (get(a).split(), get(b).split()) {
                (Some((true, za)), Some((true, zb))) => Sign::from_parts(true, both(&za, &zb)),
                _ => Sign::Unknown,
            },
            Node::Select(_, _, t, e) => match (get(t).split(), get(e).split()) {
                (Some((pt, zt)), Some((pe, ze))) if pt == pe => {
                    Sign::from_parts(pt, either(&zt, &ze))
                }
                _ => Sign::Unknown,
            },
        };
        s.push(sign);
    }
    s
}

/// A set of counts in words, e.g. "the batch has no positives (TP = FN = 0)".
fn describe(set: u8) -> String {
    let names: Vec<&str> = Count::ALL
        .into_iter()
        .filter(|c| set & c.bit() != 0)
        .map(Count::name)
        .collect();
    let equation = format!("{} = 0", names.join(" = "));
    let bits = |cs: &[Count]| cs.iter().fold(0u8, |acc, c| acc | c.bit());
    let phrase = [
        (bits(&[Count::Tp, Count::Fn]), "the batch has no positives"),
        (bits(&[Count::Tn, Count::Fp]), "the batch has no negatives"),
        (
            bits(&[Count::Tp, Count::Fp]),
            "nothing is predicted positive",
        ),
        (
            bits(&[Count::Tn, Count::Fn]),
            "nothing is predicted negative",
        ),
        (bits(&Count::ALL), "the batch is empty"),
        (
            bits(&[Count::Tp, Count::Fp, Count::Fn]),
            "there are no positives and nothing is predicted positive",
        ),
        (
            bits(&[Count::Tn, Count::Fp, Count::Fn]),
            "there are no negatives and nothing is predicted negative",
        ),
        (
            bits(&[Count::Tp, Count::Tn]),
            "nothing is classified correctly",
        ),
        (
            bits(&[Count::Fp, Count::Fn]),
            "every sample is classified correctly",
        ),
    ]
    .into_iter()
    .find(|(b, _)| *b == set)
    .map(|(_, p)| p);
    match phrase {
        Some(p) => format!("{p} ({equation})"),
        None => equation,
    }
}

fn when_zero(z: &ZeroSets) -> String {
    match z {
        Some(sets) if !sets.is_empty() => format!(
            "is 0 when {}",
            sets.iter()
                .map(|&s| describe(s))
                .collect::<Vec<_>>()
                .join(", or when ")
        ),
        _ => "can be 0".to_string(),
    }
}

/// Every guard of `program` that some non-negative counts violate.
pub(crate) fn analyse(program: &Program) -> Vec<Issue> {
    let signs = signs(program);
    let mut issues = Vec::new();
    for (i, node) in program.nodes.iter().enumerate() {
        let constant = |j: usize| match program.nodes.get(j) {
            Some(Node::Const(bits)) => Some(f64::from_bits(*bits)),
            _ => None,
        };
        let Some((operand, guard)) = node.guard(constant) else {
            continue;
        };
        let role = match node {
            Node::Div(..) => "denominator",
            Node::Sqrt(_) => "sqrt argument",
            Node::Ln(_) => "ln argument",
            _ => "power base",
        };
        let sign = signs.get(operand).cloned().unwrap_or(Sign::Unknown);
        let when = match (guard, &sign) {
            (_, Sign::Positive) => continue,
            (Guard::NonZero, Sign::Negative) => continue,
            (Guard::NonNegative, Sign::Zero | Sign::NonNegative(_)) => continue,
            (_, Sign::Zero) => "is always 0".to_string(),
            (Guard::NonZero | Guard::Positive, Sign::NonNegative(z)) => when_zero(z),
            (Guard::NonZero, Sign::NonPositive(z)) => when_zero(z),
            (Guard::NonNegative | Guard::Positive, Sign::Negative) => {
                "is always negative".to_string()
            }
            (Guard::NonNegative, Sign::NonPositive(_)) => "is never positive".to_string(),
            (Guard::Positive, Sign::NonPositive(_)) => "is never positive".to_string(),
            (Guard::NonZero, Sign::Unknown) => "can be 0 (its sign is not fixed)".to_string(),
            (Guard::NonNegative, Sign::Unknown) => "can be negative".to_string(),
            (Guard::Positive, Sign::Unknown) => "can be 0 or negative".to_string(),
        };
        let issue = Issue {
            role,
            expr: pretty::render(&program.nodes, operand, &|_| None),
            when,
            in_value: program.in_value.get(i).copied().unwrap_or(false),
        };
        match issues
            .iter_mut()
            .find(|i: &&mut Issue| i.role == issue.role && i.expr == issue.expr)
        {
            Some(seen) => seen.in_value |= issue.in_value,
            None => issues.push(issue),
        }
    }
    // Value issues first, then those only the gradient has.
    issues.sort_by_key(|i| !i.in_value);
    issues
}
