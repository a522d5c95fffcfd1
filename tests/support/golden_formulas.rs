//! The metrics of `tests/golden/binary.json` written as formulas, shared by the formula
//! golden tests of `anyloss-dsl` and of the framework adapters (`adapters/golden_check.rs`),
//! which include this file with `#[path]`.

use anyloss_dsl::FormulaMetric;

/// The formula of the metric the golden file calls `name`.
pub fn formula(name: &str) -> FormulaMetric {
    let fbeta = "(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)";
    let (source, params): (&str, &[(&str, f64)]) = match name {
        "accuracy" => ("(TP+TN)/TOTAL", &[]),
        "f1" => ("2*TP/(2*TP+FP+FN)", &[]),
        "fbeta_0.5" => (fbeta, &[("beta", 0.5)]),
        "fbeta_2" => (fbeta, &[("beta", 2.0)]),
        "gmean" => (
            "recall = TP/POS; specificity = TN/NEG; sqrt(recall*specificity)",
            &[],
        ),
        "balanced_accuracy" => ("(TP/POS + TN/NEG)/2", &[]),
        "mcc" => ("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", &[]),
        other => panic!("golden file names an unknown metric {other}"),
    };
    FormulaMetric::compile(source, params).unwrap()
}
