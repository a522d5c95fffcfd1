//! Multi-class classification and segmentation: one-vs-rest soft entries of `C` classes
//! (fixed at compile time), averaged into one loss, with gradients through per-class
//! probabilities or a softmax.
//!
//! | concept | item |
//! |---|---|
//! | where the values sit: `[N][C]`, `[N][C][H·W]`, `[N][H·W][C]`, any strides | [`Layout`] |
//! | per-class `TP_c, FN_c, FP_c, TN_c` and (weighted) support, additive | [`ClassConfusion`] |
//! | macro / weighted / micro average of any [`crate::Metric`], or per class | [`Averaged`], [`Average`] |
//! | weights of the classes in an average | [`ClassWeights`], [`EqualWeights`] |
//! | the reference code's `Σ_c (FP_c+FN_c)/C`, and normalised | [`ErrorRate`] |
//! | the two passes, single-shot or streamed, with or without sample weights | [`MulticlassLoss`] |
//! | softmax and its O(C) Jacobian product | [`softmax`], [`softmax_jvp`] |
//!
//! ```
//! use anyloss_core::multiclass::{Average, Layout, MulticlassLoss};
//! use anyloss_core::{metrics::F1, Input};
//!
//! // Two 2×2 images, 3 classes, NCHW; label 255 marks an unlabeled pixel.
//! let layout = Layout::<3>::class_planes(2, 4)?;
//! let labels: [u8; 8] = [0, 1, 2, 255, 2, 2, 1, 0];
//! let mut probs = [0.1f32; 24];
//! for (i, &y) in labels.iter().enumerate() {
//!     if y < 3 {
//!         probs[(i / 4) * 12 + usize::from(y) * 4 + i % 4] = 0.8; // confident and right
//!     }
//! }
//! let loss = MulticlassLoss::averaged(F1, Average::Macro).with_ignore(255);
//! let mut grad = [0.0f32; 24];
//! let out = loss.loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad)?;
//! assert!(out.loss < 1e-3);
//! // Pixel 3 of image 0 is ignored: its three class values get no gradient.
//! assert!([3, 7, 11].iter().all(|&i| grad[i] == 0.0));
//! # Ok::<(), anyloss_core::Error>(())
//! ```
mod average;
mod class_confusion;
mod class_softmax;
mod class_weights;
mod error_rate;
mod labels;
mod layout;
mod logit_rows;
mod loss;
mod objective;
mod pixel_rows;
mod positions;

pub use average::{Average, Averaged};
pub use class_confusion::ClassConfusion;
pub use class_softmax::{softmax, softmax_jvp};
pub(crate) use class_weights::{check as check_class_weights, weighted_average, MISSING_CLASS};
pub use class_weights::{ClassWeights, EqualWeights};
pub use error_rate::ErrorRate;
pub use layout::{Layout, Strides};
pub use loss::{MulticlassLoss, MulticlassOutput};
pub use objective::Objective;
