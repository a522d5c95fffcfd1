//! Multi-class loss plus gradient, one thread:
//! `cargo bench -p anyloss-core --bench multiclass`.
//!
//! `seed_multiclass_1x10x512x512` is the reference code's example: the seed objective
//! `Σ_c (FP_c+FN_c)/C` and its gradient on one 10-class 512×512 softmax map, NCHW
//! (`[1][10][512·512]`). Throughput is in elements (`N·C·H·W`), so criterion's time divided
//! by 2 621 440 is ns/element (the PyTorch reference: about 63 ns/element here).
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use anyloss_core::metrics::F1;
use anyloss_core::multiclass::{softmax, Averaged, ErrorRate, Layout, MulticlassLoss, Objective};
use anyloss_core::{Average, Input};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

const C: usize = 10;
const PIXELS: usize = 512 * 512;

/// A deterministic softmax map `[1][C][PIXELS]` of standard-normal-ish logits, and labels.
fn softmax_map() -> (Vec<u16>, Vec<f32>) {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut probs = vec![0.0f32; C * PIXELS];
    let mut labels = Vec::with_capacity(PIXELS);
    for h in 0..PIXELS {
        let z: [f32; C] = core::array::from_fn(|_| rng.random_range(-2.0f32..2.0));
        for (c, p) in softmax(&z).into_iter().enumerate() {
            probs[c * PIXELS + h] = p;
        }
        labels.push(rng.random_range(0..C as u16));
    }
    (labels, probs)
}

fn case(c: &mut Criterion, name: &str, objective: &dyn Objective, logits: bool) {
    let (labels, values) = softmax_map();
    let layout = Layout::<C>::class_planes(1, PIXELS).expect("valid layout");
    let loss = MulticlassLoss::new(objective);
    let mut grad = vec![0.0f32; values.len()];
    let mut g = c.benchmark_group("multiclass");
    g.throughput(Throughput::Elements(values.len() as u64));
    g.bench_function(name, |b| {
        b.iter(|| {
            let input = if logits {
                Input::Logits(black_box(&values))
            } else {
                Input::Probs(black_box(&values))
            };
            loss.loss_and_grad(&layout, black_box(&labels), input, &mut grad)
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    case(
        c,
        "seed_multiclass_1x10x512x512",
        &ErrorRate::Original,
        false,
    );
    case(
        c,
        "macro_f1_multiclass_1x10x512x512",
        &Averaged::new(F1, Average::Macro),
        false,
    );
    case(
        c,
        "seed_multiclass_logits_1x10x512x512",
        &ErrorRate::Original,
        true,
    );
}

criterion_group!(multiclass, benches);
criterion_main!(multiclass);
