//! Pass 1 finds the first bad label or input wherever it sits in a block, at every lane
//! count's block boundaries (1024 samples with 4 lanes, 2048 with 8), and accepts the
//! extremes of the valid ranges.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyloss_core::{Amplifier, Confusion, Error};

/// The largest block of any lane count.
const BLOCK: usize = 2048;

#[test]
fn every_bad_input_in_a_block_is_found_wherever_it_sits() {
    let amp = Amplifier::default();
    for n in [
        1usize,
        3,
        4,
        9,
        1023,
        1024,
        1029,
        BLOCK - 1,
        BLOCK,
        BLOCK + 5,
        3 * BLOCK + 7,
    ] {
        let labels: Vec<u8> = (0..n).map(|i| (i % 3 == 0) as u8).collect();
        let probs: Vec<f32> = (0..n).map(|i| (i % 97) as f32 / 96.0).collect();
        for at in [0, n / 2, n - 1] {
            for (bad, want) in [
                (f32::NAN, Error::NonFinite { index: at }),
                (f32::INFINITY, Error::NonFinite { index: at }),
                (-1e-30, Error::ProbabilityOutOfRange { index: at }),
                (1.000_000_1, Error::ProbabilityOutOfRange { index: at }),
            ] {
                let mut p = probs.clone();
                p[at] = bad;
                assert_eq!(Confusion::from_probs(&amp, &labels, &p), Err(want), "n={n}");
            }
            let mut y = labels.clone();
            y[at] = 2;
            assert_eq!(
                Confusion::from_probs(&amp, &y, &probs),
                Err(Error::InvalidLabel { index: at })
            );
            let mut z = probs.clone();
            z[at] = f32::NEG_INFINITY;
            assert_eq!(
                Confusion::from_logits(&amp, &labels, &z),
                Err(Error::NonFinite { index: at })
            );
        }
        // The extremes of the valid ranges are accepted: finite logits of any size, and
        // -0.0, which the bit test flags and the exact rescan accepts.
        for z in [f32::MAX, f32::MIN] {
            let z: Vec<f32> = (0..n).map(|_| z).collect();
            let c = Confusion::from_logits(&amp, &labels, &z).unwrap();
            assert!(c.is_finite());
        }
        let mut p = probs.clone();
        p[n / 2] = -0.0;
        let want = Confusion::from_probs(&amp, &labels, &{
            let mut q = p.clone();
            q[n / 2] = 0.0;
            q
        });
        assert_eq!(Confusion::from_probs(&amp, &labels, &p), want);
        assert!(want.is_ok());
    }
}
