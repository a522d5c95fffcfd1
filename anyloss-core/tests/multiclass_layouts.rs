//! The same data in every layout gives the same loss and gradient; streaming over chunks
//! gives the single-shot gradient; ignored samples are exactly left out; the policy for
//! classes absent from a batch.

use anyloss_core::metrics::{Mcc, Recall, F1};
use anyloss_core::multiclass::{
    Averaged, ClassConfusion, ErrorRate, Layout, MulticlassLoss, Objective, Strides,
};
use anyloss_core::{Amplifier, Average, Degenerate, Input};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

const C: usize = 5;
const IGNORE: u16 = 255;

/// `images` segmentation maps of `pixels` pixels, NCHW: labels `[N][HW]` (some ignored) and
/// values `[N][C][HW]`, probabilities or logits.
fn segmentation(
    rng: &mut TestRng,
    images: usize,
    pixels: usize,
    logits: bool,
) -> (Vec<u16>, Vec<f32>) {
    let labels = (0..images * pixels)
        .map(|i| {
            if i % 13 == 7 {
                IGNORE
            } else {
                rng.random_range(0..C as u16)
            }
        })
        .collect();
    let values = (0..images * C * pixels)
        .map(|_| {
            if logits {
                rng.random_range(-4.0f32..4.0)
            } else {
                rng.random_range(0.3f32..0.7)
            }
        })
        .collect();
    (labels, values)
}

/// NCHW → `[N·HW][C]`, each pixel a sample.
fn to_sample_major(values: &[f32], images: usize, pixels: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for i in 0..images {
        for c in 0..C {
            for h in 0..pixels {
                out[(i * pixels + h) * C + c] = values[(i * C + c) * pixels + h];
            }
        }
    }
    out
}

fn objectives() -> Vec<(&'static str, Box<dyn Objective>)> {
    vec![
        ("seed", Box::new(ErrorRate::Original)),
        ("seed normalized", Box::new(ErrorRate::Normalized)),
        ("macro f1", Box::new(Averaged::new(F1, Average::Macro))),
        ("micro mcc", Box::new(Averaged::new(Mcc, Average::Micro))),
        (
            "weighted recall",
            Box::new(Averaged::new(Recall, Average::Weighted)),
        ),
    ]
}

fn input(values: &[f32], logits: bool) -> Input<'_> {
    if logits {
        Input::Logits(values)
    } else {
        Input::Probs(values)
    }
}

fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 * w.abs() + 1e-6 * scale,
            "{what}: element {i}: {g:e} vs {w:e}"
        );
    }
}

fn assert_same_entries(what: &str, got: &ClassConfusion<C>, want: &ClassConfusion<C>) {
    assert_eq!(got.support(), want.support(), "{what}: support");
    for (g, w) in got.classes().iter().zip(want.classes()) {
        assert_close(what, &[g.tp, g.fn_, g.fp, g.tn], &[w.tp, w.fn_, w.fp, w.tn]);
    }
}

/// Runs one layout and returns (loss, entries, gradient in `[N·HW][C]` order).
fn run(
    objective: &dyn Objective,
    layout: &Layout<C>,
    labels: &[u16],
    values: &[f32],
    logits: bool,
) -> (f32, ClassConfusion<C>, Vec<f32>) {
    let loss = MulticlassLoss::new(objective)
        .with_amplifier(Amplifier::new(20.0).unwrap())
        .with_ignore(u32::from(IGNORE));
    let mut grad = vec![0.0f32; values.len()];
    let out = loss
        .loss_and_grad(layout, labels, input(values, logits), &mut grad)
        .unwrap();
    (out.loss, out.confusion, grad)
}

#[test]
fn segmentation_planes_equal_the_same_data_sample_major() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    // 64 pixels take the contiguous-row fast path; 3 pixels take the per-position path.
    for (images, pixels) in [(3usize, 64usize), (2, 1500), (4, 3)] {
        for logits in [false, true] {
            let (labels, values) = segmentation(&mut rng, images, pixels, logits);
            let flat = to_sample_major(&values, images, pixels);
            for (name, objective) in objectives() {
                let what = format!("{name} {images}x{pixels} logits={logits}");
                let planes = Layout::<C>::class_planes(images, pixels).unwrap();
                let (loss, entries, grad) =
                    run(objective.as_ref(), &planes, &labels, &values, logits);
                let rows = Layout::<C>::sample_major(images * pixels).unwrap();
                let (want_loss, want_entries, want_grad) =
                    run(objective.as_ref(), &rows, &labels, &flat, logits);
                assert_close(&what, &[loss], &[want_loss]);
                assert_same_entries(&what, &entries, &want_entries);
                assert_close(&what, &to_sample_major(&grad, images, pixels), &want_grad);
            }
        }
    }
}

#[test]
fn channels_last_and_padded_views_equal_the_dense_layout() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (images, pixels) = (2usize, 40usize);
    let (labels, values) = segmentation(&mut rng, images, pixels, false);
    let flat = to_sample_major(&values, images, pixels);
    // The same samples with two unused elements after each one, as in a strided view.
    let pad = 2;
    let mut padded = vec![f32::NAN; images * pixels * (C + pad)];
    for (s, row) in flat.chunks(C).enumerate() {
        padded[s * (C + pad)..s * (C + pad) + C].copy_from_slice(row);
    }
    padded.truncate(padded.len() - pad);
    let strides = Strides {
        sample: C + pad,
        class: 1,
        pixel: 1,
    };
    for (name, objective) in objectives() {
        let rows = Layout::<C>::sample_major(images * pixels).unwrap();
        let (want_loss, _, want_grad) = run(objective.as_ref(), &rows, &labels, &flat, false);
        // NHWC is the sample-major buffer read per image.
        let nhwc = Layout::<C>::channels_last(images, pixels).unwrap();
        let (loss, _, grad) = run(objective.as_ref(), &nhwc, &labels, &flat, false);
        assert_close(name, &[loss], &[want_loss]);
        assert_close(name, &grad, &want_grad);
        // The padding holds NaN: it is never read, and its gradient is never written.
        let view = Layout::<C>::strided(images * pixels, 1, strides).unwrap();
        assert_eq!(view.span(), padded.len());
        let l = MulticlassLoss::new(objective.as_ref())
            .with_amplifier(Amplifier::new(20.0).unwrap())
            .with_ignore(u32::from(IGNORE));
        let mut grad = vec![7.0f32; padded.len()];
        let out = l
            .loss_and_grad(&view, &labels, Input::Probs(&padded), &mut grad)
            .unwrap();
        assert_close(name, &[out.loss], &[want_loss]);
        for (s, row) in grad.chunks(C + pad).enumerate() {
            assert_close(name, &row[..C], &want_grad[s * C..s * C + C]);
            assert!(row[C..].iter().all(|&g| g == 7.0), "{name}: gap written");
        }
    }
}

#[test]
fn streaming_equals_single_shot() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (images, pixels) = (7usize, 48usize);
    for logits in [false, true] {
        let (labels, values) = segmentation(&mut rng, images, pixels, logits);
        for (name, objective) in objectives() {
            let loss = MulticlassLoss::new(objective.as_ref())
                .with_amplifier(Amplifier::new(20.0).unwrap())
                .with_ignore(u32::from(IGNORE));
            let layout = Layout::<C>::class_planes(images, pixels).unwrap();
            let mut want = vec![0.0f32; values.len()];
            let single = loss
                .loss_and_grad(&layout, &labels, input(&values, logits), &mut want)
                .unwrap();
            // Uneven chunks of whole images, as read from flash one buffer at a time.
            let chunks = [1usize, 3, 2, 1];
            let mut entries = ClassConfusion::<C>::default();
            let mut start = 0;
            for &n in &chunks {
                let chunk = Layout::<C>::class_planes(n, pixels).unwrap();
                let ys = &labels[start * pixels..(start + n) * pixels];
                let xs = &values[start * C * pixels..(start + n) * C * pixels];
                entries += loss.confusion(&chunk, ys, input(xs, logits)).unwrap();
                start += n;
            }
            let streamed = loss.evaluate(&entries);
            let what = format!("{name} logits={logits}");
            assert_close(&what, &[streamed.loss], &[single.loss]);
            assert_same_entries(&what, &streamed.confusion, &single.confusion);
            let mut got = vec![0.0f32; values.len()];
            let mut start = 0;
            for &n in &chunks {
                let chunk = Layout::<C>::class_planes(n, pixels).unwrap();
                let ys = &labels[start * pixels..(start + n) * pixels];
                let range = start * C * pixels..(start + n) * C * pixels;
                let xs = &values[range.clone()];
                loss.gradient(&streamed, &chunk, ys, input(xs, logits), &mut got[range])
                    .unwrap();
                start += n;
            }
            assert_close(&what, &got, &want);
        }
    }
}

#[test]
fn ignored_samples_are_left_out_entirely() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let n = 60;
    let (labels, values) = segmentation(&mut rng, n, 1, false);
    let kept: Vec<usize> = (0..n).filter(|&i| labels[i] != IGNORE).collect();
    assert!(kept.len() < n);
    let kept_labels: Vec<u16> = kept.iter().map(|&i| labels[i]).collect();
    let kept_values: Vec<f32> = kept
        .iter()
        .flat_map(|&i| values[i * C..i * C + C].to_vec())
        .collect();
    for (name, objective) in objectives() {
        let (loss, entries, grad) = run(
            objective.as_ref(),
            &Layout::<C>::sample_major(n).unwrap(),
            &labels,
            &values,
            false,
        );
        let (want_loss, want_entries, want_grad) = run(
            objective.as_ref(),
            &Layout::<C>::sample_major(kept.len()).unwrap(),
            &kept_labels,
            &kept_values,
            false,
        );
        assert_close(name, &[loss], &[want_loss]);
        assert_same_entries(name, &entries, &want_entries);
        let kept_grad: Vec<f32> = kept
            .iter()
            .flat_map(|&i| grad[i * C..i * C + C].to_vec())
            .collect();
        assert_close(name, &kept_grad, &want_grad);
        for i in (0..n).filter(|&i| labels[i] == IGNORE) {
            assert!(
                grad[i * C..i * C + C].iter().all(|&g| g == 0.0),
                "{name}: sample {i}"
            );
        }
    }
}

#[test]
fn every_label_type_gives_the_same_result() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (labels, values) = segmentation(&mut rng, 2, 32, false);
    let layout = Layout::<C>::class_planes(2, 32).unwrap();
    let loss = MulticlassLoss::averaged(F1, Average::Macro).with_ignore(u32::from(IGNORE));
    let bytes: Vec<u8> = labels.iter().map(|&y| y as u8).collect();
    let words: Vec<u32> = labels.iter().map(|&y| u32::from(y)).collect();
    let a = loss.loss(&layout, &labels, Input::Probs(&values)).unwrap();
    assert_eq!(
        loss.loss(&layout, &bytes, Input::Probs(&values)).unwrap(),
        a
    );
    assert_eq!(
        loss.loss(&layout, &words, Input::Probs(&values)).unwrap(),
        a
    );
}

#[test]
fn absent_classes_get_the_binary_degenerate_policy() {
    // Class 2 has no samples; its soft false positives keep F1 defined (0), while recall
    // is undefined there and takes the smoothed value.
    let labels = [0u8, 1, 0, 1, 0];
    let probs: Vec<f32> = [
        [0.9f32, 0.1, 0.2],
        [0.2, 0.8, 0.3],
        [0.7, 0.4, 0.1],
        [0.3, 0.6, 0.6],
        [0.8, 0.2, 0.2],
    ]
    .concat();
    let layout = Layout::<3>::sample_major(5).unwrap();
    for (metric, policy) in [
        (&F1 as &dyn anyloss_core::Metric, Degenerate::default()),
        (&Recall, Degenerate::default()),
        (&Recall, Degenerate::Fallback(0.0)),
    ] {
        let objective = Averaged::new(metric, Average::Macro)
            .with_degenerate(policy)
            .unwrap();
        let loss = MulticlassLoss::new(objective);
        let mut grad = [0.0f32; 15];
        let out = loss
            .loss_and_grad(&layout, &labels, Input::Probs(&probs), &mut grad)
            .unwrap();
        assert_eq!(out.confusion.support(), &[3.0, 2.0, 0.0]);
        let per_class: f32 = out
            .confusion
            .classes()
            .iter()
            .map(|c| policy.evaluate(metric, c).value)
            .sum();
        assert!((out.loss - (1.0 - per_class / 3.0)).abs() < 1e-6);
        assert!(out.loss.is_finite() && grad.iter().all(|g| g.is_finite()));
        let absent = policy.evaluate(metric, &out.confusion.classes()[2]).value;
        let expected_absent = match policy {
            // F1 of an absent class with soft false positives is 0; smoothed recall is 1/2.
            Degenerate::Smooth(_) if out.confusion.classes()[2].fp > 0.0 => {
                if metric.evaluate(&out.confusion.classes()[2]).is_some() {
                    0.0
                } else {
                    0.5
                }
            }
            _ => 0.0,
        };
        assert!(
            (absent - expected_absent).abs() < 1e-6,
            "absent class value {absent}"
        );
    }
}
