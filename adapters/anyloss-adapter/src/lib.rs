//! # anyloss-adapter
//!
//! What the tensor-framework adapters (`anyloss-candle`, `anyloss-burn`) share, the part
//! that touches no tensor:
//!
//! - [`binary_loss`]: the amplifier steepness, decision threshold and degenerate policy,
//!   checked, as the core [`BinaryLoss`](anyloss_core::BinaryLoss) that evaluates the entries;
//! - [`Check`]: the input checks an adapter runs on the device, and the message naming the
//!   first bad element once the adapter has located it;
//! - [`evaluate`]: the host step from the scalars read back in one transfer (the four
//!   entries and the checks' failure counts) to the loss and its per-label coefficients.
//!
//! Each adapter keeps its framework's conventions for the rest: burn's
//! `AnyLossConfig::new(..).with_..().init()` and candle's `AnyLossOptions`, tensor ops,
//! error types.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod readback;
mod settings;

pub use check::Check;
pub use readback::{evaluate, Rejected, READ_BACK_LEN};
pub use settings::{binary_loss, SettingError};
