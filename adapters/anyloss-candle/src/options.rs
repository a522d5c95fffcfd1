//! The settings of the loss besides the metric.

use anyloss_core::{Amplifier, BinaryLoss, Degenerate, Metric};
use candle_core::{Result, Tensor};

/// Amplifier steepness, decision threshold, input kind, per-sample weights and the policy
/// for batches where the metric is undefined. Every value is checked when the loss is
/// computed; an invalid one is an `Err`, never a panic.
///
/// ```
/// use anyloss_candle::AnyLossOptions;
/// let options = AnyLossOptions::default().with_logits(true).with_threshold(0.3);
/// assert_eq!(options.l, 73.0);
/// ```
#[derive(Debug, Clone)]
pub struct AnyLossOptions {
    /// Steepness `L` of the amplifier `A(p) = σ(L(p − threshold))`; finite and > 0.
    /// Default 73, the paper's value.
    pub l: f32,
    /// The probability the amplifier centres on, in `(0, 1)`; default 0.5.
    pub threshold: f32,
    /// `false` (default): the outputs are probabilities in `[0, 1]`. `true`: they are
    /// logits `z`, and `p = σ(z)` is taken first.
    pub from_logits: bool,
    /// What the loss does where the metric is undefined (see [`Degenerate`]).
    pub degenerate: Degenerate,
    /// Optional non-negative per-sample weights, one per output: each sample counts
    /// `w` times in the confusion entries.
    pub weights: Option<Tensor>,
}

impl Default for AnyLossOptions {
    fn default() -> Self {
        Self {
            l: Amplifier::DEFAULT_L,
            threshold: 0.5,
            from_logits: false,
            degenerate: Degenerate::default(),
            weights: None,
        }
    }
}

impl AnyLossOptions {
    /// With amplifier steepness `l`.
    pub fn with_l(mut self, l: f32) -> Self {
        self.l = l;
        self
    }

    /// With decision threshold `threshold`.
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = threshold;
        self
    }

    /// Outputs are logits (`true`) or probabilities (`false`).
    pub fn with_logits(mut self, from_logits: bool) -> Self {
        self.from_logits = from_logits;
        self
    }

    /// With the policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Self {
        self.degenerate = degenerate;
        self
    }

    /// With per-sample weights.
    pub fn with_weights(mut self, weights: Tensor) -> Self {
        self.weights = Some(weights);
        self
    }

    /// The core loss that turns the entries into the value and partials, after checking
    /// `l`, the threshold and the policy.
    pub(crate) fn binary_loss<'m, M: Metric + ?Sized>(
        &self,
        metric: &'m M,
    ) -> Result<BinaryLoss<&'m M>> {
        anyloss_adapter::binary_loss(metric, self.l, self.threshold, self.degenerate)
            .map_err(crate::error)
    }
}
