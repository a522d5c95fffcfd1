//! Multi-label classification: `C` independent binary problems per row (a row may carry
//! any number of labels), each over its own probability `p_ic` or logit `z_ic` (with a
//! sigmoid each, not a softmax), with per-class soft entries over the rows, averaged into
//! one loss or reported per class.
//!
//! | concept | item |
//! |---|---|
//! | the loss, its options and its two passes | [`MultilabelLoss`] |
//! | per-class entries and weighted support, additive over chunks | [`LabelConfusion`] |
//! | loss, per-class losses and pass-2 coefficients | [`MultilabelOutput`] |
//!
//! ```
//! use anyloss_core::multilabel::MultilabelLoss;
//! use anyloss_core::{metrics::F1, Average, Input};
//!
//! // Three rows, two labels each (row-major: y[row][class]).
//! let labels = [1u8, 0, 1, 1, 0, 1];
//! let probs = [0.9f32, 0.2, 0.8, 0.6, 0.1, 0.7];
//! let loss = MultilabelLoss::<_, 2>::new(F1, Some(Average::Macro));
//! let mut grad = [0.0f32; 6];
//! let out = loss.loss_and_grad(&labels, Input::Probs(&probs), &mut grad)?;
//! assert!(out.loss < 1e-3 && out.per_class.iter().all(|&l| l < 1e-3));
//! # Ok::<(), anyloss_core::Error>(())
//! ```
mod entries;
mod loss;

pub use entries::LabelConfusion;
pub use loss::{MultilabelLoss, MultilabelOutput};
