//! The binary engine against float64 PyTorch-autograd reference vectors
//! (`tests/golden/binary.json`, see `tests/golden/SOURCE.md`).

use anyloss::metrics::{Accuracy, BalancedAccuracy, Builtin, FBeta, GMean, Mcc, F1};

#[path = "support/golden_binary_check.rs"]
mod golden_binary_check;

fn metric(name: &str) -> Builtin {
    match name {
        "accuracy" => Builtin::Accuracy(Accuracy),
        "f1" => Builtin::F1(F1),
        "fbeta_0.5" => Builtin::FBeta(FBeta::new(0.5).unwrap()),
        "fbeta_2" => Builtin::FBeta(FBeta::new(2.0).unwrap()),
        "gmean" => Builtin::GMean(GMean),
        "balanced_accuracy" => Builtin::BalancedAccuracy(BalancedAccuracy),
        "mcc" => Builtin::Mcc(Mcc),
        other => panic!("golden file names an unknown metric {other}"),
    }
}

#[test]
fn every_metric_matches_autograd() {
    let r = golden_binary_check::check(include_str!("golden/binary.json"), metric);
    println!(
        "max |loss err| = {:e}, max grad rel err = {:e}, {} grads, {} null cases",
        r.worst_loss, r.worst_grad, r.checked, r.nulls
    );
}
