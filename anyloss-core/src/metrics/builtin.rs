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
