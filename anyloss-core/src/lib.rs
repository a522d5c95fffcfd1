//! # anyloss-core
//!
//! Any confusion-matrix metric as a differentiable loss, after AnyLoss (Han, Moniz & Chawla,
//! KDD 2024): `no_std`, no `alloc`, f32, no panics on any input.
//!
//! | layer | file |
//! |---|---|
//! | amplifier `A(p)` and its slope, from one `exp` | [`Amplifier`] |
//! | soft confusion entries, additive across chunks | [`Confusion`] |
//! | metric value and partials | [`Metric`], [`Partials`], [`metrics`] |
//! | the binary loss and its two-pass gradient | [`BinaryLoss`] |
//! | undefined metrics on degenerate batches | [`Degenerate`] |
//! | multi-class and segmentation: per-class entries, averaging, softmax | [`multiclass`] |
//! | multi-label: `C` independent binary problems per row, averaged or per label | [`multilabel`] |
//! | on-device fine-tuning: heads, optimizers, safe step, splits | [`train`] |
//! | trained models as checked binary blobs (save, load, ship in flash) | [`model`] |
//! | learning from a stream: replay buffers, the online trainer | [`field`] |
//! | the fixed-point path for cores without an FPU, and the path a build selects | [`fixed`] |
//!
//! ```
//! use anyloss_core::{metrics::F1, BinaryLoss, Input};
//!
//! let labels = [1u8, 0, 1, 0];
//! let probs = [0.9f32, 0.2, 0.4, 0.6];
//! let mut grad = [0.0f32; 4];
//! let out = BinaryLoss::new(F1).loss_and_grad(&labels, Input::Probs(&probs), &mut grad)?;
//! assert!((out.loss - 0.5).abs() < 1e-3);
//! assert!(grad[2] < 0.0 && grad[3] > 0.0); // raise the missed positive, lower the false one
//! # Ok::<(), anyloss_core::Error>(())
//! ```
//!
//! ## Cost
//! Pass 1 costs one `exp` per sample for probabilities and two for logits; pass 2 costs no
//! `exp`. The metric is evaluated once per batch. [`Input`] picks probabilities or logits
//! at run time, so a call with it links both kernels; [`Probs`] and [`Logits`] fix the kind
//! at compile time, which is what a small flash budget wants (on a Cortex-M4 the F1 loss
//! and gradient on `Probs` is 1.8 KB of `.text`, the exp included).
//!
//! ## Features
//! - `libm` (default) / `micromath`: the math backend, below. **`micromath` wins over
//!   `libm`, for every crate in the build**: Cargo unifies the features of one crate across
//!   the dependency graph, so if any crate built for the same target enables `micromath`,
//!   every user of anyloss-core there gets micromath's approximate `exp`, including one
//!   that asked for `libm` only (build-dependencies are resolved apart).
//!   `cargo tree -e features -i anyloss-core` shows who enables what.
//! - `defmt`: `defmt::Format` on the public types.
//! - `fixed-point`: [`fixed::DeviceLoss`] is the integer [`fixed::FixedLoss`] on every
//!   target. Without it, it is so where the target has no FPU (bare-metal ARM with the
//!   soft-float ABI, such as `thumbv6m-none-eabi` and `thumbv7m-none-eabi`) and
//!   [`BinaryLoss`] elsewhere; [`fixed::NUMERIC_PATH`] says which. RISC-V cores without `F`
//!   need this feature (stable Rust cannot tell them apart by `cfg`).
//! - `dispatch` (host builds; needs `std`): a default x86-64 build targets SSE2, 4 lanes;
//!   with this feature the kernels are also compiled for AVX2 with 8 lanes, and that copy
//!   runs when the CPU has AVX2 and FMA (about twice as fast). The one `unsafe` step,
//!   calling a `#[target_feature]` function after checking the CPU, is in the `pulp`
//!   crate; this crate stays `#![forbid(unsafe_code)]`. Lane counts sum in a different
//!   order, and the AVX2 copy fuses multiply-adds in its exps (a degree-4 polynomial, at
//!   most 1.02 ulp), so results differ in the last bits between the two copies: entries
//!   within 1e-6 relative, per-sample derivatives within 1e-5 (one ulp of the sigmoid
//!   moves `L·(σ(z) - t)` by up to `L·2^-25`); both copies are within 1e-5 of f64.
//! - `parallel` (host builds; needs `std`, brings in `rayon`): calls of 2^15 samples
//!   (elements) or more run both passes across the threads of rayon's current pool (the
//!   binary loss and the segmentation path of [`MulticlassLoss`]). Results are the same bit
//!   for bit whatever the thread count, and the same as without the feature: the blocks
//!   and the order of the running sums are the one-thread path's. Run a call inside
//!   `rayon::ThreadPool::install` to choose its threads. Multi-class labels must be `Sync`
//!   (every integer type is).
//!
//! ## Math backends
//! `libm` (default) or `micromath` (feature), chosen in one place, [`math`]. Measured on the
//! float64 autograd golden vectors (`tests/backend_accuracy.rs`):
//!
//! | backend | max loss error | max gradient relative error |
//! |---|---|---|
//! | `libm` (its own vectorizable exp, see [`math`]) | 1.9e-7 | 4.0e-6 |
//! | `micromath` (its `exp` per sample; `sqrt`/`ln` stay libm) | 4.2e-6 | 2.4e-3 |
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

// `f32::mul_add`, for the AVX2 kernels' fused multiply-adds (`fast_exp.rs`).
#[cfg(any(test, feature = "dispatch"))]
extern crate std;

mod amplifier;
mod binary;
mod confusion;
mod dispatch;
mod error;
#[cfg(all(feature = "libm", not(feature = "micromath")))]
mod fast_exp;
pub mod field;
pub mod fixed;
mod kernel;
mod lanes;
pub mod math;
mod metric;
pub mod metrics;
pub mod model;
pub mod multiclass;
pub mod multilabel;
#[cfg(feature = "parallel")]
mod parallel;
mod pass1;
mod pass1_threads;
mod sample_weights;
mod samples;
mod staged;
pub mod train;

pub use amplifier::{sigmoid, Amplified, Amplifier};
pub use binary::{BinaryLoss, LossOutput};
pub use confusion::Confusion;
pub use error::{Error, MetricOutput, Parameter};
pub use metric::{Coefficients, Degenerate, Evaluation, Metric, Partials, Range};
pub use multiclass::{Average, ClassConfusion, MulticlassLoss, MulticlassOutput};
pub use samples::{Input, Logits, Probs, Samples};
