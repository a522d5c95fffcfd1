//! # anyloss-burn
//!
//! Any confusion-matrix metric, built-in or a formula, as a [burn](https://burn.dev) loss
//! with the exact gradient, on any backend.
//!
//! burn computes the amplified outputs `A(p) = σ(L(p − threshold))` and the four soft
//! confusion entries with its own tensor ops; only those four scalars cross to the host,
//! where anyloss evaluates `1 − M` and its partials (with its [`Degenerate`] policy where the
//! metric is undefined). The returned tensor is the surrogate
//! `(1 − M) + Σ c·e − (Σ c·e).detach()`, whose value is the loss and whose gradient is
//! `Σ_e ∂(1 − M)/∂e · ∂e/∂outputs`, so `backward()` continues the chain rule into the model.
//!
//! Following burn's losses: `AnyLossConfig::new(metric).with_…(…).init()`, then
//! `forward(outputs, targets) -> Tensor<B, 1>`; `try_forward` returns an `Err` instead of
//! panicking on bad input.
//!
//! [`Degenerate`]: anyloss_core::Degenerate
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod amplify;
mod checks;
mod config;
mod error;
mod loss;

pub use config::AnyLossConfig;
pub use error::AnyLossError;
pub use loss::{AnyLoss, AnyLossOutput};
