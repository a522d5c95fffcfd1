//! Replay buffers: what each policy promises. The ring holds exactly the newest `N`
//! samples; the class-balanced reservoir never evicts from a class smaller than the
//! largest, balances the classes once each has sent its share, and keeps a uniform sample
//! of each class's stream. Bad samples are refused with nothing stored.

use anyloss_core::field::{BalancedReservoir, ReplayBuffer, Ring, Stored};
use anyloss_core::train::SplitMix64;
use anyloss_core::Error;

/// The stored rows' first feature (the sample's arrival number in these tests) and labels.
fn contents<B: ReplayBuffer>(b: &B) -> Vec<(f32, u8)> {
    let data = b.dataset().unwrap();
    (0..data.len() as u32)
        .map(|i| {
            let (row, y) = data.sample(i).unwrap();
            (row[0], y)
        })
        .collect()
}

#[test]
fn the_ring_holds_exactly_the_newest_samples() {
    let mut ring = Ring::<2, 5>::new();
    assert_eq!(ring.dataset().unwrap_err(), Error::Empty);
    for i in 0..13u32 {
        let stored = ring.push(&[i as f32, -1.0], (i % 3 == 0) as u8).unwrap();
        if i < 5 {
            assert_eq!(stored, Stored::Added { slot: i as usize });
        } else {
            let evicted = ((i - 5) % 3 == 0) as u8;
            assert_eq!(
                stored,
                Stored::Replaced {
                    slot: (i % 5) as usize,
                    evicted
                }
            );
        }
        let mut held: Vec<f32> = contents(&ring).iter().map(|r| r.0).collect();
        held.sort_by(f32::total_cmp);
        let first = i.saturating_sub(4);
        let newest: Vec<f32> = (first..=i).map(|k| k as f32).collect();
        assert_eq!(held, newest);
    }
    assert_eq!(ring.seen(), 13);
    ring.clear();
    assert!(ring.is_empty());
    assert_eq!(ring.seen(), 0);
}

#[test]
fn bad_samples_are_refused_and_nothing_changes() {
    let mut ring = Ring::<2, 4>::new();
    let mut reservoir = BalancedReservoir::<2, 4, 2>::new(1);
    ring.push(&[1.0, 2.0], 0).unwrap();
    reservoir.push(&[1.0, 2.0], 0).unwrap();
    let bad: [(&[f32], u8, Error); 3] = [
        (
            &[1.0],
            0,
            Error::LengthMismatch {
                expected: 2,
                found: 1,
            },
        ),
        (&[1.0, f32::NAN], 0, Error::NonFinite { index: 1 }),
        (&[f32::INFINITY, 0.0], 1, Error::NonFinite { index: 0 }),
    ];
    for (row, label, err) in bad {
        assert_eq!(ring.push(row, label).unwrap_err(), err);
        assert_eq!(reservoir.push(row, label).unwrap_err(), err);
    }
    // The reservoir takes labels below C only; the error names the stream position.
    assert_eq!(
        reservoir.push(&[0.0, 0.0], 2).unwrap_err(),
        Error::InvalidLabel { index: 1 }
    );
    for b in [contents(&ring), contents(&reservoir)] {
        assert_eq!(b, vec![(1.0, 0)]);
    }
    assert_eq!((ring.seen(), reservoir.seen()), (1, 1));
    assert_eq!(reservoir.sent(), [1, 0]);
}

/// A stream of `n` samples with positives at rate `rate` (label 1), feature = arrival.
fn stream(n: u32, rate: f64, seed: u64) -> Vec<(f32, u8)> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| {
            let positive = (rng.next_u32() as f64) < rate * u32::MAX as f64;
            (i as f32, u8::from(positive))
        })
        .collect()
}

#[test]
fn the_reservoir_never_evicts_the_minority_below_its_share() {
    const N: usize = 64;
    for seed in 0..20 {
        let samples = stream(5000, 0.003, seed); // ~15 positives, share 32
        let positives = samples.iter().filter(|s| s.1 == 1).count();
        assert!(positives <= N / 2, "seed {seed}: {positives}");
        let mut reservoir = BalancedReservoir::<1, N, 2>::new(seed);
        let mut ring = Ring::<1, N>::new();
        for &(x, y) in &samples {
            let stored = reservoir.push(&[x], y).unwrap();
            if let Stored::Replaced { evicted, .. } = stored {
                assert_eq!(evicted, 0, "seed {seed}: a positive was evicted");
            }
            ring.push(&[x], y).unwrap();
        }
        assert_eq!(reservoir.held(), [(N - positives) as u32, positives as u32]);
        let in_ring = contents(&ring).iter().filter(|s| s.1 == 1).count();
        assert!(in_ring < positives / 2, "seed {seed}: ring {in_ring}");
    }
}

#[test]
fn the_reservoir_balances_classes_that_sent_their_share() {
    const N: usize = 30;
    let mut rng = SplitMix64::new(9);
    let mut reservoir = BalancedReservoir::<1, N, 3>::new(4);
    // Class 0 floods, class 1 trickles, class 2 arrives late.
    for i in 0..3000u32 {
        let label = if i % 50 == 0 {
            1
        } else if i > 2500 && rng.below(4) == 0 {
            2
        } else {
            0
        };
        reservoir.push(&[i as f32], label).unwrap();
    }
    let sent = reservoir.sent();
    assert!(sent.iter().all(|&s| s >= (N / 3) as u64), "{sent:?}");
    let held = reservoir.held();
    assert_eq!(held.iter().sum::<u32>(), N as u32);
    let (lo, hi) = (held.iter().min().unwrap(), held.iter().max().unwrap());
    assert!(hi - lo <= 1, "{held:?}");
    // The stored labels agree with the counts.
    let labels: Vec<u8> = contents(&reservoir).iter().map(|s| s.1).collect();
    for c in 0..3u8 {
        assert_eq!(
            labels.iter().filter(|&&y| y == c).count() as u32,
            held[c as usize]
        );
    }
}

#[test]
fn the_reservoir_keeps_a_uniform_sample_of_the_stream() {
    // One class only: plain reservoir sampling. The held samples' mean arrival is the
    // stream's middle (a ring's would be its end); over 40 seeds the mean of means has a
    // standard deviation of about 10000/sqrt(12·64·40) = 57.
    let n = 10_000u32;
    let mut means = Vec::new();
    for seed in 0..40 {
        let mut reservoir = BalancedReservoir::<1, 64, 2>::new(seed);
        for i in 0..n {
            reservoir.push(&[i as f32], 0).unwrap();
        }
        let held = contents(&reservoir);
        assert_eq!(held.len(), 64);
        means.push(held.iter().map(|s| f64::from(s.0)).sum::<f64>() / 64.0);
    }
    let mean = means.iter().sum::<f64>() / means.len() as f64;
    assert!((mean - 5000.0).abs() < 250.0, "{mean}");
    // Early and late halves are equally represented.
    assert!(
        means.iter().all(|m| (1500.0..8500.0).contains(m)),
        "{means:?}"
    );
}

#[test]
fn the_same_seed_and_stream_give_the_same_buffer() {
    let samples = stream(2000, 0.05, 3);
    let fill = |seed| {
        let mut r = BalancedReservoir::<1, 32, 2>::new(seed);
        for &(x, y) in &samples {
            r.push(&[x], y).unwrap();
        }
        contents(&r)
    };
    assert_eq!(fill(11), fill(11));
    assert_ne!(fill(11), fill(12));
    let mut r = BalancedReservoir::<1, 32, 2>::new(11);
    r.push(&[1.0], 1).unwrap();
    r.clear();
    for &(x, y) in &samples {
        r.push(&[x], y).unwrap();
    }
    assert_eq!(contents(&r), fill(11));
}

#[test]
fn the_plan_counts_the_buffer_and_the_row_indices() {
    use anyloss_core::field::FieldPlan;
    use anyloss_core::train::{HeadShape, MemoryPlan};
    use core::mem::size_of;

    const SHAPE: HeadShape = HeadShape {
        features: 7,
        hidden: [16, 0],
        outputs: 1,
    };
    type Reservoir = BalancedReservoir<7, 128, 2>;
    const PLAN: FieldPlan = FieldPlan::of::<Reservoir>(SHAPE, 2, 64);
    assert_eq!(PLAN.training, MemoryPlan::of(SHAPE, 2, 64));
    assert_eq!(PLAN.buffer, size_of::<Reservoir>());
    assert_eq!(PLAN.rows, 4 * 128);
    // The samples, plus counters of a few words (12C bytes of class counts, lengths,
    // seed, generator, stream count): never more than 96 bytes on any target.
    let samples = 128 * (4 * 7 + 1);
    assert!(
        (samples..samples + 12 * 2 + 96).contains(&PLAN.buffer),
        "{PLAN:?}"
    );
    let ring = FieldPlan::of::<Ring<7, 128>>(SHAPE, 2, 64);
    assert!((samples..samples + 64).contains(&ring.buffer), "{ring:?}");
    assert_eq!(
        PLAN.total(),
        PLAN.training.total() + PLAN.buffer + PLAN.rows
    );
}
