//! Fine-tuning on the embedded dataset: the split, recipes and logistic fit every firmware
//! shares (`anyloss_firmware_common::finetune`), sized for this firmware's dataset. The
//! MLP's fit is in `mlp.rs`.

use anyloss_core::train::HeadShape;
use anyloss_firmware_common::finetune;

use crate::dataset::{F, N};

/// The split of the embedded dataset and the standardiser fitted on its training rows.
pub type Prepared<'a> = finetune::Prepared<'a, N, F>;
/// Row-index buffers of the split and the fits, `13·N` bytes.
pub type RowBuffers = finetune::RowBuffers<N>;
/// Parameters of a logistic head over the dataset's features: `F` weights and a bias.
pub const LOGISTIC_PARAMS: usize = HeadShape::linear(F, 1).params();
