//! The input checks: what each looks for and the message that names the first bad element.
//! The adapters run them with tensor ops on the device and read back only failure counts.

/// What a check looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Probabilities outside `[0, 1]` or NaN.
    Probability,
    /// Logits that are NaN or infinite.
    Finite,
    /// Targets other than 0 and 1.
    Label,
    /// Weights that are negative, NaN or infinite.
    Weight,
}

impl Check {
    /// The check of the outputs: [`Check::Finite`] for logits, else [`Check::Probability`].
    pub fn of_outputs(logits: bool) -> Self {
        if logits {
            Check::Finite
        } else {
            Check::Probability
        }
    }

    /// The message for the first failing element, at flat `index` with `value`.
    pub fn message(self, index: usize, value: f64) -> String {
        match self {
            Check::Probability => format!(
                "output at index {index} is {value}: probabilities must be in [0, 1] \
                 (use `with_logits(true)` for logits)"
            ),
            Check::Finite => format!("logit at index {index} is {value}"),
            Check::Label => format!("target at index {index} is {value}, not 0 or 1"),
            Check::Weight => {
                format!("weight at index {index} is {value}: weights must be finite and >= 0")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_position_value_and_rule() {
        let m = Check::Probability.message(1, 1.5);
        assert!(m.contains("index 1 is 1.5") && m.contains("[0, 1]"), "{m}");
        assert_eq!(
            Check::Finite.message(2, f64::NAN),
            "logit at index 2 is NaN"
        );
        assert_eq!(
            Check::Label.message(0, 3.0),
            "target at index 0 is 3, not 0 or 1"
        );
        assert!(Check::Weight
            .message(4, -1.0)
            .starts_with("weight at index 4 is -1"));
        assert_eq!(Check::of_outputs(true), Check::Finite);
        assert_eq!(Check::of_outputs(false), Check::Probability);
    }
}
