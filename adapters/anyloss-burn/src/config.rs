//! The loss configuration, in burn's `XConfig::new(..).with_..().init()` style.

use anyloss_core::{Amplifier, Degenerate, Metric};

use crate::error::AnyLossError;
use crate::loss::AnyLoss;

/// Configuration of [`AnyLoss`]: the metric plus the amplifier steepness, decision
/// threshold, input kind and degenerate-batch policy.
///
/// ```
/// use anyloss_burn::AnyLossConfig;
/// use anyloss_core::metrics::F1;
/// let loss = AnyLossConfig::new(F1).with_logits(true).with_l(10.0).init()?;
/// # Ok::<(), anyloss_burn::AnyLossError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AnyLossConfig<M> {
    /// The metric `M` of the loss `1 − M`: a built-in
    /// ([`anyloss_core::metrics::Builtin::from_name`]) or a formula
    /// ([`anyloss_dsl::FormulaMetric::compile`]).
    pub metric: M,
    /// Steepness `L` of the amplifier `A(p) = σ(L(p − threshold))`; finite and > 0.
    /// Default 73, the paper's value.
    pub l: f32,
    /// The probability the amplifier centres on, in `(0, 1)`; default 0.5.
    pub threshold: f32,
    /// `false` (default): outputs are probabilities in `[0, 1]`; `true`: logits.
    pub logits: bool,
    /// What the loss does where the metric is undefined (see [`Degenerate`]).
    pub degenerate: Degenerate,
}

impl<M: Metric> AnyLossConfig<M> {
    /// The defaults for `metric`: L = 73, threshold 0.5, probabilities, smoothing.
    pub fn new(metric: M) -> Self {
        Self {
            metric,
            l: Amplifier::DEFAULT_L,
            threshold: 0.5,
            logits: false,
            degenerate: Degenerate::default(),
        }
    }

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
    pub fn with_logits(mut self, logits: bool) -> Self {
        self.logits = logits;
        self
    }

    /// With the policy for undefined metrics.
    pub fn with_degenerate(mut self, degenerate: Degenerate) -> Self {
        self.degenerate = degenerate;
        self
    }

    /// The loss, after checking every setting.
    ///
    /// # Errors
    /// `l` not finite and > 0, a threshold outside `(0, 1)`, or an invalid policy parameter.
    pub fn init(self) -> Result<AnyLoss<M>, AnyLossError> {
        let loss =
            anyloss_adapter::binary_loss(self.metric, self.l, self.threshold, self.degenerate)
                .map_err(|e| AnyLossError(e.to_string()))?;
        Ok(AnyLoss::new(loss, self.threshold, self.logits))
    }
}
