//! On-device fine-tuning: heads, optimizers, objectives and the training loop, with no
//! allocator and every buffer supplied by the caller.
//!
//! The host command `anyloss train` and the firmware run this same f32 code, in the same
//! order, from the same seed: split ([`Split::assign`]), standardiser fitted on the training
//! rows ([`Standardizer::fit`]), initialised head, [`Trainer::fit`], [`Trainer::counts`].
//! With the same data, settings and chunk length the two produce the same bits (up to the
//! math backend: `libm` on both sides).
//!
//! | piece | item |
//! |---|---|
//! | data view (row-major features, labels; may live in flash) | [`Dataset`] |
//! | stratified seeded split, k folds or a test fraction | [`Split`] |
//! | PRNG for splits, shuffles and initialisation (its stream: [`INIT_STREAM`]) | [`SplitMix64`] |
//! | standardiser, fitted on the training rows, applied on the fly | [`Standardizer`] |
//! | what a model is: parameters, forward, backward from `∂loss/∂logits` | [`Head`], [`HeadShape`] |
//! | heads: logistic (binary), softmax (multi-class), MLP (1–2 hidden ReLU layers) | [`Logistic`], [`Softmax`], [`Mlp`] |
//! | what a loss over a batch of logits is, streamed in two passes | [`BatchObjective`], [`BatchLoss`] |
//! | objectives: BCE / metric / hybrid (binary), cross-entropy, a multi-class metric | [`BinaryObjective`] (a [`HybridObjective`] over a [`MetricTerm`]), [`CrossEntropy`], [`ClassMetric`] |
//! | SGD with momentum / Adam, each update guarded | [`Sgd`], [`Adam`], [`Optimizer`] |
//! | mini-batches or full-dataset epochs | [`Batching`], [`FitConfig`] |
//! | the loop, one step, hard predictions | [`Trainer`] |
//! | the buffers, and the bytes they take | [`Scratch`], [`MemoryPlan`] |
//! | hard predictions without a trainer | [`Inference`], [`binary_counts`], [`class_matrix`] |
//! | hard counts and reported metrics | [`Counts`], [`Scores`] |
//!
//! A new head is one new folder (like `logistic/`, `softmax_head/`, `mlp/`) implementing
//! [`Head`]; it then trains with every objective and optimizer.
//!
//! ## Safety
//! Every update is a safe step ([`Optimizer::step`]): if any gradient component, new weight
//! or new optimizer state is NaN or infinite, nothing is written and the call returns
//! [`Error::NonFiniteUpdate`](crate::Error::NonFiniteUpdate). A bad batch cannot corrupt the
//! model, whatever the head.
//!
//! ## RAM
//! [`MemoryPlan::of`] gives the bytes of a run as a `const fn`, so a device sizes its
//! buffers at compile time. For `F` features, hidden widths `H1`, `H2` (0 when absent), `O`
//! outputs, `P` parameters, chunks of `K` samples (the data itself can stay in flash):
//!
//! | buffer | bytes | `ecoli3`, logistic | `ecoli3`, `mlp:16` |
//! |---|---|---|---|
//! | parameters | `4P` | 32 | 580 |
//! | gradient | `4P` | 32 | 580 |
//! | SGD velocity / Adam moments | `4P` / `8P` | 32 / 64 | 580 / 1160 |
//! | activations and their gradients | `8(H1+H2)` | 0 | 128 |
//! | standardised sample, chunk logits, `∂/∂z`, labels | `4F + (8O+1)K` | 604 | 604 |
//! | standardiser (mean, 1/std) | `8F` | 56 | 56 |
//! | training row indices (shuffled in place) | `4·n_train` | 1076 | 1076 |
//! | split: fold of each row + shuffled order | `5n` (transient) | 1680 | 1680 |
//!
//! (`ecoli3`: 7 features, 336 rows, 269 in a 5-fold training part; SGD; `K = 64`. The
//! test `memory_plan_matches_the_buffers_the_trainer_accepts` checks the formula against
//! the buffers [`Trainer::new`] accepts.) On the stack, add anyloss-core's pass-1 block
//! buffer for a metric objective (256 `f32` per lane at the widest lane count the target
//! can run: 1 KiB on Cortex-M, 4 KiB with NEON or wasm SIMD, 8 KiB on x86), and a few
//! hundred bytes of frames.
//!
//! ## Example: a logistic head, as the firmware trains it
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
//! const SHAPE: HeadShape = HeadShape::linear(2, 1);
//! let head = Logistic::new([0.0f32; SHAPE.params()])?;
//! let sgd = Sgd::new(0.3, 0.0, [0.0f32; SHAPE.params()])?;
//! let objective = BinaryObjective::hybrid(
//!     BinaryLoss::new(F1).with_amplifier(Amplifier::new(10.0)?), 0.5)?;
//! let config = FitConfig { epochs: 50, batching: Batching { size: 4 }, seed: 7, warm_start_epochs: 0 };
//! const K: usize = 4;
//! let (mut x, mut z, mut dz, mut y, mut grad) = ([0.0f32; 2], [0.0f32; K], [0.0f32; K], [0u8; K], [0.0f32; 3]);
//! let scratch = Scratch { input: &mut x, work: &mut [], logits: &mut z, dz: &mut dz, labels: &mut y, grad: &mut grad };
//! let mut trainer = Trainer::new(head, sgd, objective, config, scaler.scaling(), scratch)?;
//! trainer.fit(&data, train, |_, _| {})?;
//! let counts = trainer.counts(&data, train, 0.5)?;
//! assert!(counts.scores().f1 > 0.5);
//! # Ok::<(), anyloss_core::Error>(())
//! ```
//!
//! ## Example: an MLP head with a metric loss
//! ```
//! use anyloss_core::metrics::F1;
//! use anyloss_core::train::*;
//! use anyloss_core::BinaryLoss;
//!
//! // XOR-like data: not linearly separable.
//! let features = [0.0f32, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.1, 0.1, 0.9, 0.9, 0.1, 0.9, 0.9, 0.1];
//! let labels = [0u8, 0, 1, 1, 0, 0, 1, 1];
//! let data = Dataset::new(&features, &labels, 2)?;
//! let mut rows = [0u32, 1, 2, 3, 4, 5, 6, 7];
//! let scaler = Standardizer::from_parts([0.5f32; 2], [2.0f32; 2])?;
//!
//! const SHAPE: HeadShape = HeadShape { features: 2, hidden: [8, 0], outputs: 1 };
//! let mut head = Mlp::new([0.0f32; SHAPE.params()], SHAPE)?;
//! head.init(&mut SplitMix64::new(3));
//! let adam = Adam::new(0.05, [0.0f32; SHAPE.params()], [0.0f32; SHAPE.params()])?;
//! let objective = BinaryObjective::hybrid(BinaryLoss::new(F1), 0.5)?;
//! let config = FitConfig { epochs: 300, batching: Batching { size: 0 }, seed: 1, warm_start_epochs: 20 };
//! let (mut x, mut work, mut z, mut dz, mut y, mut grad) =
//!     ([0.0f32; 2], [0.0f32; SHAPE.work_len()], [0.0f32; 8], [0.0f32; 8], [0u8; 8], [0.0f32; SHAPE.params()]);
//! let scratch = Scratch { input: &mut x, work: &mut work, logits: &mut z, dz: &mut dz, labels: &mut y, grad: &mut grad };
//! let mut trainer = Trainer::new(head, adam, objective, config, scaler.scaling(), scratch)?;
//! trainer.fit(&data, &mut rows, |_, _| {})?;
//! assert_eq!(trainer.counts(&data, &rows, 0.5)?.scores().f1, 1.0);
//! # Ok::<(), anyloss_core::Error>(())
//! ```
//!
//! ## Example: a softmax head with cross-entropy
//! ```
//! use anyloss_core::train::*;
//!
//! // 3 classes on a line.
//! let features = [-2.0f32, -1.8, 0.0, 0.1, 2.0, 1.9];
//! let labels = [0u8, 0, 1, 1, 2, 2];
//! let data = Dataset::new(&features, &labels, 1)?;
//! let mut rows = [0u32, 1, 2, 3, 4, 5];
//! let scaler = Standardizer::from_parts([0.0f32], [1.0f32])?;
//!
//! let head = Softmax::new([0.0f32; 6], 3)?;
//! let sgd = Sgd::new(0.5, 0.9, [0.0f32; 6])?;
//! let config = FitConfig { epochs: 200, batching: Batching { size: 0 }, seed: 1, warm_start_epochs: 0 };
//! let (mut x, mut z, mut dz, mut y, mut grad) = ([0.0f32; 1], [0.0f32; 18], [0.0f32; 18], [0u8; 6], [0.0f32; 6]);
//! let scratch = Scratch { input: &mut x, work: &mut [], logits: &mut z, dz: &mut dz, labels: &mut y, grad: &mut grad };
//! let mut trainer = Trainer::new(head, sgd, CrossEntropy::new(3)?, config, scaler.scaling(), scratch)?;
//! trainer.fit(&data, &mut rows, |_, _| {})?;
//! let mut matrix = [0u32; 9];
//! assert_eq!(trainer.evaluate(&data, &rows, &mut matrix)?, 6);
//! # Ok::<(), anyloss_core::Error>(())
//! ```

mod adam;
mod batch_gradient;
mod batch_objective;
mod batching;
mod binary_objective;
mod class_metric;
mod cross_entropy;
mod dataset;
mod dense;
mod evaluate;
mod head;
mod hybrid_objective;
mod logistic;
mod memory_plan;
mod metric_term;
mod mlp;
mod optimizer;
mod rng;
mod safe_step;
mod scores;
mod scratch;
mod sgd;
mod softmax_head;
mod split;
mod standardize;
mod trainer;

pub use adam::Adam;
pub use batch_objective::{BatchLoss, BatchObjective};
pub use batching::Batching;
pub use binary_objective::{BinaryObjective, BinarySums};
pub use class_metric::ClassMetric;
pub use cross_entropy::{bce_with_logit, softmax_cross_entropy, CrossEntropy};
pub use dataset::Dataset;
pub use evaluate::{binary_counts, class_matrix, threshold_logit, Inference};
pub use head::{Head, HeadShape};
pub use hybrid_objective::{HybridObjective, HybridSums};
pub use logistic::Logistic;
pub use memory_plan::MemoryPlan;
pub(crate) use metric_term::sealed::MetricTermPasses;
pub use metric_term::MetricTerm;
pub use mlp::Mlp;
pub use optimizer::Optimizer;
pub use rng::{SplitMix64, INIT_STREAM};
pub use scores::{Counts, Scores};
pub use scratch::Scratch;
pub use sgd::Sgd;
pub use softmax_head::{Softmax, MAX_CLASSES};
pub use split::{test_rows, train_rows, Split};
pub use standardize::{Scaling, Standardizer};
pub use trainer::{EpochReport, FitConfig, Trainer};
