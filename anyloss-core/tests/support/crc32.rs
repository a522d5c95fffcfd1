//! zlib's CRC-32, bit by bit: an implementation independent of the crate's table, and the
//! resealing of an edited model blob with it. Self-contained: the `model_from_bytes` fuzz
//! target (`fuzz/`) includes this file by path.

/// The CRC-32 (zlib's) of `bytes`.
pub fn reference_crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Replaces the blob's last four bytes, its CRC, by the CRC of the (edited) bytes before
/// them. `blob` holds at least four bytes.
pub fn reseal(blob: &mut [u8]) {
    let body = blob.len() - 4;
    let crc = reference_crc32(&blob[..body]);
    blob[body..].copy_from_slice(&crc.to_le_bytes());
}
