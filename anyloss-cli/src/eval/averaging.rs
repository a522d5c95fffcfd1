//! `--average` and `--class-weights`: how the per-class values of multi-class and
//! multi-label data combine.

use anyloss_core::Average;

use crate::error::CliError;

/// `--average`: how per-class values combine, or `none` for the loss of each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Averaging {
    /// The mean of the per-class metrics (weighted by --class-weights).
    Macro,
    /// The metric of the entries summed over classes.
    Micro,
    /// The per-class metrics weighted by support (times --class-weights).
    Weighted,
    /// No averaging: the loss of each class; the gradient is each class's own.
    None,
}

impl Averaging {
    /// The core's averaging; `None` for per-class output.
    pub fn average(self) -> Option<Average> {
        match self {
            Averaging::Macro => Some(Average::Macro),
            Averaging::Micro => Some(Average::Micro),
            Averaging::Weighted => Some(Average::Weighted),
            Averaging::None => None,
        }
    }
}

/// `--class-weights`: one weight per class, each finite and `>= 0`, not all 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassWeights(pub Vec<f32>);

impl ClassWeights {
    /// The weights of `classes` classes, or an error if their count differs.
    pub fn for_classes(&self, classes: usize) -> Result<&[f32], CliError> {
        if self.0.len() == classes {
            Ok(&self.0)
        } else {
            Err(CliError::new(format!(
                "--class-weights: {} weights for {classes} classes",
                self.0.len()
            )))
        }
    }
}

/// The weights of `given` (`--class-weights`, if any) for `classes` classes averaged by
/// `average`: an error where their count differs or the averaging has no class weights
/// (micro, none).
pub fn class_weights_for(
    given: Option<&ClassWeights>,
    average: Option<Average>,
    classes: usize,
) -> Result<Option<&[f32]>, CliError> {
    match given {
        None => Ok(None),
        Some(w) if matches!(average, Some(Average::Macro | Average::Weighted)) => {
            w.for_classes(classes).map(Some)
        }
        Some(_) => Err(CliError::new(format!(
            "--class-weights apply to --average macro or weighted, not {}",
            average.map_or("none", Average::name)
        ))),
    }
}

/// Parses `w0,w1,...`.
pub fn parse_class_weights(text: &str) -> Result<ClassWeights, String> {
    let mut weights = Vec::new();
    for (c, cell) in text.split(',').enumerate() {
        let cell = cell.trim();
        let w: f64 = cell
            .parse()
            .map_err(|_| format!("weight {c} `{cell}` is not a number"))?;
        let v = w as f32;
        if !v.is_finite() {
            return Err(format!("weight {c} `{cell}` is not a finite f32"));
        }
        if v < 0.0 {
            return Err(format!("weight {c} `{cell}` is negative"));
        }
        weights.push(v);
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err("the weights are all 0".to_string());
    }
    Ok(ClassWeights(weights))
}
