//! Model blobs on arbitrary bytes: every reader (`inspect`, `from_bytes_in` into `Vec`s,
//! `from_bytes` into arrays, `load` over a model) ends in a model or an error, never a
//! panic; a failed `load` leaves the model as it was, and an accepted blob writes back to
//! the same bytes. Each input is also tried with its last four bytes replaced by the CRC-32
//! of the rest, so that mutations reach the checks behind the checksum.
#![no_main]

use anyloss_core::model::{inspect, Model};
use anyloss_core::train::HeadShape;
use libfuzzer_sys::fuzz_target;

#[path = "../../anyloss-core/tests/support/crc32.rs"]
mod crc32;

use crc32::reseal;

const SHAPE: HeadShape = HeadShape::linear(3, 1);

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= 4 {
        let mut sealed = data.to_vec();
        reseal(&mut sealed);
        check(&sealed);
    }
});

fn check(data: &[u8]) {
    if let Ok(shape) = inspect(data) {
        // A blob's sizes fit in its bytes, so this storage is small.
        assert!(shape.params() * 4 < data.len());
        let model = Model::from_bytes_in(
            data,
            vec![0.0f32; shape.params()],
            vec![0.0f32; shape.features],
            vec![0.0f32; shape.features],
        )
        .expect("inspect accepted the blob");
        let mut out = vec![0u8; model.blob_len()];
        assert_eq!(model.to_bytes(&mut out), Ok(data.len()));
        assert_eq!(out, data);
    }
    let _ = Model::<[f32; SHAPE.params()], [f32; 3]>::from_bytes(data);
    let mut device =
        Model::new(SHAPE, [0.5f32; 4], [0.0f32; 3], [1.0f32; 3], 0.5).expect("a valid model");
    let before = device.clone();
    if device.load(data).is_err() {
        assert_eq!(device, before);
    }
}
