//! Hard (thresholded) evaluation: confusion counts and the metrics reported for them.

use crate::confusion::Confusion;
use crate::metric::{Degenerate, Metric};
use crate::metrics::{Accuracy, BalancedAccuracy, GMean, Mcc, Precision, Recall, F1};

/// Hard confusion counts of a binary classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counts {
    /// True positives.
    pub tp: u32,
    /// False negatives.
    pub fn_: u32,
    /// False positives.
    pub fp: u32,
    /// True negatives.
    pub tn: u32,
}

impl Counts {
    /// Counts one sample with label `y` (nonzero = positive) predicted as `predicted`.
    pub fn add(&mut self, y: u8, predicted: u8) {
        let slot = match (y != 0, predicted != 0) {
            (true, true) => &mut self.tp,
            (true, false) => &mut self.fn_,
            (false, true) => &mut self.fp,
            (false, false) => &mut self.tn,
        };
        *slot = slot.saturating_add(1);
    }

    /// The counts as (hard) confusion entries.
    pub fn confusion(&self) -> Confusion {
        Confusion::new(
            self.tp as f32,
            self.fn_ as f32,
            self.fp as f32,
            self.tn as f32,
        )
    }

    /// `metric` at these counts; 0 where it is undefined (scikit-learn's
    /// `zero_division=0`).
    pub fn score<M: Metric + ?Sized>(&self, metric: &M) -> f32 {
        Degenerate::Fallback(0.0)
            .evaluate(metric, &self.confusion())
            .value
    }

    /// The seven reported metrics.
    pub fn scores(&self) -> Scores {
        Scores {
            accuracy: self.score(&Accuracy),
            precision: self.score(&Precision),
            recall: self.score(&Recall),
            f1: self.score(&F1),
            balanced_accuracy: self.score(&BalancedAccuracy),
            gmean: self.score(&GMean),
            mcc: self.score(&Mcc),
        }
    }
}

/// The metrics `anyloss train` reports, each 0 where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Scores {
    /// Accuracy.
    pub accuracy: f32,
    /// Precision.
    pub precision: f32,
    /// Recall.
    pub recall: f32,
    /// F1.
    pub f1: f32,
    /// Balanced accuracy.
    pub balanced_accuracy: f32,
    /// G-mean `√(TPR·TNR)`.
    pub gmean: f32,
    /// Matthews correlation coefficient.
    pub mcc: f32,
}

impl Scores {
    /// The names of the reported metrics (the field names), in report order.
    pub const NAMES: [&'static str; 7] = [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "balanced_accuracy",
        "gmean",
        "mcc",
    ];

    /// The values in the order of [`Scores::NAMES`].
    pub fn values(&self) -> [f32; 7] {
        [
            self.accuracy,
            self.precision,
            self.recall,
            self.f1,
            self.balanced_accuracy,
            self.gmean,
            self.mcc,
        ]
    }
}
