//! Every built-in metric written as a formula, shared by the formula tests.

#![allow(dead_code)]

use anyloss_core::metrics::{
    Accuracy, BalancedAccuracy, CohenKappa, FBeta, FowlkesMallows, GMean, Informedness, Jaccard,
    Markedness, Mcc, Precision, Recall, Specificity, Tversky, F1,
};
use anyloss_core::Metric;

/// A built-in metric and the formula that should compute the same thing.
pub struct Case {
    pub name: &'static str,
    pub formula: &'static str,
    pub params: &'static [(&'static str, f64)],
    pub builtin: Box<dyn Metric>,
}

fn case(
    name: &'static str,
    formula: &'static str,
    params: &'static [(&'static str, f64)],
    builtin: Box<dyn Metric>,
) -> Case {
    Case {
        name,
        formula,
        params,
        builtin,
    }
}

/// The built-ins of `anyloss_core::metrics`, each as a formula.
pub fn builtins() -> Vec<Case> {
    vec![
        case("accuracy", "(TP+TN)/TOTAL", &[], Box::new(Accuracy)),
        case("precision", "TP/(TP+FP)", &[], Box::new(Precision)),
        case("recall", "TP/POS", &[], Box::new(Recall)),
        case("specificity", "TN/NEG", &[], Box::new(Specificity)),
        case("f1", "2*TP/(2*TP+FP+FN)", &[], Box::new(F1)),
        case(
            "fbeta",
            "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)",
            &[("beta", 2.0)],
            Box::new(FBeta::new(2.0).unwrap()),
        ),
        case("jaccard", "TP/(TP+FP+FN)", &[], Box::new(Jaccard)),
        case(
            "tversky",
            "TP/(TP + alpha*FP + beta*FN)",
            &[("alpha", 0.3), ("beta", 0.7)],
            Box::new(Tversky::new(0.3, 0.7).unwrap()),
        ),
        case(
            "balanced_accuracy",
            "(TP/POS + TN/NEG)/2",
            &[],
            Box::new(BalancedAccuracy),
        ),
        case("gmean", "sqrt(TP/POS * TN/NEG)", &[], Box::new(GMean)),
        case(
            "informedness",
            "TP/POS + TN/NEG - 1",
            &[],
            Box::new(Informedness),
        ),
        case(
            "markedness",
            "TP/PRED_POS + TN/PRED_NEG - 1",
            &[],
            Box::new(Markedness),
        ),
        case(
            "fowlkes_mallows",
            "TP/sqrt(PRED_POS*POS)",
            &[],
            Box::new(FowlkesMallows),
        ),
        case(
            "mcc",
            "(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)",
            &[],
            Box::new(Mcc),
        ),
        case(
            "cohen_kappa",
            "2*(TP*TN - FN*FP)/(PRED_POS*NEG + POS*PRED_NEG)",
            &[],
            Box::new(CohenKappa),
        ),
    ]
}

/// Formulas beyond the built-ins, exercising definitions, comments, every function and
/// operator, for the finite-difference test.
pub const EXTRA: [(&str, &[(&str, f64)]); 9] = [
    (
        "# F1 from its parts\nprecision = TP/(TP+FP);\nrecall = TP/(TP+FN); // both shares\n2*precision*recall/(precision+recall)",
        &[],
    ),
    ("sqrt(TP/POS * TN/NEG) * exp(-FP/TOTAL)", &[]),
    ("ln(1 + TP/N) - abs(FP - FN)/N", &[]),
    ("min(TP/POS, TN/NEG) + max(FP, FN)/TOTAL", &[]),
    ("(TP/POS)^gamma * (TN/NEG)^(1-gamma)", &[("gamma", 0.3)]),
    ("TP^TN/(1 + FP^2)", &[]),
    ("-(-TP)^3/(TOTAL^3) + 2^-1*TN/N", &[]),
    ("r = TP/POS; s = TN/NEG; 2/(1/r + 1/s)", &[]),
    ("(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)", &[("beta", 0.5)]),
];
