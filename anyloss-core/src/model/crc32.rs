//! CRC-32 (IEEE 802.3, the one of zlib, PNG and Ethernet): reflected polynomial
//! `0xEDB88320`, initial value and final XOR `0xFFFFFFFF`, from a 1 KiB table built at
//! compile time.

/// The byte-at-a-time table, computed by the compiler (it lives in flash on a device).
const TABLE: [u32; 256] = table();

// Evaluated by the compiler only (`TABLE`): an index out of range would fail the build,
// not panic at run time; `get_mut` is not available in a `const fn`.
#[allow(clippy::indexing_slicing)]
const fn table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// A running CRC-32, fed in pieces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    pub(crate) const fn new() -> Self {
        Self(0xFFFF_FFFF)
    }

    pub(crate) fn update(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            let slot = TABLE
                .get(usize::from((self.0 as u8) ^ b))
                .copied()
                .unwrap_or(0);
            self.0 = slot ^ (self.0 >> 8);
        }
        self
    }

    pub(crate) const fn finish(self) -> u32 {
        !self.0
    }
}

/// The CRC-32 of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    Crc32::new().update(bytes).finish()
}

#[cfg(test)]
mod tests {
    use super::{crc32, Crc32};

    #[test]
    fn matches_the_standard_check_values() {
        // The catalogue's check value for CRC-32/ISO-HDLC, and zlib's crc32 of "".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        let pieces = Crc32::new().update(b"12345").update(b"").update(b"6789");
        assert_eq!(pieces.finish(), 0xCBF4_3926);
    }
}
