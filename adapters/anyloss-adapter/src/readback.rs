//! The host step: from the scalars an adapter reads back from the device in one transfer
//! to the loss value, the metric, its partials and the per-label coefficients.

use std::fmt;

use anyloss_core::{BinaryLoss, Confusion, LossOutput, Metric};

use crate::check::Check;

/// How many scalars [`evaluate`] takes: the soft entries TP, FN, FP, TN, then the failure
/// counts of the outputs' check, of [`Check::Label`] and of [`Check::Weight`] (0 without
/// weights).
pub const READ_BACK_LEN: usize = 7;

/// Why the read-back scalars give no loss.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejected {
    /// Elements of the tensor this check covers fail it: the adapter reads that tensor to
    /// name the first ([`Check::message`]).
    Input(Check),
    /// The entries are not finite in f32, the core's precision.
    Overflow(Confusion),
    /// Fewer or more than [`READ_BACK_LEN`] scalars were read back.
    Incomplete(usize),
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::Input(check) => write!(f, "an input fails the {check:?} check"),
            Rejected::Overflow(c) => write!(f, "the confusion entries overflow f32: {c:?}"),
            Rejected::Incomplete(n) => write!(
                f,
                "read back {n} values from the device, expected {READ_BACK_LEN}"
            ),
        }
    }
}

impl std::error::Error for Rejected {}

/// The loss of the read-back scalars `host` (see [`READ_BACK_LEN`]), whose fifth is the
/// failure count of `outputs_check`. The checks are reported first to last: the outputs,
/// the targets, the weights.
///
/// # Errors
/// A non-zero failure count, entries that overflow f32, or a `host` of the wrong length.
pub fn evaluate<M: Metric>(
    loss: &BinaryLoss<M>,
    outputs_check: Check,
    host: &[f64],
) -> Result<LossOutput, Rejected> {
    let &[tp, fn_, fp, tn, outputs, labels, weights] = host else {
        return Err(Rejected::Incomplete(host.len()));
    };
    for (failures, check) in [
        (outputs, outputs_check),
        (labels, Check::Label),
        (weights, Check::Weight),
    ] {
        if failures != 0.0 {
            return Err(Rejected::Input(check));
        }
    }
    let confusion = Confusion::new(tp as f32, fn_ as f32, fp as f32, tn as f32);
    if !confusion.is_finite() {
        return Err(Rejected::Overflow(confusion));
    }
    Ok(loss.evaluate(&confusion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyloss_core::metrics::F1;

    #[test]
    fn clean_scalars_give_the_core_evaluation() {
        let loss = BinaryLoss::new(F1);
        let out = evaluate(&loss, Check::Finite, &[3.0, 1.0, 2.0, 4.0, 0.0, 0.0, 0.0]).unwrap();
        let want = loss.evaluate(&Confusion::new(3.0, 1.0, 2.0, 4.0));
        assert_eq!(out.loss, want.loss);
        assert_eq!(out.coefficients, want.coefficients);
        // 1 − F1 = 1 − 6/9.
        assert!((out.loss - 1.0 / 3.0).abs() < 1e-6, "{}", out.loss);
    }

    #[test]
    fn the_first_failed_check_is_reported() {
        let loss = BinaryLoss::new(F1);
        let e = [1.0, 1.0, 1.0, 1.0];
        let with = |counts: [f64; 3]| [e[0], e[1], e[2], e[3], counts[0], counts[1], counts[2]];
        let r = |counts| evaluate(&loss, Check::Probability, &with(counts)).unwrap_err();
        assert_eq!(r([2.0, 1.0, 1.0]), Rejected::Input(Check::Probability));
        assert_eq!(r([0.0, 1.0, 1.0]), Rejected::Input(Check::Label));
        assert_eq!(r([0.0, 0.0, 5.0]), Rejected::Input(Check::Weight));
        let nan = evaluate(&loss, Check::Finite, &with([f64::NAN, 0.0, 0.0])).unwrap_err();
        assert_eq!(nan, Rejected::Input(Check::Finite));
    }

    #[test]
    fn overflow_and_a_short_read_are_errors() {
        let loss = BinaryLoss::new(F1);
        let big = evaluate(&loss, Check::Finite, &[1e39, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        let e = big.unwrap_err();
        assert!(matches!(e, Rejected::Overflow(_)), "{e:?}");
        assert!(e.to_string().contains("overflow f32"), "{e}");
        let short = evaluate(&loss, Check::Finite, &[1.0; 6]).unwrap_err();
        assert_eq!(short, Rejected::Incomplete(6));
        assert!(short.to_string().contains("read back 6 values"), "{short}");
    }
}
