//! Model blobs: the documented byte layout, bit-exact round trips for every head, and one
//! distinct error for each kind of damage, with the caller's model left untouched.

mod support;

use anyloss_core::model::{blob_len, inspect, Field, HeadKind, Model, PersistError};
use anyloss_core::train::{Head, HeadShape};
use anyloss_core::Error;
use support::crc32::{reference_crc32, reseal};
use support::{blob_of, load_host, mlp_shape};

type HostModel = Model<Vec<f32>, Vec<f32>>;

fn model(shape: HeadShape, threshold: f32) -> HostModel {
    let params = (0..shape.params())
        .map(|i| (i as f32 * 0.37).sin() * 3.0)
        .collect();
    let f = shape.features;
    let mean = (0..f).map(|j| j as f32 - 1.5).collect();
    let inv_std = (0..f).map(|j| 0.5 + j as f32).collect();
    Model::new(shape, params, mean, inv_std, threshold).unwrap()
}

const SHAPES: [HeadShape; 4] = [
    HeadShape::linear(3, 1),
    HeadShape::linear(4, 3),
    mlp_shape(5, [4, 0], 1),
    mlp_shape(2, [3, 2], 4),
];

#[test]
fn the_bytes_follow_the_documented_layout() {
    let m = Model::new(
        HeadShape::linear(2, 1),
        vec![0.5f32, -1.0, 0.25],
        vec![1.0, 2.0],
        vec![0.5, 4.0],
        0.375,
    )
    .unwrap();
    let mut expected = Vec::new();
    expected.extend_from_slice(b"AnyL");
    expected.extend_from_slice(&1u16.to_le_bytes());
    expected.extend_from_slice(&[0, 0]); // logistic, reserved
    for v in [36 + 8 * 2 + 4 * 3, 2u32, 0, 0, 1] {
        expected.extend_from_slice(&v.to_le_bytes());
    }
    for v in [0.375f32, 1.0, 2.0, 0.5, 4.0, 0.5, -1.0, 0.25] {
        expected.extend_from_slice(&v.to_le_bytes());
    }
    let crc = reference_crc32(&expected);
    expected.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(blob_of(&m), expected);
    assert_eq!(expected.len(), blob_len(HeadShape::linear(2, 1)));
}

#[test]
fn every_head_round_trips_bit_exactly() {
    let kinds = [
        HeadKind::Logistic,
        HeadKind::Softmax,
        HeadKind::Mlp,
        HeadKind::Mlp,
    ];
    for (shape, kind) in SHAPES.into_iter().zip(kinds) {
        let base = model(shape, 0.3);
        // Values whose bits a decimal round trip or a lax reader would change.
        let mut params = base.params().to_vec();
        params[0] = -0.0;
        params[1] = f32::MIN_POSITIVE / 8.0; // subnormal
        params[shape.params() - 1] = f32::MAX;
        let mean = base.scaling().mean().to_vec();
        let inv_std = base.scaling().inv_std().to_vec();
        let mut m = Model::new(shape, params, mean, inv_std, 0.3).unwrap();
        assert_eq!(m.kind(), kind);
        let (head, _) = m.head_and_scaling().unwrap();
        assert_eq!(head.kind(), kind);
        assert_eq!(head.params().len(), shape.params());
        let blob = blob_of(&m);
        assert_eq!(blob[6], kind.code());
        assert_eq!(inspect(&blob).unwrap(), shape);
        let back = load_host(&blob).unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(back.params()), bits(m.params()));
        assert_eq!(bits(back.scaling().mean()), bits(m.scaling().mean()));
        assert_eq!(bits(back.scaling().inv_std()), bits(m.scaling().inv_std()));
        assert_eq!(back.threshold().to_bits(), m.threshold().to_bits());
        assert_eq!(back.shape(), shape);
        // And again: the same bytes.
        assert_eq!(blob_of(&back), blob);
    }
}

#[test]
fn fixed_size_storage_loads_and_reloads() {
    const SHAPE: HeadShape = mlp_shape(5, [4, 0], 1);
    let m = model(SHAPE, 0.5);
    let blob = blob_of(&m);
    let mut device =
        Model::<[f32; SHAPE.params()], [f32; SHAPE.features]>::from_bytes(&blob).unwrap();
    assert_eq!(device.params(), m.params());
    let mut out = [0u8; blob_len(SHAPE)];
    assert_eq!(device.to_bytes(&mut out).unwrap(), blob.len());
    assert_eq!(&out[..], &blob[..]);
    // Loading another model of the same architecture in place.
    let other = Model::new(
        SHAPE,
        vec![0.25; SHAPE.params()],
        vec![0.0; 5],
        vec![1.0; 5],
        0.7,
    )
    .unwrap();
    device.load(&blob_of(&other)).unwrap();
    assert_eq!(device.params(), other.params());
    assert_eq!(device.threshold(), 0.7);
}

#[test]
fn every_flipped_bit_is_corruption_and_changes_nothing() {
    for shape in SHAPES {
        let good = model(shape, 0.5);
        let blob = blob_of(&good);
        let mut target = load_host(&blob).unwrap();
        for bit in 0..blob.len() * 8 {
            let mut bad = blob.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let err = target.load(&bad).unwrap_err();
            if bit / 8 < 4 {
                assert_eq!(err, PersistError::NotAModel, "bit {bit}");
            } else {
                assert!(
                    matches!(err, PersistError::Corrupted { .. }),
                    "bit {bit} of {shape:?}: {err:?}"
                );
            }
            assert_eq!(target, good, "bit {bit}");
        }
    }
}

#[test]
fn every_truncation_is_reported_as_such() {
    let good = model(SHAPES[3], 0.5);
    let blob = blob_of(&good);
    let mut target = good.clone();
    for len in 0..blob.len() {
        let err = target.load(&blob[..len]).unwrap_err();
        let needed = if len < 12 { 36 } else { blob.len() };
        assert_eq!(
            err,
            PersistError::Truncated { needed, found: len },
            "length {len}"
        );
        assert_eq!(target, good);
    }
    let mut long = blob.clone();
    long.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        target.load(&long).unwrap_err(),
        PersistError::TrailingBytes {
            expected: blob.len(),
            found: blob.len() + 3
        }
    );
}

#[test]
fn an_impossible_length_is_corruption_even_with_other_damage() {
    let good = model(SHAPES[1], 0.5);
    let mut bad = blob_of(&good);
    bad[8..12].copy_from_slice(&5u32.to_le_bytes()); // shorter than any blob
    bad[40] ^= 0xFF;
    assert!(matches!(
        inspect(&bad).unwrap_err(),
        PersistError::Corrupted { .. }
    ));
}

#[test]
fn another_version_is_refused_by_name() {
    let good = model(SHAPES[0], 0.5);
    let mut blob = blob_of(&good);
    blob[4..6].copy_from_slice(&2u16.to_le_bytes());
    reseal(&mut blob);
    let mut target = good.clone();
    let err = target.load(&blob).unwrap_err();
    assert_eq!(
        err,
        PersistError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(err.to_string().contains("version 2"));
    assert_eq!(target, good);
}

#[test]
fn a_model_that_does_not_fit_the_storage_is_the_wrong_architecture() {
    let small = model(SHAPES[0], 0.5); // logistic over 3 features
    let big = model(SHAPES[2], 0.5); // mlp 5-4-1
    let mut target = small.clone();
    let err = target.load(&blob_of(&big)).unwrap_err();
    assert_eq!(
        err,
        PersistError::WrongArchitecture {
            shape: SHAPES[2],
            params: 4,
            features: 3
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("mlp head 5-4-1 (29 parameters over 5 features)"),
        "{text}"
    );
    assert_eq!(target, small);
    let fixed = Model::<[f32; 4], [f32; 3]>::from_bytes(&blob_of(&big));
    assert!(matches!(fixed, Err(PersistError::WrongArchitecture { .. })));
    // The same parameter count over other features is no fit either.
    let err = Model::from_bytes_in(&blob_of(&small), vec![0.0; 4], vec![0.0; 2], vec![0.0; 2]);
    assert!(matches!(err, Err(PersistError::WrongArchitecture { .. })));
}

#[test]
fn intact_blobs_with_invalid_contents_name_the_field() {
    let good = model(SHAPES[2], 0.5); // 5 features, 29 parameters
    let blob = blob_of(&good);
    let edits: [(usize, Vec<u8>, Field); 7] = [
        (6, vec![1], Field::Kind),
        (7, vec![9], Field::Reserved),
        (24, 0u32.to_le_bytes().to_vec(), Field::Shape),
        (28, 1.5f32.to_le_bytes().to_vec(), Field::Threshold),
        (
            32 + 8,
            f32::NAN.to_le_bytes().to_vec(),
            Field::Mean { index: 2 },
        ),
        (
            52 + 4,
            0f32.to_le_bytes().to_vec(),
            Field::InvStd { index: 1 },
        ),
        (
            72 + 4 * 7,
            f32::INFINITY.to_le_bytes().to_vec(),
            Field::Param { index: 7 },
        ),
    ];
    for (at, bytes, field) in edits {
        let mut bad = blob.clone();
        bad[at..at + bytes.len()].copy_from_slice(&bytes);
        reseal(&mut bad);
        let mut target = good.clone();
        let err = target.load(&bad).unwrap_err();
        assert_eq!(
            err,
            PersistError::Malformed {
                field,
                offset: if field == Field::Shape { 12 } else { at }
            }
        );
        assert_eq!(target, good);
    }
    // Sizes that disagree with the length: one more hidden unit.
    let mut bad = blob.clone();
    bad[16..20].copy_from_slice(&5u32.to_le_bytes());
    reseal(&mut bad);
    assert_eq!(
        inspect(&bad).unwrap_err(),
        PersistError::Malformed {
            field: Field::Length,
            offset: 8
        }
    );
}

#[test]
fn a_too_small_buffer_is_refused_untouched() {
    let m = model(SHAPES[1], 0.5);
    let mut out = vec![7u8; m.blob_len() - 1];
    assert_eq!(
        m.to_bytes(&mut out).unwrap_err(),
        PersistError::BufferTooSmall {
            needed: m.blob_len(),
            found: m.blob_len() - 1
        }
    );
    assert!(out.iter().all(|&b| b == 7));
}

#[test]
fn models_are_checked_when_built() {
    let s = HeadShape::linear(2, 1);
    let new = |p: Vec<f32>, m: Vec<f32>, i: Vec<f32>, t: f32| HostModel::new(s, p, m, i, t);
    let ok = || (vec![0.0; 3], vec![0.0; 2], vec![1.0; 2]);
    let (p, m, i) = ok();
    assert_eq!(
        new(p, m, i, 1.5).unwrap_err(),
        Error::InvalidParameter(anyloss_core::Parameter::Threshold)
    );
    let (_, m, i) = ok();
    assert_eq!(
        new(vec![0.0; 4], m, i, 0.5).unwrap_err(),
        Error::LengthMismatch {
            expected: 3,
            found: 4
        }
    );
    let (_, m, i) = ok();
    assert_eq!(
        new(vec![0.0, f32::NAN, 0.0], m, i, 0.5).unwrap_err(),
        Error::NonFinite { index: 1 }
    );
    let (p, m, _) = ok();
    assert!(new(p, m, vec![1.0, 0.0], 0.5).is_err());
    let bad_shape = HeadShape {
        features: 2,
        hidden: [0, 3],
        outputs: 1,
    };
    assert!(HostModel::new(bad_shape, vec![], vec![0.0; 2], vec![1.0; 2], 0.5).is_err());
    let mut m = model(s, 0.5);
    assert!(m.set_threshold(-0.1).is_err());
    assert_eq!(m.threshold(), 0.5);
}

#[test]
fn errors_read_as_sentences() {
    let cases = [
        (PersistError::NotAModel, "not an anyloss model"),
        (
            PersistError::Truncated {
                needed: 100,
                found: 40,
            },
            "truncated: 40 bytes, expected 100",
        ),
        (
            PersistError::Corrupted {
                stored: 1,
                computed: 2,
            },
            "corrupted",
        ),
        (
            PersistError::Malformed {
                field: Field::Param { index: 3 },
                offset: 80,
            },
            "at byte 80: parameter 3 is not finite",
        ),
    ];
    for (err, text) in cases {
        assert!(err.to_string().contains(text), "{err}");
    }
}
