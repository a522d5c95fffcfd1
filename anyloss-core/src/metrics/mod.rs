//! The built-in metrics, one per file, each with its formula, partials and
//! degenerate-case behaviour in its doc comment.

mod accuracy;
mod balanced_accuracy;
mod builtin;
mod cohen_kappa;
mod f1;
mod fbeta;
mod fowlkes_mallows;
mod gmean;
mod informedness;
mod jaccard;
mod markedness;
mod mcc;
mod precision;
mod recall;
mod share;
mod specificity;
mod tversky;

pub use accuracy::Accuracy;
pub use balanced_accuracy::BalancedAccuracy;
pub use builtin::{Builtin, BuiltinParams, UnknownBuiltin};
pub use cohen_kappa::CohenKappa;
pub use f1::F1;
pub use fbeta::FBeta;
pub use fowlkes_mallows::FowlkesMallows;
pub use gmean::GMean;
pub use informedness::Informedness;
pub use jaccard::Jaccard;
pub use markedness::Markedness;
pub use mcc::Mcc;
pub use precision::Precision;
pub use recall::Recall;
pub use specificity::Specificity;
pub use tversky::Tversky;
