//! One way to name a metric: a built-in name, otherwise a formula.

use std::fmt;

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Evaluation, Metric, Range};

use crate::{Diagnostic, FormulaMetric};

/// A metric named the way the command line names it: one of [`Builtin::NAMES`], or else
/// a formula over `TP FN FP TN` compiled with its exact gradient. Implements
/// [`anyloss_core::Metric`], so it goes wherever a built-in does.
///
/// ```
/// use anyloss_core::{BinaryLoss, Input};
/// use anyloss_dsl::AnyMetric;
///
/// let by_name = AnyMetric::parse("fbeta", &[("beta", 2.0)])?;
/// let by_formula = AnyMetric::parse("5*TP/(5*TP + 4*FN + FP)", &[])?;
/// let (labels, probs) = ([1u8, 0, 1, 0], [0.9f32, 0.2, 0.4, 0.6]);
/// let a = BinaryLoss::new(&by_name).loss(&labels, Input::Probs(&probs))?;
/// let b = BinaryLoss::new(&by_formula).loss(&labels, Input::Probs(&probs))?;
/// assert!((a.loss - b.loss).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub enum AnyMetric {
    /// A built-in metric.
    Builtin(Builtin),
    /// A formula.
    Formula(FormulaMetric),
}

/// Why [`AnyMetric::parse`] rejected its text or parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MetricError {
    /// A single word that is neither a built-in name nor a valid formula.
    UnknownMetric {
        /// The word.
        name: String,
        /// The closest built-in name, when one is close.
        suggestion: Option<&'static str>,
    },
    /// A parameter the built-in does not take (see [`Builtin::parameters_of`]).
    UnusedParameter {
        /// The built-in.
        metric: &'static str,
        /// The parameter given.
        parameter: String,
    },
    /// A parameter given twice.
    DuplicateParameter {
        /// The parameter.
        parameter: String,
    },
    /// A built-in rejected a parameter's value.
    InvalidParameter {
        /// The built-in.
        metric: &'static str,
        /// The core's reason.
        error: anyloss_core::Error,
    },
    /// The text is not a valid formula.
    Formula(Diagnostic),
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricError::UnknownMetric { name, suggestion } => {
                write!(f, "unknown metric `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                write!(
                    f,
                    "; expected one of: {}, or a formula such as `2*TP/(2*TP+FP+FN)`",
                    Builtin::NAMES.join(", ")
                )
            }
            MetricError::UnusedParameter { metric, parameter } => {
                let takes = Builtin::parameters_of(metric).unwrap_or(&[]);
                write!(f, "`{parameter}` is not a parameter of `{metric}` ")?;
                if takes.is_empty() {
                    write!(f, "(it takes none)")
                } else {
                    write!(f, "(it takes: {})", takes.join(", "))
                }
            }
            MetricError::DuplicateParameter { parameter } => {
                write!(f, "parameter `{parameter}` is given twice")
            }
            MetricError::InvalidParameter { metric, error } => {
                write!(f, "metric `{metric}`: {error}")
            }
            MetricError::Formula(d) => write!(f, "metric formula: {d}"),
        }
    }
}

impl std::error::Error for MetricError {}

impl From<Diagnostic> for MetricError {
    fn from(d: Diagnostic) -> Self {
        MetricError::Formula(d)
    }
}

impl AnyMetric {
    /// `text` as a built-in name if it is one (with `params` among those it takes, see
    /// [`Builtin::parameters_of`]), otherwise as a formula with `params` bound (every
    /// parameter the formula uses must be bound and every binding used). Nothing given is
    /// ignored: a parameter the metric does not use is an error.
    pub fn parse(text: &str, params: &[(&str, f64)]) -> Result<Self, MetricError> {
        let name = text.trim();
        let Some(takes) = Builtin::parameters_of(name) else {
            return Self::formula(text, params);
        };
        let metric = Builtin::NAMES
            .into_iter()
            .find(|n| *n == name)
            .unwrap_or_default();
        let mut given = BuiltinParams::default();
        for (i, &(parameter, value)) in params.iter().enumerate() {
            if params.iter().take(i).any(|(n, _)| *n == parameter) {
                return Err(MetricError::DuplicateParameter {
                    parameter: parameter.to_owned(),
                });
            }
            let slot = match parameter {
                "beta" if takes.contains(&"beta") => &mut given.beta,
                "alpha" if takes.contains(&"alpha") => &mut given.alpha,
                _ => {
                    return Err(MetricError::UnusedParameter {
                        metric,
                        parameter: parameter.to_owned(),
                    })
                }
            };
            *slot = Some(value as f32);
        }
        match Builtin::from_name(name, given) {
            Some(Ok(b)) => Ok(AnyMetric::Builtin(b)),
            Some(Err(error)) => Err(MetricError::InvalidParameter { metric, error }),
            None => Self::formula(text, params),
        }
    }

    fn formula(text: &str, params: &[(&str, f64)]) -> Result<Self, MetricError> {
        match FormulaMetric::compile(text, params) {
            Ok(f) => Ok(AnyMetric::Formula(f)),
            // A lone word that is neither a built-in nor a valid formula was most likely
            // meant as a built-in name: say so rather than explain formula syntax.
            Err(_) if is_word(text) => Err(MetricError::UnknownMetric {
                name: text.trim().to_owned(),
                suggestion: nearest_builtin(text),
            }),
            Err(d) => Err(MetricError::Formula(d)),
        }
    }

    /// The built-in's name, or the formula's source.
    pub fn name(&self) -> &str {
        match self {
            AnyMetric::Builtin(b) => b.name(),
            AnyMetric::Formula(f) => f.source(),
        }
    }
}

impl Metric for AnyMetric {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        match self {
            AnyMetric::Builtin(b) => b.evaluate(c),
            AnyMetric::Formula(f) => f.evaluate(c),
        }
    }

    fn range(&self) -> Range {
        match self {
            AnyMetric::Builtin(b) => b.range(),
            AnyMetric::Formula(f) => f.range(),
        }
    }
}

fn is_word(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn nearest_builtin(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    Builtin::NAMES
        .iter()
        .map(|n| (strsim::levenshtein(&t, n), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_their_parameters_and_nothing_else() {
        for name in Builtin::NAMES {
            let m = AnyMetric::parse(name, &[]).unwrap();
            assert_eq!(m.name(), name);
            assert!(matches!(m, AnyMetric::Builtin(_)));
        }
        let f2 = AnyMetric::parse("fbeta", &[("beta", 2.0)]).unwrap();
        let c = Confusion::new(8.0, 2.0, 4.0, 6.0);
        assert!((f2.evaluate(&c).unwrap().value - 40.0 / 52.0).abs() < 1e-6);
        assert!(AnyMetric::parse("tversky", &[("alpha", 0.3), ("beta", 0.7)]).is_ok());
        assert_eq!(
            AnyMetric::parse("f1", &[("beta", 2.0)]).unwrap_err(),
            MetricError::UnusedParameter {
                metric: "f1",
                parameter: "beta".into()
            }
        );
        assert_eq!(
            AnyMetric::parse("fbeta", &[("alpha", 2.0)])
                .unwrap_err()
                .to_string(),
            "`alpha` is not a parameter of `fbeta` (it takes: beta)"
        );
        assert!(matches!(
            AnyMetric::parse("fbeta", &[("beta", -1.0)]),
            Err(MetricError::InvalidParameter {
                metric: "fbeta",
                ..
            })
        ));
        assert!(matches!(
            AnyMetric::parse("fbeta", &[("beta", 1.0), ("beta", 2.0)]),
            Err(MetricError::DuplicateParameter { .. })
        ));
    }

    #[test]
    fn anything_else_is_a_formula() {
        let m = AnyMetric::parse("-FN/N", &[]).unwrap();
        assert!(matches!(m, AnyMetric::Formula(_)));
        let m = AnyMetric::parse("TP/(TP+weight*FN)", &[("weight", 2.0)]).unwrap();
        assert_eq!(m.name(), "TP/(TP+weight*FN)");
        match AnyMetric::parse("recal", &[]).unwrap_err() {
            MetricError::UnknownMetric { suggestion, .. } => assert_eq!(suggestion, Some("recall")),
            e => panic!("{e}"),
        }
        assert!(matches!(
            AnyMetric::parse("TP/(TP+", &[]),
            Err(MetricError::Formula(_))
        ));
        assert!(matches!(
            AnyMetric::parse("TP/(TP+FN)", &[("beta", 1.0)]),
            Err(MetricError::Formula(_))
        ));
    }
}
