//! The byte layout of a model blob: writing one, and checking one before anything is
//! copied out of it (the table is in the module docs).

use crate::train::HeadShape;

use super::crc32::{crc32, Crc32};
use super::error::{Field, PersistError};
use super::kind::{checked_params, HeadKind};

/// The first four bytes of every blob.
pub const MAGIC: [u8; 4] = *b"AnyL";

/// The format version this build writes and reads.
pub const VERSION: u16 = 1;

/// Bytes before the standardiser: magic, version, kind, reserved, length, sizes, threshold.
pub(crate) const HEADER_LEN: usize = 32;

/// Magic, version, kind, reserved byte and length: the part every version keeps, so that
/// any version's blob can be checked against its CRC.
const PREFIX_LEN: usize = 12;

/// The CRC-32 at the end.
const CRC_LEN: usize = 4;

/// Bytes of a blob besides the values: header and CRC.
pub(crate) const FIXED_LEN: usize = HEADER_LEN + CRC_LEN;

const LENGTH_AT: usize = 8;
const SHAPE_AT: usize = 12;
const THRESHOLD_AT: usize = 28;

/// Bytes of the blob of a model of `shape`: `36 + 8F + 4P` for `F` features and
/// `P = shape.params()` parameters. A `const fn`, so a device can size a flash page or a
/// transmit buffer at compile time. (Like [`HeadShape::params`], it is for shapes whose
/// parameters fit in memory: larger ones overflow `usize`.)
///
/// ```
/// use anyloss_core::model::blob_len;
/// use anyloss_core::train::HeadShape;
///
/// const SHAPE: HeadShape = HeadShape { features: 7, hidden: [16, 0], outputs: 1 };
/// const BLOB: usize = blob_len(SHAPE);
/// assert_eq!(BLOB, 36 + 8 * 7 + 4 * (16 * 8 + 17));
/// ```
pub const fn blob_len(shape: HeadShape) -> usize {
    HEADER_LEN + 8 * shape.features + 4 * shape.params() + CRC_LEN
}

/// A checked blob: the sizes, the threshold and the raw little-endian value sections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Blob<'a> {
    pub(crate) shape: HeadShape,
    pub(crate) threshold: f32,
    pub(crate) mean: &'a [u8],
    pub(crate) inv_std: &'a [u8],
    pub(crate) params: &'a [u8],
}

/// The parts of a model to write.
pub(crate) struct Parts<'a> {
    pub(crate) shape: HeadShape,
    pub(crate) threshold: f32,
    pub(crate) mean: &'a [f32],
    pub(crate) inv_std: &'a [f32],
    pub(crate) params: &'a [f32],
}

/// Writes `parts` into the front of `out`; returns the blob's length. The caller's model
/// is valid, so its blob length fits a `u32`.
pub(crate) fn write(parts: &Parts<'_>, out: &mut [u8]) -> Result<usize, PersistError> {
    let needed = blob_len(parts.shape);
    let blob = match out.get_mut(..needed) {
        Some(blob) => blob,
        None => {
            return Err(PersistError::BufferTooSmall {
                needed,
                found: out.len(),
            })
        }
    };
    let s = parts.shape;
    let kind = HeadKind::of(s).map_or(u8::MAX, HeadKind::code);
    let mut w = Writer { out: blob, at: 0 };
    w.put(&MAGIC);
    w.put(&VERSION.to_le_bytes());
    w.put(&[kind, 0]);
    for v in [needed, s.features, s.hidden[0], s.hidden[1], s.outputs] {
        w.put(&(v as u32).to_le_bytes());
    }
    w.put(&parts.threshold.to_le_bytes());
    for section in [parts.mean, parts.inv_std, parts.params] {
        for v in section {
            w.put(&v.to_le_bytes());
        }
    }
    let body = needed - CRC_LEN;
    let crc = crc32(w.out.get(..body).unwrap_or(&[]));
    w.put(&crc.to_le_bytes());
    Ok(needed)
}

struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        if let Some(dst) = self.out.get_mut(self.at..end) {
            dst.copy_from_slice(bytes);
        }
        self.at = end;
    }
}

/// Checks `bytes` as a whole blob, in this order: magic, length, CRC-32, version, then the
/// contents (kind, sizes, values). Nothing is copied.
pub(crate) fn parse(bytes: &[u8]) -> Result<Blob<'_>, PersistError> {
    let found = bytes.len();
    if bytes.get(..4).is_some_and(|m| m != MAGIC) {
        return Err(PersistError::NotAModel);
    }
    if found < PREFIX_LEN {
        return Err(PersistError::Truncated {
            needed: HEADER_LEN + CRC_LEN,
            found,
        });
    }
    let total = u32_at(bytes, LENGTH_AT) as usize;
    if total != found {
        return Err(length_error(bytes, total));
    }
    let body = total.saturating_sub(CRC_LEN);
    let stored = u32_at(bytes, body);
    let computed = crc32(bytes.get(..body).unwrap_or(&[]));
    if stored != computed {
        return Err(PersistError::Corrupted { stored, computed });
    }
    let version = u16::from_le_bytes([byte(bytes, 4), byte(bytes, 5)]);
    if version != VERSION {
        return Err(PersistError::UnsupportedVersion {
            found: version,
            supported: VERSION,
        });
    }
    contents(bytes)
}

/// The error for a blob whose length field says `total` bytes while `bytes` has another
/// length. If the bytes are intact but for that field (their CRC matches with the real
/// length in it), or the field holds a length no blob has, the field is what changed:
/// corruption. Otherwise the blob was cut short, or something follows it.
fn length_error(bytes: &[u8], total: usize) -> PersistError {
    let found = bytes.len();
    if found >= FIXED_LEN {
        let body = found - CRC_LEN;
        let stored = u32_at(bytes, body);
        let real_length = (found as u32).to_le_bytes();
        let repaired = Crc32::new()
            .update(bytes.get(..LENGTH_AT).unwrap_or(&[]))
            .update(&real_length)
            .update(bytes.get(LENGTH_AT + 4..body).unwrap_or(&[]))
            .finish();
        if repaired == stored || total < FIXED_LEN {
            let computed = crc32(bytes.get(..body).unwrap_or(&[]));
            return PersistError::Corrupted { stored, computed };
        }
    }
    if total > found {
        PersistError::Truncated {
            needed: total,
            found,
        }
    } else {
        PersistError::TrailingBytes {
            expected: total,
            found,
        }
    }
}

/// The contents of an intact blob of this version.
fn contents(bytes: &[u8]) -> Result<Blob<'_>, PersistError> {
    let malformed = |field, offset| PersistError::Malformed { field, offset };
    if byte(bytes, 7) != 0 {
        return Err(malformed(Field::Reserved, 7));
    }
    if bytes.len() < HEADER_LEN + CRC_LEN {
        return Err(malformed(Field::Length, LENGTH_AT));
    }
    let size = |k: usize| usize::try_from(u32_at(bytes, SHAPE_AT + 4 * k));
    let (Ok(features), Ok(h1), Ok(h2), Ok(outputs)) = (size(0), size(1), size(2), size(3)) else {
        return Err(malformed(Field::Shape, SHAPE_AT));
    };
    let shape = HeadShape {
        features,
        hidden: [h1, h2],
        outputs,
    };
    let Some(params) = checked_params(shape) else {
        return Err(malformed(Field::Shape, SHAPE_AT));
    };
    let Ok(kind) = HeadKind::of(shape) else {
        return Err(malformed(Field::Shape, SHAPE_AT));
    };
    if kind.code() != byte(bytes, 6) {
        return Err(malformed(Field::Kind, 6));
    }
    let expected = features
        .checked_mul(8)
        .zip(params.checked_mul(4))
        .and_then(|(a, b)| a.checked_add(b)?.checked_add(HEADER_LEN + CRC_LEN));
    if expected != Some(bytes.len()) {
        return Err(malformed(Field::Length, LENGTH_AT));
    }
    let threshold = f32::from_bits(u32_at(bytes, THRESHOLD_AT));
    if !(0.0..=1.0).contains(&threshold) {
        return Err(malformed(Field::Threshold, THRESHOLD_AT));
    }
    let values = bytes.get(HEADER_LEN..bytes.len() - CRC_LEN).unwrap_or(&[]);
    let (mean, rest) = values.split_at((4 * features).min(values.len()));
    let (inv_std, params) = rest.split_at((4 * features).min(rest.len()));
    let mean_at = HEADER_LEN;
    let inv_std_at = mean_at + mean.len();
    let params_at = inv_std_at + inv_std.len();
    if let Some(index) = first_bad(mean, |v| v.is_finite()) {
        return Err(malformed(Field::Mean { index }, mean_at + 4 * index));
    }
    if let Some(index) = first_bad(inv_std, |v| v.is_finite() && v != 0.0) {
        return Err(malformed(Field::InvStd { index }, inv_std_at + 4 * index));
    }
    if let Some(index) = first_bad(params, |v| v.is_finite()) {
        return Err(malformed(Field::Param { index }, params_at + 4 * index));
    }
    Ok(Blob {
        shape,
        threshold,
        mean,
        inv_std,
        params,
    })
}

/// The little-endian `f32`s of `src` into `dst` (as many as both hold).
pub(crate) fn read_f32s(src: &[u8], dst: &mut [f32]) {
    for (d, c) in dst.iter_mut().zip(src.chunks_exact(4)) {
        *d = f32_of(c);
    }
}

fn first_bad(section: &[u8], ok: impl Fn(f32) -> bool) -> Option<usize> {
    section.chunks_exact(4).position(|c| !ok(f32_of(c)))
}

fn f32_of(c: &[u8]) -> f32 {
    match *c {
        [a, b, c, d] => f32::from_le_bytes([a, b, c, d]),
        _ => f32::NAN,
    }
}

fn byte(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}
