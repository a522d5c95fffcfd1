//! On-device fine-tuning: heads, optimizers, objectives and the training loop, with no
//! allocator and every buffer supplied by the caller.
//!
//! The host command `anyloss train` and the firmware run this same f32 code, in the same
//! order, from the same seed: split ([`Split::assign`]), standardiser fitted on the training
//! rows ([`Standardizer::fit`]), zero-initialised head, [`fit_binary`], [`evaluate_binary`].
//! With the same data, settings and chunk length the two produce the same bits (up to the
//! math backend: `libm` on both sides).
//!
//! | piece | file |
//! |---|---|
//! | data view (row-major features, labels; may live in flash) | [`Dataset`] |
//! | stratified seeded split, k folds or a test fraction | [`Split`] |
//! | PRNG for splits and shuffles | [`SplitMix64`] |
//! | standardiser, fitted on the training rows, applied on the fly | [`Standardizer`] |
//! | logistic head (binary) / softmax linear head (multi-class) | [`LogisticHead`], [`SoftmaxHead`] |
//! | SGD with momentum / Adam, each update guarded | [`Sgd`], [`Adam`], [`Optimizer`] |
//! | BCE, metric loss, hybrid `(1−r)·BCE + r·(1−M)` | [`BinaryObjective`] |
//! | batch loss and gradient, two-pass over chunks | [`binary_gradient`] |
//! | mini-batches or full-dataset epochs | [`Batching`] |
//! | the loop / one step | [`fit_binary`], [`train_step`] |
//! | multi-class loops: cross-entropy / a metric loss ([`crate::multiclass`]) | [`fit_softmax`], [`fit_softmax_metric`] |
//! | hard counts and reported metrics | [`Counts`], [`Scores`] |
//!
//! ## Safety
//! Every update is a safe step ([`Optimizer::step`]): if any gradient component, new weight
//! or new optimizer state is NaN or infinite, nothing is written and the call returns
//! [`Error::NonFiniteUpdate`](crate::Error::NonFiniteUpdate). A bad batch cannot corrupt the
//! model.
//!
//! ## RAM
//! For `F` features, `C` classes, `n` rows of which `n_train` train, and a chunk of `K`
//! samples (bytes; the data itself can stay in flash):
//!
//! | buffer | logistic head | softmax head |
//! |---|---|---|
//! | parameters | `4(F+1)` | `4C(F+1)` |
//! | gradient | `4(F+1)` | `4C(F+1)` |
//! | SGD velocity (any momentum) | `4(F+1)` | `4C(F+1)` |
//! | Adam moments (instead of SGD) | `8(F+1)` | `8C(F+1)` |
//! | standardiser (mean, 1/std) | `8F` | `8F` |
//! | chunk buffers (logits, `∂/∂z`, labels) | `9K` | `4C` (cross-entropy), `(8C+1)K` (metric) |
//! | training row indices (shuffled in place) | `4·n_train` | `4·n_train` |
//! | split: fold of each row + shuffled order | `5n` (transient) | `5n` (transient) |
//!
//! On the stack, add anyloss-core's pass-1 block buffer for a metric objective (256 `f32`
//! per lane at the widest lane count the target can run: 1 KiB on Cortex-M, 4 KiB with
//! NEON or wasm SIMD, 8 KiB on x86), and a few hundred bytes of frames. Example: the
//! 7-feature `ecoli3` (336 rows, 5-fold training part 269 rows), SGD, `K = 64`: 32 + 32 + 32
//! + 56 + 576 + 1076 bytes ≈ 1.8 KiB of buffers, plus the 1.7 KiB split.
//!
//! ## Example: what the firmware does
//! ```
//! use anyloss_core::metrics::F1;
//! use anyloss_core::train::*;
//! use anyloss_core::{Amplifier, BinaryLoss};
//!
//! // 8 samples, 2 features, row-major; label 1 is the minority class.
//! let features = [0.1f32, 1.0, 0.3, 0.8, 0.2, 1.2, 0.9, 0.1, 1.1, 0.2, 0.8, 0.3, 1.0, 0.0, 1.2, 0.1];
//! let labels = [0u8, 0, 0, 1, 1, 0, 1, 0];
//! let data = Dataset::new(&features, &labels, 2)?;
//!
//! let (mut order, mut fold_of) = ([0u32; 8], [0u8; 8]);
//! Split::TestFraction(0.25).assign(&labels, 7, &mut order, &mut fold_of)?;
//! let mut train = [0u32; 8];
//! let n_train = train_rows(&fold_of, 0, &mut train)?;
//! let train = &mut train[..n_train];
//!
//! let mut scaler = Standardizer::new([0.0f32; 2], [0.0f32; 2])?;
//! scaler.fit(&data, train)?;
//! let mut head = LogisticHead::new([0.0f32; 3])?;
//! let mut sgd = Sgd::new(0.3, 0.0, [0.0f32; 3])?;
//! let objective = BinaryObjective::hybrid(
//!     BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0)?), 0.5)?;
//! let config = FitConfig { epochs: 50, batching: Batching { size: 4 }, seed: 7, warm_start_epochs: 0 };
//! let (mut z, mut dz, mut y, mut grad) = ([0.0f32; 4], [0.0f32; 4], [0u8; 4], [0.0f32; 3]);
//! let mut scratch = Scratch {
//!     chunk: ChunkScratch { logits: &mut z, dz: &mut dz, labels: &mut y },
//!     grad: &mut grad,
//! };
//! fit_binary(&mut head, &mut sgd, &objective, &data, scaler.scaling(), train,
//!            &config, &mut scratch, |_, _| {})?;
//! let counts = evaluate_binary(&head, &data, scaler.scaling(), train)?;
//! assert!(counts.scores().f1 > 0.5);
//! # Ok::<(), anyloss_core::Error>(())
//! ```

mod adam;
mod batching;
mod cross_entropy;
mod dataset;
mod fit;
mod fit_softmax;
mod gradient;
mod logistic;
mod objective;
mod optimizer;
mod rng;
mod safe_step;
mod scores;
mod sgd;
mod softmax;
mod softmax_metric;
mod split;
mod standardize;

pub use adam::Adam;
pub use batching::Batching;
pub use cross_entropy::{bce_with_logit, softmax_cross_entropy};
pub use dataset::Dataset;
pub use fit::{fit_binary, train_step, EpochReport, FitConfig, Scratch};
pub use fit_softmax::{evaluate_softmax, fit_softmax, softmax_gradient};
pub use gradient::{binary_gradient, BatchLoss, ChunkScratch};
pub use logistic::LogisticHead;
pub use objective::BinaryObjective;
pub use optimizer::Optimizer;
pub use rng::SplitMix64;
pub use scores::{evaluate_binary, Counts, Scores};
pub use sgd::Sgd;
pub use softmax::SoftmaxHead;
pub use softmax_metric::{fit_softmax_metric, softmax_metric_gradient, ClassChunkScratch};
pub use split::{test_rows, train_rows, Split};
pub use standardize::{Scaling, Standardizer};
