//! The `parallel` feature: the same entries, loss, gradient and first error bit for bit on
//! pools of 1, 2, 3 and 7 threads (one thread runs the sequential path), for the binary
//! loss (probabilities, logits, weights, pass 1 alone, streaming pass 2) and the
//! segmentation path of the multi-class loss.
#![cfg(feature = "parallel")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyloss_core::metrics::{Mcc, F1};
use anyloss_core::multiclass::{softmax, Layout, MulticlassLoss};
use anyloss_core::train::SplitMix64;
use anyloss_core::{BinaryLoss, Error, Input};

const THREADS: [usize; 4] = [1, 2, 3, 7];

fn on<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every call of the binary loss, as bits, or the error.
fn binary_run(
    labels: &[u8],
    probs: &[f32],
    logits: &[f32],
    weights: &[f32],
) -> Vec<Result<Vec<u32>, Error>> {
    let f1 = BinaryLoss::new(F1);
    let mcc = BinaryLoss::new(Mcc);
    let n = labels.len();
    let mut out = Vec::new();
    for input in [Input::Probs(probs), Input::Logits(logits)] {
        let mut grad = vec![0.0f32; n];
        out.push(f1.loss_and_grad(labels, input, &mut grad).map(|o| {
            let mut b = bits(&[
                o.loss,
                o.confusion.tp,
                o.confusion.fn_,
                o.confusion.fp,
                o.confusion.tn,
            ]);
            b.extend(bits(&grad));
            b
        }));
        let mut grad = vec![0.0f32; n];
        out.push(
            mcc.loss_and_grad_weighted(labels, input, weights, &mut grad)
                .map(|o| {
                    let mut b = bits(&[o.loss]);
                    b.extend(bits(&grad));
                    b
                }),
        );
        out.push(
            f1.confusion(labels, input)
                .map(|c| bits(&[c.tp, c.fn_, c.fp, c.tn])),
        );
        // Streaming pass 2 at the loss of the whole batch.
        if let Ok(whole) = f1.loss(labels, input) {
            let mut grad = vec![0.0f32; n];
            out.push(
                f1.gradient(&whole, labels, input, &mut grad)
                    .map(|()| bits(&grad)),
            );
        }
    }
    out
}

#[test]
fn binary_results_do_not_depend_on_the_thread_count() {
    let mut rng = SplitMix64::new(16);
    // Below and above the parallel threshold (2^15), with partial blocks at the end.
    for n in [1000usize, 32_767, 32_768, 100_003, 1 << 18] {
        let labels: Vec<u8> = (0..n).map(|_| u8::from(unit(&mut rng) < 0.3)).collect();
        let probs: Vec<f32> = (0..n).map(|_| unit(&mut rng)).collect();
        let logits: Vec<f32> = probs.iter().map(|p| 40.0 * p - 20.0).collect();
        let weights: Vec<f32> = (0..n).map(|_| 2.0 * unit(&mut rng)).collect();
        let want = on(1, || binary_run(&labels, &probs, &logits, &weights));
        assert!(want.iter().all(Result::is_ok));
        for threads in THREADS {
            let got = on(threads, || binary_run(&labels, &probs, &logits, &weights));
            assert!(got == want, "n={n}, {threads} threads");
        }
    }
}

#[test]
fn the_first_bad_sample_is_reported_whatever_the_thread_count() {
    let n = 200_000;
    let labels: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
    let probs: Vec<f32> = (0..n).map(|i| (i % 101) as f32 / 100.0).collect();
    let weights = vec![1.0f32; n];
    for bad in [[7usize, 150_000], [120_000, 199_999], [65_536, 65_537]] {
        let mut p = probs.clone();
        let mut y = labels.clone();
        p[bad[1]] = f32::NAN;
        y[bad[0]] = 2;
        for threads in THREADS {
            let got = on(threads, || binary_run(&y, &p, &p, &weights));
            assert_eq!(
                got[0],
                Err(Error::InvalidLabel { index: bad[0] }),
                "{threads} threads"
            );
            let mut p = probs.clone();
            p[bad[0]] = -0.5;
            p[bad[1]] = f32::INFINITY;
            let got = on(threads, || binary_run(&labels, &p, &p, &weights));
            let want = Error::ProbabilityOutOfRange { index: bad[0] };
            assert_eq!(got[0], Err(want), "{threads} threads, {bad:?}");
        }
    }
}

#[test]
fn segmentation_results_do_not_depend_on_the_thread_count() {
    const C: usize = 5;
    let (samples, pixels) = (3, 100 * 100 + 7);
    let mut rng = SplitMix64::new(5);
    let mut probs = vec![0.0f32; samples * C * pixels];
    let mut labels = vec![0u16; samples * pixels];
    for s in 0..samples {
        for h in 0..pixels {
            let z: [f32; C] = core::array::from_fn(|_| 6.0 * unit(&mut rng) - 3.0);
            for (c, p) in softmax(&z).into_iter().enumerate() {
                probs[(s * C + c) * pixels + h] = p;
            }
            labels[s * pixels + h] = if h % 17 == 0 {
                255
            } else {
                rng.below(C as u32) as u16
            };
        }
    }
    let layout = Layout::<C>::class_planes(samples, pixels).unwrap();
    let loss = MulticlassLoss::error_rate().with_ignore(255);
    let run = |probs: &[f32]| {
        let mut grad = vec![0.0f32; probs.len()];
        let out = loss.loss_and_grad(&layout, &labels, Input::Probs(probs), &mut grad);
        let confusion = loss.confusion(&layout, &labels, Input::Probs(probs));
        (out.map(|o| (o.loss.to_bits(), bits(&grad))), confusion)
    };
    let want = on(1, || run(&probs));
    assert!(want.0.is_ok());
    let mut broken = probs.clone();
    broken[2 * C * pixels + 3 * pixels + 50] = 1.5;
    broken[C * pixels + 9] = f32::NAN;
    for threads in THREADS {
        assert!(on(threads, || run(&probs)) == want, "{threads} threads");
        let (out, _) = on(threads, || run(&broken));
        assert_eq!(
            out.unwrap_err(),
            Error::NonFinite {
                index: C * pixels + 9
            }
        );
    }
}
