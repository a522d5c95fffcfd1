//! The names a formula can use: counts, derived counts, functions, and suggestions for
//! misspelt names.

use crate::count::Count;

/// A derived count: a documented sum of confusion entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Derived {
    pub name: &'static str,
    /// The first count of the sum; a derived count has at least two.
    pub first: Count,
    /// The counts added to `first`.
    pub rest: &'static [Count],
}

/// `POS`, `NEG`, `PRED_POS`, `PRED_NEG`, `TOTAL`, with `N` as a synonym of `TOTAL`.
pub(crate) const DERIVED: [Derived; 6] = [
    Derived {
        name: "POS",
        first: Count::Tp,
        rest: &[Count::Fn],
    },
    Derived {
        name: "NEG",
        first: Count::Tn,
        rest: &[Count::Fp],
    },
    Derived {
        name: "PRED_POS",
        first: Count::Tp,
        rest: &[Count::Fp],
    },
    Derived {
        name: "PRED_NEG",
        first: Count::Tn,
        rest: &[Count::Fn],
    },
    Derived {
        name: "TOTAL",
        first: Count::Tp,
        rest: &[Count::Fn, Count::Fp, Count::Tn],
    },
    Derived {
        name: "N",
        first: Count::Tp,
        rest: &[Count::Fn, Count::Fp, Count::Tn],
    },
];

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Sqrt,
    Ln,
    Exp,
    Abs,
    Min,
    Max,
}

impl Function {
    pub const ALL: [Function; 6] = [
        Function::Sqrt,
        Function::Ln,
        Function::Exp,
        Function::Abs,
        Function::Min,
        Function::Max,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Function::Sqrt => "sqrt",
            Function::Ln => "ln",
            Function::Exp => "exp",
            Function::Abs => "abs",
            Function::Min => "min",
            Function::Max => "max",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Function::Min | Function::Max => 2,
            _ => 1,
        }
    }

    pub fn by_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The count called `name`.
pub(crate) fn count(name: &str) -> Option<Count> {
    Count::ALL.into_iter().find(|c| c.name() == name)
}

/// The derived count called `name`.
pub(crate) fn derived(name: &str) -> Option<Derived> {
    DERIVED.into_iter().find(|d| d.name == name)
}

/// True for names a definition may not take.
pub(crate) fn is_reserved(name: &str) -> bool {
    count(name).is_some() || derived(name).is_some() || Function::by_name(name).is_some()
}

/// Parameter names every formula may use without looking misspelt.
pub(crate) const CONVENTIONAL_PARAMETERS: [&str; 2] = ["beta", "alpha"];

/// The candidate closest to `name`, if it is close enough to be a plausible misspelling:
/// the same name in another case, or at most one edit for names of up to four letters and
/// two for longer ones (transpositions count as one edit).
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let allowed = if name.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(name) {
            0
        } else {
            strsim::osa_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase())
        };
        if d <= allowed && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Every count, derived count and function name.
pub(crate) fn builtin_names() -> impl Iterator<Item = &'static str> {
    Count::ALL
        .into_iter()
        .map(Count::name)
        .chain(DERIVED.iter().map(|d| d.name))
        .chain(Function::ALL.into_iter().map(Function::name))
}
