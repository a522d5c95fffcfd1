//! The syntax tree of a formula, with byte spans for diagnostics.

/// Byte range `[start, end)` in the source.
pub(crate) type Span = (usize, usize);

/// An infix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExprKind {
    Number(f64),
    Name(String),
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
    },
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// An expression and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// `name = body;`
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Definition {
    pub name: String,
    pub name_span: Span,
    pub body: Expr,
}

/// A parsed source: definitions in order, then the metric's expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Formula {
    pub definitions: Vec<Definition>,
    pub body: Expr,
}
