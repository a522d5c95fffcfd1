//! # anyloss-candle
//!
//! Any confusion-matrix metric, built-in or a formula, as a [candle](https://docs.rs/candle-core)
//! loss with the exact gradient, on any device.
//!
//! candle computes the amplified outputs `A(p) = σ(L(p − threshold))` and the four soft
//! confusion entries with its own tensor ops; only those four scalars cross to the host,
//! where anyloss evaluates `1 − M` and its partials (with its [`Degenerate`] policy where the
//! metric is undefined). The returned tensor is the surrogate
//! `(1 − M) + Σ c·e − (Σ c·e).detach()`, whose value is the loss and whose gradient is
//! `Σ_e ∂(1 − M)/∂e · ∂e/∂outputs`, so `backward()` continues the chain rule into the model.
//!
//! ```
//! use anyloss_candle::{any_loss, AnyLossOptions};
//! use anyloss_core::metrics::F1;
//! use candle_core::{Device, Tensor, Var};
//!
//! let dev = Device::Cpu;
//! let logits = Var::new(&[2.0f32, -1.0, 0.3, -0.2], &dev)?;
//! let targets = Tensor::new(&[1u8, 0, 1, 0], &dev)?;
//! let options = AnyLossOptions::default().with_logits(true);
//! let loss = any_loss(logits.as_tensor(), &targets, &F1, &options)?;
//! let grads = loss.backward()?;
//! let g = grads.get(&logits).expect("logits take part in the loss").to_vec1::<f32>()?;
//! assert!(g[2] < 0.0); // raise the positive that sits near the threshold
//! # Ok::<(), candle_core::Error>(())
//! ```
//!
//! [`Degenerate`]: anyloss_core::Degenerate
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod amplify;
mod binary;
mod checks;
mod options;

pub use binary::{any_loss, any_loss_output, AnyLossOutput};
pub use options::AnyLossOptions;

/// A candle error carrying `message`, prefixed with the function's name.
fn error(message: impl std::fmt::Display) -> candle_core::Error {
    candle_core::Error::Msg(format!("any_loss: {message}")).bt()
}
