//! The loss settings besides the metric, checked once for both adapters.

use std::fmt;

use anyloss_core::{Amplifier, BinaryLoss, Degenerate, Metric};

/// A setting that cannot be used; the message names it and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingError(String);

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingError {}

/// The core loss of `metric` with amplifier steepness `l` centred on `threshold`, and the
/// `degenerate` policy.
///
/// # Errors
/// `threshold` not in the open interval `(0, 1)`, `l` not finite and > 0, or an invalid
/// policy parameter (the core's message, "invalid parameter ...").
pub fn binary_loss<M: Metric>(
    metric: M,
    l: f32,
    threshold: f32,
    degenerate: Degenerate,
) -> Result<BinaryLoss<M>, SettingError> {
    if !(threshold.is_finite() && threshold > 0.0 && threshold < 1.0) {
        return Err(SettingError(format!(
            "threshold {threshold} is not in the open interval (0, 1)"
        )));
    }
    let amplifier = Amplifier::new(l).map_err(|e| SettingError(format!("L = {l}: {e}")))?;
    BinaryLoss::new(metric)
        .with_amplifier(amplifier)
        .with_degenerate(degenerate)
        .map_err(|e| SettingError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyloss_core::metrics::F1;

    #[test]
    fn valid_settings_reach_the_core_loss() {
        let loss = binary_loss(F1, 10.0, 0.3, Degenerate::Fallback(0.0)).unwrap();
        assert_eq!(loss.amplifier().l(), 10.0);
    }

    #[test]
    fn each_invalid_setting_is_named() {
        for bad in [0.0, 1.0, -0.5, f32::NAN, f32::INFINITY] {
            let e = binary_loss(F1, 73.0, bad, Degenerate::default()).unwrap_err();
            assert!(e.to_string().starts_with("threshold "), "{e}");
        }
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            let e = binary_loss(F1, bad, 0.5, Degenerate::default()).unwrap_err();
            assert!(e.to_string().starts_with(&format!("L = {bad}: ")), "{e}");
        }
        let e = binary_loss(F1, 73.0, 0.5, Degenerate::Smooth(0.0)).unwrap_err();
        assert!(e.to_string().contains("invalid parameter"), "{e}");
    }
}
