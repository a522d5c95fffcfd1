//! Built-in metrics written as formulas, through the whole binary loss, against the float64
//! autograd reference vectors (`tests/golden/binary.json` at the workspace root), with the
//! tolerances of `tests/support/golden_binary_check.rs`, and the documented degenerate
//! policy (smoothing, eps = 1) where the reference is null.

#[path = "../../tests/support/golden_binary_check.rs"]
mod golden_binary_check;
#[path = "../../tests/support/golden_formulas.rs"]
mod golden_formulas;

#[test]
fn formula_metrics_match_autograd() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/binary.json");
    let r = golden_binary_check::check(
        &std::fs::read_to_string(path).unwrap(),
        golden_formulas::formula,
    );
    println!(
        "formulas: max |loss err| = {:e}, max grad rel err = {:e}, {} grads, {} null cases",
        r.worst_loss, r.worst_grad, r.checked, r.nulls
    );
}
