//! Saving and loading a trained model as a compact binary blob: no allocation, a CRC-32 over
//! every byte, the same bytes on a host and on a microcontroller.
//!
//! A [`Model`] is a head's sizes and parameters, the standardiser it expects and its
//! decision threshold. [`Model::to_bytes`] writes it into a caller buffer of
//! [`blob_len`]`(shape)` bytes (a `const fn`); [`Model::from_bytes`] reads it into arrays
//! sized at compile time, [`Model::from_bytes_in`] into any caller storage (`Vec`s on a
//! host, sized by [`inspect`]), and [`Model::load`] over an existing model. Every read
//! checks the whole blob before it copies anything, so a failed load leaves the caller's
//! model as it was. A round trip is bit-exact.
//!
//! ## Byte layout (format version 1)
//! All integers and floats little-endian; `F` features, `P` = [`HeadShape::params`]
//! parameters.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 4 | magic `AnyL` (`41 6E 79 4C`) |
//! | 4 | 2 | format version, `u16` = 1 |
//! | 6 | 1 | head kind ([`HeadKind::code`]): 0 logistic, 1 softmax, 2 MLP |
//! | 7 | 1 | reserved, 0 |
//! | 8 | 4 | total length of the blob in bytes, CRC included, `u32` = `36 + 8F + 4P` |
//! | 12 | 4 | `F`, features, `u32` |
//! | 16 | 4 | `H1`, first hidden layer's units (0: none), `u32` |
//! | 20 | 4 | `H2`, second hidden layer's units (0: none), `u32` |
//! | 24 | 4 | `O`, outputs: 1 (sigmoid) or the class count `C` (softmax), `u32` |
//! | 28 | 4 | decision threshold, `f32` in `[0, 1]` |
//! | 32 | `4F` | feature means, `f32` |
//! | `32 + 4F` | `4F` | reciprocal standard deviations `1/std`, `f32`, nonzero |
//! | `32 + 8F` | `4P` | the head's parameters, `f32`, in its layout ([`Logistic`], [`Softmax`], [`Mlp`]) |
//! | `32 + 8F + 4P` | 4 | CRC-32 (IEEE, as zlib's `crc32`) of every byte before it |
//!
//! The first 12 bytes keep their place in every future version, so the CRC of any
//! version's blob can be checked. A reader checks, in this order, and stops at the first
//! failure ([`PersistError`]): the magic ([`PersistError::NotAModel`]); the length field
//! against the bytes given ([`PersistError::Truncated`], [`PersistError::TrailingBytes`],
//! or [`PersistError::Corrupted`] when the length field itself is what changed); the CRC
//! ([`PersistError::Corrupted`]); the version ([`PersistError::UnsupportedVersion`]); the
//! contents ([`PersistError::Malformed`], which a blob written by this crate never
//! raises); the caller's storage ([`PersistError::WrongArchitecture`]). CRC-32 detects
//! every error burst of up to 32 bits, so any single flipped bit is reported, as
//! `Corrupted` (or `NotAModel` in the magic).
//!
//! ## Example: host to device
//! ```
//! use anyloss_core::model::{blob_len, inspect, Model, PersistError};
//! use anyloss_core::train::HeadShape;
//!
//! // On the host: any storage, e.g. the Vecs a training run produced.
//! let shape = HeadShape { features: 2, hidden: [3, 0], outputs: 1 };
//! let params: Vec<f32> = (0..shape.params()).map(|i| i as f32 * 0.1 - 0.5).collect();
//! let model = Model::new(shape, params, vec![0.5, -1.0], vec![2.0, 0.25], 0.5)?;
//! let mut blob = vec![0u8; model.blob_len()];
//! model.to_bytes(&mut blob)?;
//!
//! // Back on the host, storage sized from the blob.
//! let s = inspect(&blob)?;
//! let again = Model::from_bytes_in(&blob, vec![0.0; s.params()], vec![0.0; s.features], vec![0.0; s.features])?;
//! assert_eq!(again, model);
//!
//! // On a device: arrays sized at compile time (`include_bytes!("model.bin")` in firmware).
//! const SHAPE: HeadShape = HeadShape { features: 2, hidden: [3, 0], outputs: 1 };
//! let mut device = Model::<[f32; SHAPE.params()], [f32; 2]>::from_bytes(&blob)?;
//! assert_eq!(device.params(), model.params());
//!
//! // A damaged blob is refused and the device keeps its model.
//! blob[40] ^= 0x10;
//! assert!(matches!(device.load(&blob), Err(PersistError::Corrupted { .. })));
//! assert_eq!(device.params(), model.params());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Logistic`]: crate::train::Logistic
//! [`Softmax`]: crate::train::Softmax
//! [`Mlp`]: crate::train::Mlp

mod codec;
mod crc32;
mod error;
mod head;
mod kind;
mod saved;

pub use codec::{blob_len, MAGIC, VERSION};
pub use error::{Field, PersistError};
pub use head::ModelHead;
pub use kind::HeadKind;
pub use saved::Model;

use crate::train::HeadShape;

/// Checks a whole blob (everything [`Model::from_bytes_in`] checks but the storage) and
/// returns the head's sizes: how a host sizes the storage before reading. Errors: every
/// [`PersistError`] but `BufferTooSmall` and `WrongArchitecture`.
pub fn inspect(bytes: &[u8]) -> Result<HeadShape, PersistError> {
    codec::parse(bytes).map(|blob| blob.shape)
}
