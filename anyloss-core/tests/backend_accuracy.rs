//! Error of the active math backend on losses and gradients, against the float64 autograd
//! golden vectors (`tests/golden/binary.json` of the workspace).
//!
//! Runs with either backend: `cargo test -p anyloss-core --test backend_accuracy` (libm) and
//! `cargo test -p anyloss-core --no-default-features --features micromath --test
//! backend_accuracy`. The measured errors are the crate docs' table; the bounds asserted
//! here sit about 5× above them, per backend, so a precision regression fails.

mod support;

use anyloss_core::{BinaryLoss, Input};
use support::golden::{binary_golden, metric};

// Measured: loss 4.20e-6, gradient 2.39e-3 relative (micromath's exp is within 2.4e-3).
#[cfg(feature = "micromath")]
const LOSS_BOUND: f64 = 2e-5;
#[cfg(feature = "micromath")]
const GRAD_BOUND: f64 = 1.2e-2;
// Measured: loss 1.89e-7, gradient 4.01e-6 relative (4 lanes; 3.84e-6 with 8).
#[cfg(not(feature = "micromath"))]
const LOSS_BOUND: f64 = 1e-6;
#[cfg(not(feature = "micromath"))]
const GRAD_BOUND: f64 = 2e-5;

#[test]
fn backend_error_on_golden_vectors_is_within_documented_bounds() {
    let (mut loss_err, mut grad_err, mut grad_err_unsat) = (0.0f64, 0.0f64, 0.0f64);
    for case in binary_golden().cases {
        let (y, p) = (&case.labels, &case.probs);
        for m in &case.metrics {
            let mut grad = vec![0.0f32; y.len()];
            let out = BinaryLoss::new(metric(&m.name))
                .loss_and_grad(y, Input::Probs(p), &mut grad)
                .unwrap();
            loss_err = loss_err.max((out.loss as f64 - m.loss).abs());
            for ((&got, &want), &pi) in grad.iter().zip(&m.grad).zip(p) {
                if want.abs() > 1e-30 {
                    let rel = (got as f64 - want).abs() / want.abs();
                    grad_err = grad_err.max(rel);
                    if (0.3..=0.7).contains(&pi) {
                        grad_err_unsat = grad_err_unsat.max(rel);
                    }
                }
            }
        }
    }
    println!(
        "backend {}: max |loss error| {loss_err:.3e}, max gradient relative error {grad_err:.3e} \
         (samples with p in [0.3, 0.7]: {grad_err_unsat:.3e})",
        if cfg!(feature = "micromath") {
            "micromath"
        } else {
            "libm"
        }
    );
    assert!(loss_err < LOSS_BOUND, "loss error {loss_err:e}");
    assert!(grad_err < GRAD_BOUND, "gradient error {grad_err:e}");
}
