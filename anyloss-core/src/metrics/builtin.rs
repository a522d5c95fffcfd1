//! The registry of built-in metrics: every name, the parameters each takes, and the metric
//! a name and parameters give.

use core::fmt;
use core::str::FromStr;

use crate::error::Error;
use crate::{Confusion, Evaluation, Metric, Range};

use super::*;

/// Any built-in metric, chosen at run time by name (the CLI, the trainer, the firmware).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Builtin {
    /// [`Accuracy`].
    Accuracy(Accuracy),
    /// [`Precision`].
    Precision(Precision),
    /// [`Recall`].
    Recall(Recall),
    /// [`Specificity`].
    Specificity(Specificity),
    /// [`F1`].
    F1(F1),
    /// [`FBeta`].
    FBeta(FBeta),
    /// [`Jaccard`].
    Jaccard(Jaccard),
    /// [`Tversky`].
    Tversky(Tversky),
    /// [`BalancedAccuracy`].
    BalancedAccuracy(BalancedAccuracy),
    /// [`GMean`].
    GMean(GMean),
    /// [`Informedness`].
    Informedness(Informedness),
    /// [`Markedness`].
    Markedness(Markedness),
    /// [`FowlkesMallows`].
    FowlkesMallows(FowlkesMallows),
    /// [`Mcc`].
    Mcc(Mcc),
    /// [`CohenKappa`].
    CohenKappa(CohenKappa),
}

/// Parameters of the parametrised built-ins; `None` takes the default.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BuiltinParams {
    /// F-beta's `β` (default 1) or Tversky's `β`, the weight of false negatives (default 1/2).
    pub beta: Option<f32>,
    /// Tversky's `α`, the weight of false positives (default 1/2).
    pub alpha: Option<f32>,
}

impl Builtin {
    /// The names accepted by [`Builtin::from_name`], in documentation order.
    pub const NAMES: [&'static str; 15] = [
        "accuracy",
        "precision",
        "recall",
        "specificity",
        "f1",
        "fbeta",
        "jaccard",
        "tversky",
        "balanced_accuracy",
        "gmean",
        "informedness",
        "markedness",
        "fowlkes_mallows",
        "mcc",
        "cohen_kappa",
    ];

    /// The parameters the built-in called `name` takes (`beta` for `fbeta`; `alpha` and
    /// `beta` for `tversky`; none for the others), or `None` for an unknown name. These are
    /// the fields of [`BuiltinParams`] that [`Builtin::from_name`] reads for it.
    pub fn parameters_of(name: &str) -> Option<&'static [&'static str]> {
        match name {
            "fbeta" => Some(&["beta"]),
            "tversky" => Some(&["alpha", "beta"]),
            _ if Self::NAMES.contains(&name) => Some(&[]),
            _ => None,
        }
    }

    /// The parameters this metric takes (see [`Builtin::parameters_of`]).
    pub fn parameters(&self) -> &'static [&'static str] {
        Self::parameters_of(self.name()).unwrap_or(&[])
    }

    /// The metric called `name` (one of [`Builtin::NAMES`]), or `None` for an unknown name.
    /// `params` must be finite and in range for the metrics that take them.
    pub fn from_name(name: &str, params: BuiltinParams) -> Option<Result<Self, Error>> {
        Some(Ok(match name {
            "accuracy" => Builtin::Accuracy(Accuracy),
            "precision" => Builtin::Precision(Precision),
            "recall" => Builtin::Recall(Recall),
            "specificity" => Builtin::Specificity(Specificity),
            "f1" => Builtin::F1(F1),
            "fbeta" => match FBeta::new(params.beta.unwrap_or(1.0)) {
                Ok(m) => Builtin::FBeta(m),
                Err(e) => return Some(Err(e)),
            },
            "jaccard" => Builtin::Jaccard(Jaccard),
            "tversky" => {
                match Tversky::new(params.alpha.unwrap_or(0.5), params.beta.unwrap_or(0.5)) {
                    Ok(m) => Builtin::Tversky(m),
                    Err(e) => return Some(Err(e)),
                }
            }
            "balanced_accuracy" => Builtin::BalancedAccuracy(BalancedAccuracy),
            "gmean" => Builtin::GMean(GMean),
            "informedness" => Builtin::Informedness(Informedness),
            "markedness" => Builtin::Markedness(Markedness),
            "fowlkes_mallows" => Builtin::FowlkesMallows(FowlkesMallows),
            "mcc" => Builtin::Mcc(Mcc),
            "cohen_kappa" => Builtin::CohenKappa(CohenKappa),
            _ => return None,
        }))
    }

    /// The name [`Builtin::from_name`] takes for this metric.
    pub fn name(&self) -> &'static str {
        match self {
            Builtin::Accuracy(_) => "accuracy",
            Builtin::Precision(_) => "precision",
            Builtin::Recall(_) => "recall",
            Builtin::Specificity(_) => "specificity",
            Builtin::F1(_) => "f1",
            Builtin::FBeta(_) => "fbeta",
            Builtin::Jaccard(_) => "jaccard",
            Builtin::Tversky(_) => "tversky",
            Builtin::BalancedAccuracy(_) => "balanced_accuracy",
            Builtin::GMean(_) => "gmean",
            Builtin::Informedness(_) => "informedness",
            Builtin::Markedness(_) => "markedness",
            Builtin::FowlkesMallows(_) => "fowlkes_mallows",
            Builtin::Mcc(_) => "mcc",
            Builtin::CohenKappa(_) => "cohen_kappa",
        }
    }

    fn inner(&self) -> &dyn Metric {
        match self {
            Builtin::Accuracy(m) => m,
            Builtin::Precision(m) => m,
            Builtin::Recall(m) => m,
            Builtin::Specificity(m) => m,
            Builtin::F1(m) => m,
            Builtin::FBeta(m) => m,
            Builtin::Jaccard(m) => m,
            Builtin::Tversky(m) => m,
            Builtin::BalancedAccuracy(m) => m,
            Builtin::GMean(m) => m,
            Builtin::Informedness(m) => m,
            Builtin::Markedness(m) => m,
            Builtin::FowlkesMallows(m) => m,
            Builtin::Mcc(m) => m,
            Builtin::CohenKappa(m) => m,
        }
    }
}

impl Metric for Builtin {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        self.inner().evaluate(c)
    }

    fn range(&self) -> Range {
        self.inner().range()
    }
}

/// A name that is not one of [`Builtin::NAMES`] (what [`Builtin::from_str`] rejects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownBuiltin;

impl fmt::Display for UnknownBuiltin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown built-in metric; expected one of: ")?;
        for (i, name) in Builtin::NAMES.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl core::error::Error for UnknownBuiltin {}

/// A built-in by name, with its default parameters (`"fbeta"` is F1, `"tversky"` is
/// `α = β = 1/2`); [`Builtin::from_name`] takes other parameters.
impl FromStr for Builtin {
    type Err = UnknownBuiltin;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match Self::from_name(name, BuiltinParams::default()) {
            Some(Ok(m)) => Ok(m),
            // The defaults are valid for every built-in, so `Some(Err(_))` cannot come back.
            _ => Err(UnknownBuiltin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_itself_with_its_parameters() {
        for name in Builtin::NAMES {
            let m: Builtin = name.parse().unwrap();
            assert_eq!(m.name(), name);
            assert_eq!(Some(m.parameters()), Builtin::parameters_of(name));
        }
        assert_eq!("F1".parse::<Builtin>(), Err(UnknownBuiltin));
        assert_eq!("".parse::<Builtin>(), Err(UnknownBuiltin));
        assert_eq!(Builtin::parameters_of("nope"), None);
        assert_eq!(
            Builtin::parameters_of("tversky"),
            Some(&["alpha", "beta"][..])
        );
        assert_eq!(Builtin::parameters_of("fbeta"), Some(&["beta"][..]));
        assert_eq!(Builtin::parameters_of("mcc"), Some(&[][..]));
    }
}
