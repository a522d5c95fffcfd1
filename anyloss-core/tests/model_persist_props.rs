//! proptest: random models of every head round-trip bit-exactly through their blob, and any
//! damage to a blob (flipped bytes, cuts, appended or arbitrary bytes) is an error, never a
//! panic, that leaves the loading model as it was.

mod support;

use anyloss_core::model::{Model, PersistError};
use anyloss_core::train::HeadShape;
use proptest::prelude::*;
use support::{blob_of, load_host};

type HostModel = Model<Vec<f32>, Vec<f32>>;

fn shape() -> impl Strategy<Value = HeadShape> {
    (1usize..6, 0usize..5, 0usize..4, 1usize..5).prop_map(|(features, h1, h2, outputs)| HeadShape {
        features,
        hidden: [h1, if h1 == 0 { 0 } else { h2 }],
        outputs,
    })
}

/// Any finite f32 bit pattern, signed zeros and subnormals included.
fn finite() -> impl Strategy<Value = f32> {
    any::<u32>().prop_map(|bits| {
        let v = f32::from_bits(bits);
        if v.is_finite() {
            v
        } else {
            f32::from_bits(bits & 0xBF7F_FFFF)
        }
    })
}

fn model() -> impl Strategy<Value = HostModel> {
    shape().prop_flat_map(|s| {
        (
            prop::collection::vec(finite(), s.params()),
            prop::collection::vec(finite(), s.features),
            prop::collection::vec(finite().prop_filter("nonzero", |v| *v != 0.0), s.features),
            0.0f32..=1.0,
        )
            .prop_map(move |(p, m, i, t)| Model::new(s, p, m, i, t).unwrap())
    })
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip_is_bit_exact(m in model()) {
        let blob = blob_of(&m);
        let back = load_host(&blob).unwrap();
        prop_assert_eq!(back.shape(), m.shape());
        prop_assert_eq!(bits(back.params()), bits(m.params()));
        prop_assert_eq!(bits(back.scaling().mean()), bits(m.scaling().mean()));
        prop_assert_eq!(bits(back.scaling().inv_std()), bits(m.scaling().inv_std()));
        prop_assert_eq!(back.threshold().to_bits(), m.threshold().to_bits());
        prop_assert_eq!(blob_of(&back), blob);
    }

    #[test]
    fn damaged_blobs_are_errors_and_change_nothing(
        m in model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..8),
        mode in 0u8..3,
    ) {
        let blob = blob_of(&m);
        let bad = match mode {
            0 => {
                let mut bad = blob.clone();
                for (at, x) in &edits {
                    bad[at.index(blob.len())] ^= x;
                }
                bad
            }
            1 => blob[..cut.index(blob.len())].to_vec(),
            _ => [blob.clone(), extra].concat(),
        };
        // Distinct edits may cancel out (xor twice at the same byte).
        prop_assume!(bad != blob);
        let mut target = m.clone();
        let err = target.load(&bad).unwrap_err();
        prop_assert_eq!(&target, &m);
        prop_assert!(load_host(&bad).is_err());
        let truncated = matches!(err, PersistError::Truncated { .. });
        let trailing = matches!(err, PersistError::TrailingBytes { .. });
        let corrupted = matches!(err, PersistError::Corrupted { .. } | PersistError::NotAModel);
        // A changed length field along with other bytes reads as a length problem: the
        // length cannot be told from the rest then.
        let length_edited = edits.iter().any(|(at, _)| (8..12).contains(&at.index(blob.len())));
        match mode {
            1 => prop_assert!(truncated, "{:?}", err),
            2 => prop_assert!(trailing, "{:?}", err),
            _ => prop_assert!(corrupted || (length_edited && (truncated || trailing)), "{:?}", err),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut target = Model::new(HeadShape::linear(2, 1), vec![0.0; 3], vec![0.0; 2], vec![1.0; 2], 0.5).unwrap();
        let before = target.clone();
        if target.load(&bytes).is_err() {
            prop_assert_eq!(&target, &before);
        }
        let _ = load_host(&bytes);
        let _ = Model::<[f32; 3], [f32; 2]>::from_bytes(&bytes);
    }
}
