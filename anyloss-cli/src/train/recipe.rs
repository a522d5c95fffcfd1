//! The training settings of one loss, and the defaults chosen by the evidence in
//! `EVIDENCE.md`.

use std::fmt;

use clap::ValueEnum;
use serde::Serialize;

use crate::error::CliError;

use super::model::ModelArch;

/// The optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// SGD with momentum (`--momentum`, default 0).
    Sgd,
    /// Adam (β1 0.9, β2 0.999, ε 1e-8).
    Adam,
}

impl OptimizerKind {
    /// The learning rate used when `--optimizer` is given without `--lr` and differs from
    /// the recipe's own optimizer.
    pub fn default_lr(self) -> f32 {
        match self {
            OptimizerKind::Sgd => 0.3,
            OptimizerKind::Adam => 0.01,
        }
    }
}

/// How one loss is trained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Recipe {
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Its learning rate.
    pub lr: f32,
    /// SGD momentum (ignored by Adam).
    pub momentum: f32,
    /// Epochs, including the warm start.
    pub epochs: u32,
    /// Mini-batch size; 0 = full-dataset batches.
    pub batch: usize,
    /// Weight `r` of the metric in `(1−r)·BCE + r·(1−M)`; 0 for BCE.
    pub mix: f32,
    /// Amplifier steepness `L` of the metric term.
    pub l: f32,
    /// Leading epochs of plain BCE.
    pub warm_start: u32,
    /// The decision threshold: the centre of the metric term's amplifier and the point of
    /// the hard decisions (label 1 when p >= threshold).
    pub threshold: f32,
}

impl Recipe {
    /// BCE trained to convergence: SGD lr 1, batch 64, 500 epochs, zero init. On 59 KEEL
    /// sets this matched scikit-learn's unregularised logistic regression (`EVIDENCE.md`).
    pub const BCE: Recipe = Recipe {
        optimizer: OptimizerKind::Sgd,
        lr: 1.0,
        momentum: 0.0,
        epochs: 500,
        batch: 64,
        mix: 0.0,
        l: 10.0,
        warm_start: 0,
        threshold: 0.5,
    };

    /// A metric loss: 20 epochs of BCE as a warm start, then the pure metric loss `1 − M`
    /// (`mix` 1) with L = 10; SGD lr 0.3, batch 64, 500 epochs in all, zero init. On the
    /// bundled data it beat the hybrid baseline (`0.5·BCE + 0.5·(1−M)`, same
    /// optimizer) on F1, F2, G-mean and balanced accuracy alike (`EVIDENCE.md`).
    pub const METRIC: Recipe = Recipe {
        optimizer: OptimizerKind::Sgd,
        lr: 0.3,
        momentum: 0.0,
        epochs: 500,
        batch: 64,
        mix: 1.0,
        l: 10.0,
        warm_start: 20,
        threshold: 0.5,
    };

    /// BCE for an MLP head: Adam lr 0.01, batch 64, 300 epochs, He initialisation. The
    /// PyTorch baseline this project compares against (`EVIDENCE.md`).
    pub const MLP_BCE: Recipe = Recipe {
        optimizer: OptimizerKind::Adam,
        lr: 0.01,
        momentum: 0.0,
        epochs: 300,
        batch: 64,
        mix: 0.0,
        l: 10.0,
        warm_start: 0,
        threshold: 0.5,
    };

    /// A metric loss for an MLP head: 20 epochs of BCE as a warm start, then the pure metric
    /// loss with L = 10; Adam lr 0.01, batch 64, 300 epochs in all (`EVIDENCE.md`).
    pub const MLP_METRIC: Recipe = Recipe {
        optimizer: OptimizerKind::Adam,
        lr: 0.01,
        momentum: 0.0,
        epochs: 300,
        batch: 64,
        mix: 1.0,
        l: 10.0,
        warm_start: 20,
        threshold: 0.5,
    };

    /// The default recipe of BCE (`is_metric = false`) or of a metric loss, for `model`.
    pub fn default_for(is_metric: bool, model: ModelArch) -> Recipe {
        match (model, is_metric) {
            (ModelArch::Linear, true) => Self::METRIC,
            (ModelArch::Linear, false) => Self::BCE,
            (ModelArch::Mlp(_), true) => Self::MLP_METRIC,
            (ModelArch::Mlp(_), false) => Self::MLP_BCE,
        }
    }

    /// Applies `--optimizer`, `--lr` and `--momentum` where given: another optimizer than
    /// the recipe's brings its own default learning rate unless `--lr` is given too, and
    /// `--momentum` belongs to SGD alone.
    pub fn set_optimizer(
        &mut self,
        optimizer: Option<OptimizerKind>,
        lr: Option<f32>,
        momentum: Option<f32>,
    ) -> Result<(), CliError> {
        if let Some(o) = optimizer {
            if o != self.optimizer && lr.is_none() {
                self.lr = o.default_lr();
            }
            self.optimizer = o;
        }
        if let Some(v) = lr {
            self.lr = v;
        }
        if let Some(v) = momentum {
            if self.optimizer != OptimizerKind::Sgd {
                return Err(CliError::new("--momentum applies to --optimizer sgd only"));
            }
            self.momentum = v;
        }
        Ok(())
    }

    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), CliError> {
        let bad = |flag: &str, why: &str| Err(CliError::new(format!("{flag}: {why}")));
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("--lr", &format!("{} must be finite and > 0", self.lr));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad(
                "--momentum",
                &format!("{} must be in [0, 1)", self.momentum),
            );
        }
        if self.epochs == 0 {
            return bad("--epochs", "must be at least 1");
        }
        if !(0.0..=1.0).contains(&self.mix) {
            return bad("--mix", &format!("{} must be in [0, 1]", self.mix));
        }
        if !(self.l.is_finite() && self.l > 0.0) {
            return bad("--l", &format!("{} must be finite and > 0", self.l));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return bad(
                "--threshold",
                &format!("{} must be in (0, 1)", self.threshold),
            );
        }
        if self.warm_start > self.epochs {
            return bad(
                "--warm-start",
                &format!(
                    "{} is more than the {} epochs",
                    self.warm_start, self.epochs
                ),
            );
        }
        Ok(())
    }
}

/// The error for `flag`, a setting of the metric term, given with the BCE loss.
pub fn no_metric_term(flag: &str) -> CliError {
    CliError::new(format!(
        "{flag} has no effect on --loss bce (it sets the metric term)"
    ))
}

impl fmt::Display for Recipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.optimizer {
            OptimizerKind::Sgd if self.momentum > 0.0 => {
                write!(f, "sgd lr {} momentum {}", self.lr, self.momentum)?
            }
            OptimizerKind::Sgd => write!(f, "sgd lr {}", self.lr)?,
            OptimizerKind::Adam => write!(f, "adam lr {}", self.lr)?,
        }
        if self.batch == 0 {
            write!(f, ", full batch")?;
        } else {
            write!(f, ", batch {}", self.batch)?;
        }
        write!(f, ", {} epochs", self.epochs)?;
        if self.warm_start > 0 {
            write!(f, " ({} of BCE warm start)", self.warm_start)?;
        }
        Ok(())
    }
}
