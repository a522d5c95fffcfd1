//! Built-in metrics written as formulas, through the whole binary loss, against the float64
//! autograd reference vectors (`tests/golden/binary.json` at the workspace root), with the
//! tolerances of `tests/support/golden_binary_check.rs`, and the documented degenerate
//! policy (smoothing, eps = 1) where the reference is null.

use anyloss_dsl::FormulaMetric;

#[path = "../../tests/support/golden_binary_check.rs"]
mod golden_binary_check;

fn formula(name: &str) -> FormulaMetric {
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

#[test]
fn formula_metrics_match_autograd() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/binary.json");
    let r = golden_binary_check::check(&std::fs::read_to_string(path).unwrap(), formula);
    println!(
        "formulas: max |loss err| = {:e}, max grad rel err = {:e}, {} grads, {} null cases",
        r.worst_loss, r.worst_grad, r.checked, r.nulls
    );
}
