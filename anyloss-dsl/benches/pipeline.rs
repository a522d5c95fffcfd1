//! Compile-pipeline speed (parse + differentiate + simplify + CSE + emit, for MCC) and the
//! speed of generated code against the hand-written metric (F1).
//!
//! `cargo bench -p anyloss-dsl --bench pipeline -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use anyloss_core::{metrics, BinaryLoss, Confusion, Input, Metric};
use anyloss_dsl::FormulaMetric;
use criterion::{criterion_group, criterion_main, Criterion};

/// The checked-in generated F1 (`tests/snapshots/F1.rs`, kept current by the snapshot
/// test), compiled into the bench like a user's `include!`.
mod generated {
    include!("../tests/snapshots/F1.rs");
}

const MCC: &str = "(TP*TN - FP*FN)/sqrt((TP+FP)*(TP+FN)*(TN+FP)*(TN+FN))";

fn pipeline(c: &mut Criterion) {
    c.bench_function("pipeline/mcc_compile_and_emit", |b| {
        b.iter(|| {
            let m = FormulaMetric::compile(black_box(MCC), &[]).expect("MCC compiles");
            m.to_rust("Mcc").expect("MCC emits")
        })
    });
}

/// Confusions that vary, so no call is hoisted out of the loop.
fn points() -> Vec<Confusion> {
    (0..64)
        .map(|i| {
            let x = i as f32;
            Confusion::new(10.0 + x, 3.0 + 0.5 * x, 4.0 + 0.25 * x, 20.0 + x)
        })
        .collect()
}

fn evaluate(c: &mut Criterion) {
    let pts = points();
    let mut group = c.benchmark_group("f1_evaluate_64_points");
    group.bench_function("generated", |b| {
        b.iter(|| {
            pts.iter()
                .filter_map(|p| generated::F1.evaluate(black_box(p)))
                .fold(0.0f32, |acc, e| acc + e.value + e.partials.tp)
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            pts.iter()
                .filter_map(|p| metrics::F1.evaluate(black_box(p)))
                .fold(0.0f32, |acc, e| acc + e.value + e.partials.tp)
        })
    });
    group.finish();
}

fn loss_and_grad(c: &mut Criterion) {
    let n = 1_000_000;
    let labels: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
    let probs: Vec<f32> = (0..n)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0)
        .collect();
    let mut grad = vec![0.0f32; n];
    let mut group = c.benchmark_group("f1_loss_and_grad_1e6");
    group.sample_size(10);
    group.bench_function("generated", |b| {
        let loss = BinaryLoss::new(generated::F1);
        b.iter(|| loss.loss_and_grad(&labels, Input::Probs(&probs), &mut grad))
    });
    group.bench_function("hand_written", |b| {
        let loss = BinaryLoss::new(metrics::F1);
        b.iter(|| loss.loss_and_grad(&labels, Input::Probs(&probs), &mut grad))
    });
    group.finish();
}

criterion_group!(benches, pipeline, evaluate, loss_and_grad);
criterion_main!(benches);
