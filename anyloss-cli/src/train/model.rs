//! `--model`: the head trained on the standardised features.

use std::fmt;
use std::str::FromStr;

use anyloss_core::train::{Head, HeadShape, Logistic, Mlp, Softmax, SplitMix64};

use crate::error::CliError;

/// The architecture of the head: `linear` (logistic regression) or an MLP with one or two
/// hidden ReLU layers and a sigmoid output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelArch {
    /// Logistic regression, zero-initialised.
    #[default]
    Linear,
    /// Hidden widths `[H1, H2]`, `H2 = 0` for one hidden layer; He-initialised.
    Mlp([usize; 2]),
}

/// Widest hidden layer accepted: far beyond what a microcontroller head needs, and small
/// enough that no width can exhaust memory.
pub const MAX_WIDTH: usize = 4096;

impl FromStr for ModelArch {
    type Err = CliError;

    fn from_str(s: &str) -> Result<Self, CliError> {
        let s = s.trim();
        if s == "linear" {
            return Ok(ModelArch::Linear);
        }
        let bad = |why: String| {
            CliError::new(format!(
                "--model {s}: {why} (expected `linear`, `mlp:H` or `mlp:H1,H2`, e.g. mlp:16)"
            ))
        };
        let Some(widths) = s.strip_prefix("mlp:") else {
            return Err(bad("unknown model".to_string()));
        };
        let parts: Vec<&str> = widths.split(',').collect();
        if parts.len() > 2 {
            return Err(bad(format!("{} hidden layers; at most 2", parts.len())));
        }
        let mut hidden = [0usize; 2];
        for (slot, part) in hidden.iter_mut().zip(&parts) {
            let w: usize = part
                .trim()
                .parse()
                .map_err(|_| bad(format!("`{part}` is not a layer width")))?;
            if !(1..=MAX_WIDTH).contains(&w) {
                return Err(bad(format!("width {w} must be in 1..={MAX_WIDTH}")));
            }
            *slot = w;
        }
        Ok(ModelArch::Mlp(hidden))
    }
}

impl fmt::Display for ModelArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelArch::Linear => f.write_str("linear"),
            ModelArch::Mlp([h, 0]) => write!(f, "mlp:{h}"),
            ModelArch::Mlp([h1, h2]) => write!(f, "mlp:{h1},{h2}"),
        }
    }
}

impl ModelArch {
    /// The head's shape over `features` inputs (one output: binary).
    pub fn shape(&self, features: usize) -> HeadShape {
        match self {
            ModelArch::Linear => HeadShape::linear(features, 1),
            ModelArch::Mlp(hidden) => HeadShape {
                features,
                hidden: *hidden,
                outputs: 1,
            },
        }
    }

    /// A fresh head: zero weights for `linear` (the paper's start), He initialisation from
    /// `seed` for an MLP.
    pub fn fresh(&self, features: usize, seed: u64) -> Result<Box<dyn Head>, CliError> {
        let shape = self.shape(features);
        let params = vec![0.0f32; shape.params()];
        let core = |e: anyloss_core::Error| CliError::new(format!("--model {self}: {e}"));
        Ok(match self {
            ModelArch::Linear => Box::new(Logistic::new(params).map_err(core)?),
            ModelArch::Mlp(_) => {
                let mut head = Mlp::new(params, shape).map_err(core)?;
                head.init(&mut SplitMix64::new(seed));
                Box::new(head)
            }
        })
    }

    /// The head of `shape` over saved `params`: logistic, softmax (a linear head of several
    /// outputs) or MLP.
    pub fn with_params(shape: HeadShape, params: Vec<f32>) -> Result<Box<dyn Head>, CliError> {
        let core = |e: anyloss_core::Error| CliError::new(format!("model: {e}"));
        Ok(if shape.hidden[0] == 0 && shape.outputs > 1 {
            let head = Softmax::new(params, shape.outputs).map_err(core)?;
            if head.shape() != shape {
                return Err(CliError::new(format!(
                    "model: {} parameters do not make a softmax head of {} features",
                    shape.params(),
                    shape.features
                )));
            }
            Box::new(head)
        } else if shape.hidden[0] == 0 {
            let head = Logistic::new(params).map_err(core)?;
            if head.shape() != shape {
                return Err(CliError::new(format!(
                    "model: {} parameters do not make a logistic head of {} features",
                    shape.params(),
                    shape.features
                )));
            }
            Box::new(head)
        } else {
            Box::new(Mlp::new(params, shape).map_err(core)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_architecture() {
        for (text, arch) in [
            ("linear", ModelArch::Linear),
            ("mlp:16", ModelArch::Mlp([16, 0])),
            ("mlp:8,4", ModelArch::Mlp([8, 4])),
        ] {
            assert_eq!(text.parse::<ModelArch>().unwrap(), arch);
            assert_eq!(arch.to_string(), text);
        }
        for bad in [
            "mlp",
            "mlp:",
            "mlp:0",
            "mlp:1,2,3",
            "mlp:x",
            "mlp:99999",
            "deep",
        ] {
            let e = bad.parse::<ModelArch>().unwrap_err().to_string();
            assert!(e.contains("--model") && e.contains("mlp:16"), "{bad}: {e}");
        }
    }
}
