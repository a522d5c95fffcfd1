//! What can be wrong with a model blob, or with the buffer it is written to.

use core::fmt;

use crate::train::HeadShape;

use super::kind::{checked_params, HeadKind, ShapeText};

/// The part of a blob that [`PersistError::Malformed`] rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Field {
    /// The head-kind byte: unknown, or not the kind the sizes make.
    Kind,
    /// The reserved byte, which is 0.
    Reserved,
    /// The sizes: not a valid [`HeadShape`], or too large to address.
    Shape,
    /// The total length: not the one the sizes give.
    Length,
    /// The decision threshold: not a number in `[0, 1]`.
    Threshold,
    /// A feature mean: not finite.
    Mean {
        /// The feature.
        index: usize,
    },
    /// A reciprocal standard deviation: not finite, or 0.
    InvStd {
        /// The feature.
        index: usize,
    },
    /// A parameter of the head: not finite.
    Param {
        /// Its index in the head's parameter layout.
        index: usize,
    },
}

/// Why a model could not be written or read. A failed read changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PersistError {
    /// The output buffer of [`super::Model::to_bytes`] is too small.
    BufferTooSmall {
        /// Bytes the blob takes ([`super::blob_len`]).
        needed: usize,
        /// Bytes of the buffer.
        found: usize,
    },
    /// The blob ends before its length field says (or before the fixed header): a cut
    /// download or a partial flash write.
    Truncated {
        /// Bytes the blob should have (at least this many, when the header itself is cut).
        needed: usize,
        /// Bytes given.
        found: usize,
    },
    /// Bytes follow the blob's end (as its length field gives it).
    TrailingBytes {
        /// The blob's length.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The first four bytes are not the magic `AnyL`: not an anyloss model.
    NotAModel,
    /// The CRC-32 stored at the end is not that of the bytes before it: bits changed in
    /// storage or transit.
    Corrupted {
        /// The checksum in the blob.
        stored: u32,
        /// The checksum of its bytes.
        computed: u32,
    },
    /// An intact blob of a format version this build cannot read.
    UnsupportedVersion {
        /// The blob's version.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// An intact blob of this version whose contents are invalid (it was not written by
    /// [`super::Model::to_bytes`]).
    Malformed {
        /// The offending part.
        field: Field,
        /// Its byte offset in the blob.
        offset: usize,
    },
    /// A valid blob whose model does not fit the caller's storage.
    WrongArchitecture {
        /// The blob's head sizes.
        shape: HeadShape,
        /// Parameters the storage holds.
        params: usize,
        /// Features the storage's standardiser holds.
        features: usize,
    },
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PersistError::BufferTooSmall { needed, found } => write!(
                f,
                "model blob needs {needed} bytes, the output buffer has {found}"
            ),
            PersistError::Truncated { needed, found } => write!(
                f,
                "model blob is truncated: {found} bytes, expected {needed}"
            ),
            PersistError::TrailingBytes { expected, found } => write!(
                f,
                "model blob is {expected} bytes long but {found} bytes were given: \
                 unexpected data after its end"
            ),
            PersistError::NotAModel => {
                f.write_str("not an anyloss model: the blob does not start with `AnyL`")
            }
            PersistError::Corrupted { stored, computed } => write!(
                f,
                "model blob is corrupted: CRC-32 {computed:#010x} of its bytes, \
                 {stored:#010x} stored"
            ),
            PersistError::UnsupportedVersion { found, supported } => write!(
                f,
                "model format version {found} is not supported (this build reads version \
                 {supported})"
            ),
            PersistError::Malformed { field, offset } => {
                write!(f, "model blob is malformed at byte {offset}: ")?;
                match field {
                    Field::Kind => f.write_str("head kind unknown or inconsistent with its sizes"),
                    Field::Reserved => f.write_str("reserved byte is not 0"),
                    Field::Shape => f.write_str("invalid head sizes"),
                    Field::Length => f.write_str("length field disagrees with the head sizes"),
                    Field::Threshold => f.write_str("decision threshold outside [0, 1]"),
                    Field::Mean { index } => write!(f, "mean of feature {index} is not finite"),
                    Field::InvStd { index } => {
                        write!(f, "1/std of feature {index} is not finite and nonzero")
                    }
                    Field::Param { index } => write!(f, "parameter {index} is not finite"),
                }
            }
            PersistError::WrongArchitecture {
                shape,
                params,
                features,
            } => {
                let kind = HeadKind::of(shape).map_or("invalid", HeadKind::name);
                write!(
                    f,
                    "model architecture does not fit: the blob holds a {kind} head {} (",
                    ShapeText(shape)
                )?;
                match checked_params(shape) {
                    Some(p) => write!(f, "{p} parameters")?,
                    None => f.write_str("too many parameters")?,
                }
                write!(
                    f,
                    " over {} features), the storage has {params} parameters over {features} \
                     features",
                    shape.features
                )
            }
        }
    }
}

impl core::error::Error for PersistError {}
