//! Random formulas: wherever [`FormulaMetric::evaluate_checked`] returns a value, it agrees
//! with an independent `f64` evaluation of the same expression tree within 1e-3 relative;
//! where it says undefined, the definition is undefined too or its gradient is; and where
//! the tree's value is a finite f32 computed without overflow, evaluation does not claim
//! the value overflows.

use anyloss_core::Confusion;
use anyloss_dsl::FormulaMetric;
use proptest::prelude::*;

/// A formula tree over the four counts.
#[derive(Debug, Clone)]
enum Expr {
    Count(usize),
    Const(f64),
    Neg(Box<Expr>),
    Call(&'static str, Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

const COUNTS: [&str; 4] = ["TP", "FN", "FP", "TN"];

impl Expr {
    fn source(&self) -> String {
        match self {
            Expr::Count(k) => COUNTS[*k].to_string(),
            Expr::Const(v) => format!("{v:?}"),
            Expr::Neg(a) => format!("-({})", a.source()),
            Expr::Call(f, a) => format!("{f}({})", a.source()),
            Expr::Bin(op, a, b) => format!("({}){op}({})", a.source(), b.source()),
        }
    }

    /// The value by the textbook definition of each operation, in f64: `Err(true)` where an
    /// operation is undefined, `Err(false)` where a step is not finite. `largest` collects
    /// the largest magnitude on the way, the scale of rounding errors.
    fn value(&self, c: [f64; 4], largest: &mut f64) -> Result<f64, bool> {
        let v = match self {
            Expr::Count(k) => c[*k],
            Expr::Const(v) => *v,
            Expr::Neg(a) => -a.value(c, largest)?,
            Expr::Call(f, a) => {
                let x = a.value(c, largest)?;
                match *f {
                    "sqrt" if x < 0.0 => return Err(true),
                    "sqrt" => x.sqrt(),
                    "ln" if x <= 0.0 => return Err(true),
                    "ln" => x.ln(),
                    "exp" => x.exp(),
                    _ => x.abs(),
                }
            }
            Expr::Bin(op, a, b) => {
                let (x, y) = (a.value(c, largest)?, b.value(c, largest)?);
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    '/' if y == 0.0 => return Err(true),
                    '/' => x / y,
                    _ => {
                        let integer = y.fract() == 0.0;
                        if (x < 0.0 && !integer) || (x == 0.0 && y < 0.0) {
                            return Err(true);
                        }
                        x.powf(y)
                    }
                }
            }
        };
        if !v.is_finite() {
            return Err(false);
        }
        *largest = largest.max(v.abs());
        Ok(v)
    }
}

fn tree() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (0usize..4).prop_map(Expr::Count),
        2 => prop::sample::select(vec![
            0.0, 0.5, 1.0, 2.0, 3.25, 1e-3, 7.0, 1e9, 1e10, 1e30, 3e38, 1e-30,
        ])
        .prop_map(Expr::Const),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            4 => (
                prop::sample::select(vec!['+', '-', '*', '/', '^']),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(op, a, b)| Expr::Bin(op, Box::new(a), Box::new(b))),
            1 => inner.clone().prop_map(|a| Expr::Neg(Box::new(a))),
            2 => (prop::sample::select(vec!["sqrt", "exp", "ln", "abs"]), inner)
                .prop_map(|(f, a)| Expr::Call(f, Box::new(a))),
        ]
    })
}

fn counts() -> impl Strategy<Value = [f32; 4]> {
    prop::array::uniform4(prop_oneof![
        1 => Just(0.0f32),
        1 => Just(1.0f32),
        4 => 0.0f32..100.0,
        1 => 1e3f32..1e9,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn evaluation_agrees_with_the_f64_definition(e in tree(), c in counts()) {
        let source = e.source();
        // Constants beyond f32 and literal zero denominators are compile errors.
        let Ok(m) = FormulaMetric::compile(&source, &[]) else { return Ok(()) };
        let conf = Confusion::new(c[0], c[1], c[2], c[3]);
        let point = c.map(f64::from);
        let mut largest = 0.0f64;
        let want = e.value(point, &mut largest);
        match m.evaluate_checked(&conf) {
            Ok(Some(got)) => {
                // Simplification may cancel an undefined or overflowing step (`x - x`), so
                // only a defined reference is compared.
                if let Ok(w) = want {
                    let tol = 1e-3 * w.abs() + 1e-9 * largest + f64::from(f32::MIN_POSITIVE);
                    prop_assert!(
                        (f64::from(got.value) - w).abs() <= tol,
                        "{source} at {c:?}: evaluate {} vs f64 {w}", got.value
                    );
                }
            }
            // Undefined: the definition is undefined, or the gradient is (sqrt at 0, a
            // power with a count exponent at base 0, ...).
            Ok(None) => {}
            Err(o) => {
                // An overflow must be real: the definition overflows, or its value is out
                // of f32's range, or the overflow is in the gradient.
                if let Ok(w) = want {
                    prop_assert!(
                        !o.in_value || !(w as f32).is_finite() || largest > 1e300,
                        "{source} at {c:?}: value {w} reported as overflow: {o}"
                    );
                }
            }
        }
    }
}
